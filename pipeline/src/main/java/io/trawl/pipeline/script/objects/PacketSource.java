package io.trawl.pipeline.script.objects;

import io.trawl.pipeline.PacketContext;

/** What Layer and Packet objects read: the pipeline's current packet and its flows. Pipeline thread only. */
public interface PacketSource {
    /** The packet being processed, or null outside packet processing. */
    PacketContext currentPacket();

    /** The FlowID of a live flow of this pipeline (cached per flow). */
    FlowIdValue flowId(int flow);

    /** The scope that makes views expire when their callback returns. */
    ViewScope scope();
}

package io.trawl.pipeline;

import io.trawl.capture.PacketView;
import io.trawl.pipeline.decode.DecodeResult;
import io.trawl.pipeline.decode.DecodedPacket;
import io.trawl.pipeline.flow.FlowTable;

/**
 * What stages see of the packet being processed: the raw view, the decoded headers, and its flow. One
 * instance per pipeline, overwritten per packet; valid only during {@link PipelineStage#onPacket}.
 */
public final class PacketContext {
    PacketView packet;
    DecodedPacket decoded;
    DecodeResult result;
    FlowTable flows;
    int flow = -1;
    int direction;

    public PacketView packet() {
        return packet;
    }

    public DecodedPacket decoded() {
        return decoded;
    }

    /** How decoding went; stages usually act only on {@link DecodeResult#OK}. */
    public DecodeResult result() {
        return result;
    }

    public FlowTable flows() {
        return flows;
    }

    /** The packet's flow handle in {@link #flows()}, or -1 (no IP, later fragment, table full). */
    public int flow() {
        return flow;
    }

    /** {@link FlowTable#A_TO_Z} or {@link FlowTable#Z_TO_A}. */
    public int direction() {
        return direction;
    }

    /** Packet time, ns since the epoch. */
    public long timestampNanos() {
        return packet.timestampNanos();
    }
}

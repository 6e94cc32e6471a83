package io.trawl.pipeline.reassembly;

import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowTable;

/**
 * A per-pipeline user of reassembled streams (a script's reassembly_handler, the HTTP parser). At each
 * new TCP flow every consumer is asked whether it wants the flow; the flow is reassembled when at least
 * one does (a unanimous "no" skips it), and only the consumers that said yes receive its streams.
 */
public interface StreamConsumer extends StreamListener {
    /** Whether this consumer wants the streams of a new TCP flow. */
    default boolean wantsFlow(final FlowTable flows, final int flow, final long timestampNanos) {
        return true;
    }

    /** A flow this consumer followed ended, after both its streams ended. */
    default void onFlowEnd(final FlowTable flows, final int flow, final FlowEndReason reason) {
    }

    /** End of input: flush what is buffered. */
    default void onEndOfInput() {
    }

    /** The pipeline stops; release resources. */
    default void close() {
    }
}

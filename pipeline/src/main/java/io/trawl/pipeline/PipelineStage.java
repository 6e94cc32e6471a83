package io.trawl.pipeline;

import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowListener;
import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.output.JsonLinesFile;

/**
 * Work a pipeline does for every packet, beyond decoding and flow tracking: Lua scripts, TCP reassembly,
 * delivering T.async results. One instance per pipeline, called only on that pipeline's thread; a stage
 * must never block.
 */
public interface PipelineStage extends FlowListener {
    /** One packet, after decoding and flow tracking. */
    void onPacket(PacketContext packet);

    @Override
    default void onFlowEnd(final FlowTable table, final int flow, final FlowEndReason reason) {
    }

    /**
     * Adds this stage's fields to the flow's {@code OUT/flows.jsonl} record (flow tags, flow counters...).
     * Called after every stage's {@link #onFlowEnd} for that flow, only when the flow log is on, between
     * the pipeline's own fields and the end of the record: write with {@code record.name(...)/field(...)}.
     */
    default void appendFlowFields(final FlowTable table, final int flow, final JsonLinesFile record) {
    }

    /**
     * Bounded work between packet batches (draining completion queues, timers).
     *
     * @return units of work done (0 lets the pipeline idle)
     */
    default int doDuty(final long nowNanos) {
        return 0;
    }

    /**
     * True while the pipeline must not take new packets (T.async finishing jobs a crash interrupted
     * before any new input). The stage's duties still run.
     */
    default boolean holdsInput() {
        return false;
    }

    /** The input ended and every flow has ended; flush what is buffered. */
    default void onEndOfInput() {
    }

    /** True when the stage has no pending work (the run ends when every stage of every pipeline is drained). */
    default boolean isDrained() {
        return true;
    }

    /** Last call, on the pipeline thread, after draining. Release resources here. */
    default void onClose() {
    }
}

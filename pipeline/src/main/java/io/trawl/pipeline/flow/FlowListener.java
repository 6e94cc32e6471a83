package io.trawl.pipeline.flow;

/** Told about flow starts and ends, on the pipeline thread, while the flow's data is still readable. */
public interface FlowListener {
    /** A new flow was created by the packet being processed. */
    default void onFlowStart(final FlowTable table, final int flow) {
    }

    /** The flow ends; after this call its handle may be reused. */
    void onFlowEnd(FlowTable table, int flow, FlowEndReason reason);
}

package io.trawl.async.pipeline;

/**
 * T.async's counters in STATE/counters.dat (type ids 300-399), per pipeline, summed over its scripts
 * (per-script figures are in summary.json). Published by the pipeline's completion stage between packet
 * batches, so {@code trawl counters} shows them while the run goes on.
 */
public enum AsyncCounter {
    SUBMITTED(300, "T.async jobs submitted"),
    COMPLETED(301, "T.async jobs completed"),
    FAILED(302, "T.async jobs failed (errors, timeouts, refused paths)"),
    REJECTED(303, "T.async calls rejected: queue full (async.queue_jobs/queue_bytes) or journal full"),
    TIMED_OUT(304, "T.async onexecute calls stopped by async.timeout"),
    REFUSED(305, "T.async paths refused (outside the allowed roots)"),
    BYTES_WRITTEN(306, "T.async bytes written by file operations"),
    OUTSTANDING(307, "T.async jobs of this pipeline not finished yet"),
    JOURNAL_REJECTIONS(308, "T.async calls refused because the journal could not take them");

    private final int typeId;
    private final String label;

    AsyncCounter(final int typeId, final String label) {
        this.typeId = typeId;
        this.label = label;
    }

    public int typeId() {
        return typeId;
    }

    public String label() {
        return label;
    }
}

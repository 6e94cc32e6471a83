package io.trawl.pipeline;

import java.util.Map;

/**
 * Creates a {@link PipelineStage} for each pipeline of a run, and reports on all of them at the end. The
 * run calls {@link #create} on the main thread before the pipelines start, then {@link #start},
 * {@link #contributeSummary} after they stop, then {@link #close}.
 */
public interface PipelineStageFactory {
    /** The stage for one pipeline. */
    PipelineStage create(Pipeline pipeline);

    /** Every pipeline's stage exists; the pipelines start next. Start this layer's own threads here. */
    default void start() {
    }

    /** Adds this layer's section(s) to summary.json (e.g. {@code scripts}, {@code async}). */
    default void contributeSummary(final Map<String, Object> summary) {
    }

    /** Called once at the end of the run. */
    default void close() {
    }
}

package io.trawl.async.pipeline;

import io.trawl.async.exec.ScriptAsync;
import io.trawl.async.exec.Worker;
import io.trawl.async.files.PathPolicy;
import io.trawl.async.job.AsyncJob;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.filex.StagedFiles;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Queue;

/** One pipeline's T.async parts: its submitter and its completion stage, sharing its staging pool. */
public final class PipelineAsync {
    private final AsyncSubmitter submitter;
    private final CompletionStage stage;

    public PipelineAsync(final int pipeline, final ScriptAsync[] scripts, final PathPolicy paths, final StagedFiles stagedFiles,
                         final Queue<AsyncJob> toConductor, final List<Worker> workers, final RunConsole console,
                         final io.trawl.async.journal.PipelineJournal journal, final java.util.concurrent.atomic.AtomicLong tickets,
                         final long idPrefix, final CompletionStage.Recovery recovery) {
        @SuppressWarnings("unchecked")
        final Queue<AsyncJob>[][] toWorkers = new Queue[scripts.length][];
        for (final ScriptAsync script : scripts) {
            toWorkers[script.index()] = workers.stream().filter(w -> w.script() == script)
                .map(w -> w.direct(pipeline)).toArray(Queue[]::new);
        }
        this.submitter = new AsyncSubmitter(pipeline, scripts, paths, new StagingPool(), stagedFiles, toConductor, toWorkers,
            console, journal, tickets, idPrefix);
        this.stage = new CompletionStage(submitter, workers, scripts, console, recovery);
    }

    public AsyncSubmitter submitter() {
        return submitter;
    }

    public CompletionStage stage() {
        return stage;
    }

    public Histogram latency() {
        return stage.latency();
    }

    public Histogram latency(final int script) {
        return stage.latency(script);
    }
}

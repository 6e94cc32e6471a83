package io.trawl.async.pipeline;

import io.trawl.async.exec.ScriptAsync;
import io.trawl.async.exec.Worker;
import io.trawl.async.job.AsyncJob;
import io.trawl.pipeline.PacketContext;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.RunConsole;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.List;
import java.util.Queue;

/**
 * Drains this pipeline's completion queues (one per worker) between packet batches: counts the outcome,
 * frees the staged bytes and the script's queue room, lets AutoDelete have the staged files the job read,
 * records submit-to-completion latency, and runs the job's continuation (the Lua binding's
 * {@code onresult}/{@code onerror}) on this thread. The pipeline is drained when every job it submitted
 * has come back.
 */
public final class CompletionStage implements PipelineStage {
    private static final int MAX_PER_DUTY = 256;

    private final AsyncSubmitter submitter;
    private final Queue<AsyncJob>[] queues;
    private final ScriptAsync[] scripts;
    private final RunConsole console;
    private final Histogram latency = new Histogram(3_600_000_000L, 3);
    private final Histogram[] latencyByScript;

    @SuppressWarnings("unchecked")
    CompletionStage(final AsyncSubmitter submitter, final List<Worker> workers, final ScriptAsync[] scripts, final RunConsole console) {
        this.submitter = submitter;
        this.scripts = scripts;
        this.console = console;
        this.queues = new Queue[workers.size()];
        for (int i = 0; i < workers.size(); i++) {
            queues[i] = workers.get(i).completions(submitter.pipeline());
        }
        this.latencyByScript = new Histogram[scripts.length];
        for (int i = 0; i < scripts.length; i++) {
            latencyByScript[i] = new Histogram(3_600_000_000L, 3);
        }
    }

    @Override
    public void onPacket(final PacketContext packet) {
        // completions are delivered between batches, in doDuty
    }

    @Override
    public int doDuty(final long nowNanos) {
        int work = 0;
        for (final Queue<AsyncJob> queue : queues) {
            for (int i = 0; i < MAX_PER_DUTY; i++) {
                final AsyncJob job = queue.poll();
                if (job == null) {
                    break;
                }
                complete(job);
                work++;
            }
        }
        return work;
    }

    private void complete(final AsyncJob job) {
        final ScriptAsync script = scripts[job.script()];
        switch (job.outcome()) {
            case COMPLETED -> script.countCompleted(job.bytesWritten());
            case FAILED -> {
                script.countFailed();
                report(script, job.error());
            }
            case TIMED_OUT -> {
                script.countTimedOut();
                script.countFailed();
                report(script, job.error());
            }
            case REFUSED -> {
                script.countRefused();
                script.countFailed();
                report(script, job.error());
            }
        }
        if (job.stagingHandle != -1) {
            submitter.staging().free(job.stagingHandle, job.byteCount());
        }
        if (job.retained() != null) {
            for (final Path path : job.retained()) {
                submitter.stagedFiles().release(path);
            }
        }
        script.release(job.byteCount());
        submitter.completed();
        final long micros = Math.max(0, (System.nanoTime() - job.submittedNanos()) / 1000);
        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
        latencyByScript[job.script()].recordValue(Math.min(micros, latency.getHighestTrackableValue()));
        if (job.handler() != null) {
            job.handler().onCompleted(job);
        }
    }

    private void report(final ScriptAsync script, final String message) {
        if (message != null && script.recordError(message)) {
            console.warn("trawl: " + script.name() + ": " + message);
        }
    }

    @Override
    public boolean isDrained() {
        doDuty(System.nanoTime());
        return submitter.outstanding() == 0;
    }

    /** Latency of every job this pipeline completed, µs. */
    Histogram latency() {
        return latency;
    }

    Histogram latency(final int script) {
        return latencyByScript[script];
    }

    @Override
    public void onClose() {
        submitter.staging().close();
    }
}

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

    /**
     * Jobs of an interrupted run for this pipeline to finish before it takes new input, and how to bind
     * recovered schedules to its Lua states. Shared by the pipelines of a run.
     */
    public interface Recovery {
        /** The recovered jobs this pipeline takes over. */
        List<io.trawl.async.journal.JournaledJob> jobsFor(int pipeline);

        /** The script index of a recovered job's script in this run, or -1. */
        int scriptIndex(String scriptName);

        /** Binds a recovered schedule (null when not possible). */
        io.trawl.async.journal.RecoveryBinder.Bound bind(io.trawl.async.journal.JournaledJob job, int pipeline) throws Exception;

        /** This pipeline has journaled all its recovered jobs again. */
        void submitted(int pipeline, int count);
    }

    private final Recovery recovery;
    private boolean recoverySubmitted;
    private final java.util.Set<Long> recovering = new java.util.HashSet<>();

    @SuppressWarnings("unchecked")
    CompletionStage(final AsyncSubmitter submitter, final List<Worker> workers, final ScriptAsync[] scripts, final RunConsole console,
                    final Recovery recovery) {
        this.recovery = recovery;
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
        if (!recoverySubmitted) {
            recoverySubmitted = true;
            work += submitRecovered();
        }
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
        final int pipeline = submitter.pipeline();
        switch (job.outcome()) {
            case COMPLETED -> script.countCompleted(pipeline, job.bytesWritten());
            case FAILED -> {
                script.countFailed(pipeline);
                report(script, job.error());
            }
            case TIMED_OUT -> {
                script.countTimedOut(pipeline);
                script.countFailed(pipeline);
                report(script, job.error());
            }
            case REFUSED -> {
                script.countRefused(pipeline);
                script.countFailed(pipeline);
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
        submitter.completed(job);
        final long micros = Math.max(0, (System.nanoTime() - job.submittedNanos()) / 1000);
        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
        latencyByScript[job.script()].recordValue(Math.min(micros, latency.getHighestTrackableValue()));
        if (job.handler() != null) {
            job.handler().onCompleted(job);
        }
        if (submitter.journal() != null) {
            submitter.journal().delivered(job);
        }
        recovering.remove(job.id());
    }

    /** Finishes, before any new input, the jobs an interrupted run left for this pipeline. */
    private int submitRecovered() {
        if (recovery == null) {
            return 0;
        }
        final List<io.trawl.async.journal.JournaledJob> jobs = recovery.jobsFor(submitter.pipeline());
        int submitted = 0;
        for (final io.trawl.async.journal.JournaledJob job : jobs) {
            final int script = recovery.scriptIndex(job.script());
            if (script < 0) {
                console.warn("trawl: T.async job " + job.id() + " (" + job.kind().method() + ") of script " + job.script()
                    + " not recovered: the script is not loaded in this run");
                continue;
            }
            try {
                final io.trawl.async.journal.RecoveryBinder.Bound bound = job.kind() == io.trawl.async.job.JobKind.SCHEDULE
                    ? recovery.bind(job, submitter.pipeline()) : null;
                if (job.kind() == io.trawl.async.job.JobKind.SCHEDULE && bound == null) {
                    console.warn("trawl: T.async schedule " + job.id() + " of " + job.script() + " not recovered");
                    continue;
                }
                if (job.effect() != null) {
                    deliverFinished(job, script, bound);
                    submitted++;
                    continue;
                }
                final String refusal = job.kind() == io.trawl.async.job.JobKind.SCHEDULE
                    ? submitter.schedule(script, bound.task(), null, bound.handler(), bound.state(), job.payload(), job.id())
                    : submitter.resubmit(job, script, null, null);
                if (refusal != null) {
                    console.warn("trawl: recovered T.async job " + job.id() + ": " + refusal);
                    continue;
                }
                recovering.add(job.id());
                submitted++;
            } catch (final Exception e) {
                console.warn("trawl: T.async job " + job.id() + " of " + job.script() + " not recovered: " + e.getMessage());
            }
        }
        recovery.submitted(submitter.pipeline(), submitted);
        return submitted;
    }

    /** A recovered job whose effects were done: only its completion is left to deliver. */
    private void deliverFinished(final io.trawl.async.journal.JournaledJob recovered, final int script,
                                 final io.trawl.async.journal.RecoveryBinder.Bound bound) {
        final AsyncJob job = switch (recovered.kind()) {
            case SCHEDULE -> AsyncJob.schedule(recovered.id(), script, submitter.pipeline(), bound.task());
            case RM -> AsyncJob.remove(recovered.id(), script, submitter.pipeline(), java.nio.file.Path.of(recovered.target()));
            default -> AsyncJob.fileToFile(recovered.id(), script, submitter.pipeline(), recovered.kind(),
                recovered.source() == null ? null : java.nio.file.Path.of(recovered.source()),
                recovered.target() == null ? null : java.nio.file.Path.of(recovered.target()));
        };
        if (bound != null) {
            job.onCompletion(bound.handler(), bound.state());
        }
        job.finish(recovered.effect(), recovered.result(), recovered.error(), 0);
        if (job.handler() != null) {
            job.handler().onCompleted(job);
        }
        if (submitter.journal() != null) {
            submitter.journal().delivered(job.id());
        }
    }

    @Override
    public boolean holdsInput() {
        return !recoverySubmitted || !recovering.isEmpty();
    }

    private void report(final ScriptAsync script, final String message) {
        if (message != null && script.recordError(message)) {
            console.warn("trawl: " + script.name() + ": " + message);
        }
    }

    @Override
    public void onEndOfInput() {
        if (submitter.outstanding() > 0) {
            console.info("trawl: pipeline-" + submitter.pipeline() + ": input ended; finishing " + submitter.outstanding()
                + " T.async job(s)");
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

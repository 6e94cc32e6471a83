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

        /** This pipeline has submitted all its recovered jobs ({@code count} could run). */
        void submitted(int pipeline, int count);

        /**
         * Every recovered job of this pipeline has been delivered (or journaled as delivered because it
         * could not run). Called once, after {@link #submitted}.
         */
        void delivered(int pipeline);
    }

    private final Recovery recovery;
    private boolean recoverySubmitted;
    private static final int RECOVERY_PER_DUTY = 4096;
    private List<io.trawl.async.journal.JournaledJob> recoveryJobs;
    private int recoveryCursor;
    private int recoveredCount;
    private String lastRecoveredScript;
    private int lastRecoveredIndex;
    private static final int NOT_RECOVERED_LOGGED = 20;
    /** Recovered jobs that could not run (refused, script missing...). */
    private long notRecovered;
    private static final AsyncCounter[] COUNTERS = AsyncCounter.values();
    private static final long PUBLISH_INTERVAL_NANOS = 10_000_000L;
    private org.agrona.concurrent.status.AtomicCounter[] published;
    private final long[] publishing = new long[COUNTERS.length];
    private long lastPublished;
    /** Recovered jobs submitted whose completion has not come back yet. */
    private long recovering;

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

    /** Allocates this pipeline's counters in the run's counters file. Main thread, before the pipeline starts. */
    public void publishTo(final io.trawl.pipeline.Pipeline pipeline) {
        published = new org.agrona.concurrent.status.AtomicCounter[COUNTERS.length];
        for (final AsyncCounter counter : COUNTERS) {
            published[counter.ordinal()] = pipeline.newCounter(counter.label(), counter.typeId());
        }
    }

    private void publish() {
        if (published == null) {
            return;
        }
        java.util.Arrays.fill(publishing, 0);
        for (final ScriptAsync script : scripts) {
            script.addStripe(submitter.pipeline(), publishing);
        }
        publishing[AsyncCounter.OUTSTANDING.ordinal()] = submitter.outstanding();
        publishing[AsyncCounter.JOURNAL_REJECTIONS.ordinal()] = submitter.journalRejections();
        for (int i = 0; i < publishing.length; i++) {
            published[i].setRelease(publishing[i]);
        }
    }

    @Override
    public int doDuty(final long nowNanos) {
        if (nowNanos - lastPublished >= PUBLISH_INTERVAL_NANOS) {
            lastPublished = nowNanos;
            publish();
        }
        int work = 0;
        if (!recoverySubmitted) {
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
        if (submitter.journal() != null) {
            submitter.journal().flush(); // this cycle's deliveries, one record
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
        if (job.recovered && --recovering == 0 && recoverySubmitted) {
            recovery.delivered(submitter.pipeline());
        }
    }

    /**
     * Finishes, before any new input, the jobs an interrupted run left for this pipeline: submits them in
     * journal order, as many per duty cycle as the script's queue bounds and the rings take (the rest wait
     * for the next cycle, never rejected), so any number of recovered jobs fits.
     */
    private int submitRecovered() {
        if (recovery == null) {
            recoverySubmitted = true;
            return 0;
        }
        if (recoveryJobs == null) {
            recoveryJobs = recovery.jobsFor(submitter.pipeline());
        }
        int work = 0;
        while (recoveryCursor < recoveryJobs.size() && work < RECOVERY_PER_DUTY) {
            final io.trawl.async.journal.JournaledJob job = recoveryJobs.get(recoveryCursor);
            if (!job.script().equals(lastRecoveredScript)) {
                lastRecoveredScript = job.script();
                lastRecoveredIndex = recovery.scriptIndex(job.script());
            }
            final int script = lastRecoveredIndex;
            if (script >= 0 && job.effect() == null && !submitter.hasRoom(script, job.bytes() == null ? 0 : job.bytes().length)) {
                return work; // full for now: the jobs submitted so far must drain first
            }
            recoveryCursor++;
            work++;
            if (submitRecovered(job, script)) {
                recoveredCount++;
            }
        }
        if (recoveryCursor == recoveryJobs.size()) {
            if (notRecovered > NOT_RECOVERED_LOGGED) {
                console.warn("trawl: ... and " + (notRecovered - NOT_RECOVERED_LOGGED) + " more recovered T.async job(s) of "
                    + "pipeline " + submitter.pipeline() + " could not run (" + notRecovered + " in all)");
            }
            recoverySubmitted = true;
            recoveryJobs = null;
            recovery.submitted(submitter.pipeline(), recoveredCount);
            if (recovering == 0) {
                recovery.delivered(submitter.pipeline());
            }
        }
        return work;
    }

    /**
     * One recovered job; false when it cannot run in this run (reported, and journaled as delivered: it
     * is given up, not retried by every later run).
     */
    private boolean submitRecovered(final io.trawl.async.journal.JournaledJob job, final int script) {
        final boolean submitted = trySubmitRecovered(job, script);
        if (!submitted && submitter.journal() != null) {
            submitter.journal().delivered(job.id());
        }
        return submitted;
    }

    private boolean trySubmitRecovered(final io.trawl.async.journal.JournaledJob job, final int script) {
        if (script < 0) {
            notRecovered("trawl: T.async job " + job.id() + " (" + job.kind().method() + ") of script " + job.script()
                + " not recovered: the script is not loaded in this run");
            return false;
        }
        try {
            final io.trawl.async.journal.RecoveryBinder.Bound bound = job.kind() == io.trawl.async.job.JobKind.SCHEDULE
                ? recovery.bind(job, submitter.pipeline()) : null;
            if (job.kind() == io.trawl.async.job.JobKind.SCHEDULE && bound == null) {
                notRecovered("trawl: T.async schedule " + job.id() + " of " + job.script() + " not recovered");
                return false;
            }
            if (job.effect() != null) {
                deliverFinished(job, script, bound);
                return true;
            }
            final String refusal = job.kind() == io.trawl.async.job.JobKind.SCHEDULE
                ? submitter.schedule(script, bound.task(), null, bound.handler(), bound.state(), job.payload(), job.id())
                : submitter.resubmit(job, script, null, null);
            if (refusal != null) {
                notRecovered("trawl: recovered T.async job " + job.id() + ": " + refusal);
                return false;
            }
            recovering++;
            return true;
        } catch (final Exception e) {
            notRecovered("trawl: T.async job " + job.id() + " of " + job.script() + " not recovered: " + e.getMessage());
            return false;
        }
    }

    /** Logs why a recovered job cannot run: the first {@value #NOT_RECOVERED_LOGGED} lines, then a count. */
    private void notRecovered(final String line) {
        if (++notRecovered <= NOT_RECOVERED_LOGGED) {
            console.warn(line);
        }
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
        return !recoverySubmitted || recovering > 0;
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
        if (submitter.outstanding() == 0) {
            publish();
            return true;
        }
        return false;
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

package io.trawl.async.exec;

import io.trawl.async.files.FileOperations;
import io.trawl.async.files.PathPolicy;
import io.trawl.async.files.PathRefusedException;
import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.Outcome;
import org.agrona.concurrent.Agent;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.io.IOException;
import java.util.Queue;

/**
 * A T.async worker of one script: takes batches from the conductor, runs them (file operations itself,
 * {@code schedule} through its {@link TaskRunner}), posts every finished job to the completion queue of
 * the pipeline that submitted it, and tells the conductor the batch is done.
 *
 * <p>Threading: its own agent thread. {@link #interruptIfRunning} is called by the conductor.
 */
public final class Worker implements Agent {
    private final String name;
    private final int index;
    private final ScriptAsync script;
    private final TaskRunner runner;
    private final PathPolicy paths;
    private final FileOperations files = new FileOperations();
    private final Queue<AsyncJob> inbound;
    private final Queue<AsyncJob> done;
    private final Queue<AsyncJob>[] completions;
    /** Pipeline → worker, for jobs that touch no path (schedule): they need no ordering. */
    private final Queue<AsyncJob>[] direct;
    private int nextDirect;

    private volatile AsyncJob running;
    private volatile long runningSince;
    private volatile boolean interrupted;
    /** Written by the conductor only. */
    int inFlight;

    @SuppressWarnings("unchecked")
    Worker(final int index, final ScriptAsync script, final TaskRunner runner, final PathPolicy paths, final int pipelines,
           final int queueCapacity) {
        this.index = index;
        this.name = "async-" + script.name() + "-" + index;
        this.script = script;
        this.runner = runner;
        this.paths = paths;
        this.inbound = new SpscVarHandleArrayQueue<>(queueCapacity);
        this.done = new SpscVarHandleArrayQueue<>(queueCapacity);
        this.completions = new Queue[pipelines];
        this.direct = new Queue[pipelines];
        for (int p = 0; p < pipelines; p++) {
            completions[p] = new SpscVarHandleArrayQueue<>(queueCapacity);
            direct[p] = new SpscVarHandleArrayQueue<>(queueCapacity);
        }
    }

    public int index() {
        return index;
    }

    public ScriptAsync script() {
        return script;
    }

    /** Conductor → worker. */
    boolean offer(final AsyncJob batch) {
        return inbound.offer(batch);
    }

    /** Worker → conductor: finished batches. */
    AsyncJob pollDone() {
        return done.poll();
    }

    /** Pipeline {@code p} → worker: jobs without paths, bypassing the conductor (that pipeline offers only). */
    public Queue<AsyncJob> direct(final int pipeline) {
        return direct[pipeline];
    }

    /** Worker → pipeline {@code p}: finished jobs (drained by that pipeline only). */
    public Queue<AsyncJob> completions(final int pipeline) {
        return completions[pipeline];
    }

    @Override
    public int doWork() {
        final AsyncJob batch = inbound.poll();
        if (batch == null) {
            return runDirect();
        }
        if (batch.kind() == io.trawl.async.job.JobKind.COPYBUFFER) {
            runCopyBuffers(batch);
        } else {
            for (AsyncJob job = batch; job != null; job = job.batchNext) {
                run(job);
            }
        }
        for (AsyncJob job = batch; job != null; ) {
            final AsyncJob next = job.batchNext;
            post(completions[job.pipeline()], job);
            job = next;
        }
        post(done, batch);
        return 1;
    }

    /** One job from the pipelines' direct queues, round-robin; finished jobs go straight back. */
    private int runDirect() {
        for (int i = 0; i < direct.length; i++) {
            final int p = nextDirect;
            nextDirect = p + 1 == direct.length ? 0 : p + 1;
            final AsyncJob job = direct[p].poll();
            if (job != null) {
                run(job);
                post(completions[job.pipeline()], job);
                return 1;
            }
        }
        return 0;
    }

    private void runCopyBuffers(final AsyncJob batch) {
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            job.start();
        }
        try {
            paths.checkReal("copybuffer", batch.target());
            files.copyBuffers(batch);
            for (AsyncJob job = batch; job != null; job = job.batchNext) {
                job.finish(Outcome.COMPLETED, null, null, job.byteCount());
            }
        } catch (final PathRefusedException e) {
            for (AsyncJob job = batch; job != null; job = job.batchNext) {
                job.finish(Outcome.REFUSED, null, e.getMessage(), 0);
            }
        } catch (final IOException e) {
            final String message = "T.async:copybuffer " + batch.target() + ": " + FileOperations.describe(e);
            for (AsyncJob job = batch; job != null; job = job.batchNext) {
                job.finish(Outcome.FAILED, null, message, 0);
            }
        }
    }

    private void run(final AsyncJob job) {
        job.start();
        try {
            switch (job.kind()) {
                case CAT -> {
                    paths.checkReal("cat", job.source());
                    paths.checkReal("cat", job.target());
                    job.finish(Outcome.COMPLETED, null, null, files.cat(job.source(), job.target()));
                }
                case COPY -> {
                    paths.checkReal("copy", job.source());
                    paths.checkReal("copy", job.target());
                    job.finish(Outcome.COMPLETED, null, null, files.copy(job.source(), job.target(), job.id()));
                }
                case RM -> {
                    paths.checkReal("rm", job.target());
                    files.remove(job.target());
                    job.finish(Outcome.COMPLETED, null, null, 0);
                }
                case SCHEDULE -> schedule(job);
                case COPYBUFFER -> throw new IllegalStateException("copybuffer jobs run as batches");
            }
        } catch (final PathRefusedException e) {
            job.finish(Outcome.REFUSED, null, e.getMessage(), 0);
        } catch (final IOException e) {
            job.finish(Outcome.FAILED, null, "T.async:" + job.kind().method() + ": " + FileOperations.describe(e), 0);
        }
    }

    private void schedule(final AsyncJob job) {
        interrupted = false;
        runningSince = System.nanoTime();
        running = job;
        try {
            final String result = runner.run(job.task());
            job.finish(interrupted ? Outcome.TIMED_OUT : Outcome.COMPLETED, interrupted ? null : result,
                interrupted ? "onexecute timed out" : null, 0);
        } catch (final Exception | StackOverflowError e) {
            if (interrupted) {
                job.finish(Outcome.TIMED_OUT, null, "onexecute timed out", 0);
            } else {
                job.finish(Outcome.FAILED, null, e.getMessage() == null ? e.toString() : e.getMessage(), 0);
            }
        } finally {
            running = null;
        }
    }

    private static void post(final Queue<AsyncJob> queue, final AsyncJob job) {
        // The consumer (a pipeline or the conductor) drains every duty cycle; a full queue only delays
        // this worker, never the fast path.
        while (!queue.offer(job)) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /**
     * Conductor: stops the running schedule job if it has run longer than {@code limitNanos}.
     *
     * @return true when an interrupt was sent
     */
    boolean interruptIfRunning(final long now, final long limitNanos) {
        final AsyncJob job = running;
        if (job == null || interrupted || now - runningSince <= limitNanos) {
            return false;
        }
        interrupted = true;
        runner.interrupt();
        return true;
    }

    @Override
    public void onClose() {
        runner.close();
    }

    @Override
    public String roleName() {
        return name;
    }
}

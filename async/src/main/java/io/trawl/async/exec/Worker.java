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
    private final int id;
    private final ScriptAsync script;
    private final TaskRunner runner;
    private final PathPolicy paths;
    private final FileOperations files = new FileOperations();
    private final io.trawl.async.journal.WorkerJournal journal;
    /** Journals a copybuffer batch's append offsets as one record, before any byte of it is written. */
    private final FileOperations.JobIntent intents = new FileOperations.JobIntent() {
        @Override
        public void at(final AsyncJob job, final long offset) {
            intentIds[intentCount] = job.id();
            intentOffsets[intentCount++] = offset;
        }

        @Override
        public void done() {
            journal.intents(intentIds, intentOffsets, intentCount);
            intentCount = 0;
        }
    };
    private final long[] intentIds = new long[GATHER];
    private final long[] intentOffsets = new long[GATHER];
    private int intentCount;
    private final long[] effectIds = new long[GATHER];
    private final Queue<AsyncJob> inbound;
    private final Queue<AsyncJob> done;
    private final Queue<AsyncJob>[] completions;
    /** Pipeline → worker, for jobs that touch no path (schedule): they need no ordering. */
    private final Queue<AsyncJob>[] direct;
    private int nextDirect;

    private static final int GATHER = 4096;
    private final AsyncJob[] gathered = new AsyncJob[GATHER];
    private final AsyncJob[] heads = new AsyncJob[4096];
    private final OpenFiles openFiles;
    /** When this worker last did something (for closing its files once idle). */
    private long lastWorkNanos;
    private static final long CLOSE_FILES_WHEN_IDLE_NANOS = 50_000_000L;
    private volatile AsyncJob running;
    private volatile long runningSince;
    private volatile boolean interrupted;
    /** Written by the conductor only. */
    int inFlight;
    /** Conductor thread only: jobs in those batches. */
    int inFlightJobs;

    @SuppressWarnings("unchecked")
    Worker(final int id, final int index, final ScriptAsync script, final TaskRunner runner, final PathPolicy paths, final int pipelines,
           final int queueCapacity, final io.trawl.async.journal.WorkerJournal journal) {
        this.journal = journal;
        this.id = id;
        this.index = index;
        this.name = "async-" + script.name() + "-" + index;
        this.script = script;
        this.runner = runner;
        this.paths = paths;
        this.openFiles = new OpenFiles(files, paths);
        this.inbound = new SpscVarHandleArrayQueue<>(queueCapacity);
        this.done = new SpscVarHandleArrayQueue<>(queueCapacity);
        this.completions = new Queue[pipelines];
        this.direct = new Queue[pipelines];
        for (int p = 0; p < pipelines; p++) {
            completions[p] = new SpscVarHandleArrayQueue<>(queueCapacity);
            direct[p] = new SpscVarHandleArrayQueue<>(queueCapacity);
        }
    }

    /** Index among its script's workers. */
    public int index() {
        return index;
    }

    /** Index among all workers of the run. */
    public int id() {
        return id;
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
        // A one-worker script is FIFO: a job a pipeline gave straight to this worker was submitted before any
        // job of that pipeline now coming through the conductor (it goes direct only when none is there).
        if (script.workers() == 1 && runDirect() > 0) {
            lastWorkNanos = System.nanoTime();
            return 1;
        }
        final AsyncJob batch = inbound.poll();
        if (batch == null) {
            final int work = runDirect();
            if (work == 0 && !openFiles.isEmpty()) {
                final long now = System.nanoTime();
                if (now - lastWorkNanos > CLOSE_FILES_WHEN_IDLE_NANOS) {
                    openFiles.close();
                }
            } else if (work > 0) {
                lastWorkNanos = System.nanoTime();
            }
            return work;
        }
        lastWorkNanos = System.nanoTime();
        if (batch.kind() == io.trawl.async.job.JobKind.COPYBUFFER) {
            runCopyBuffers(batch);
            return 1;
        }
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            run(job);
            journalEffect(job);
        }
        for (AsyncJob job = batch; job != null; ) {
            final AsyncJob next = job.batchNext;
            post(completions[job.pipeline()], job);
            job = next;
        }
        post(done, batch);
        return 1;
    }

    /** The job's effects are done (or failed): journaled before anyone hears of it. */
    private void journalEffect(final AsyncJob job) {
        if (journal != null) {
            journal.effect(job.id(), job.outcome(), job.result(), job.error());
        }
    }

    /** One job from the pipelines' direct queues, round-robin; finished jobs go straight back. */
    private int runDirect() {
        for (int i = 0; i < direct.length; i++) {
            final int p = nextDirect;
            nextDirect = p + 1 == direct.length ? 0 : p + 1;
            final AsyncJob job = direct[p].poll();
            if (job != null) {
                run(job);
                journalEffect(job);
                post(completions[job.pipeline()], job);
                return 1;
            }
        }
        return 0;
    }

    /**
     * Writes a copybuffer batch, together with the batches queued right behind it for the same file
     * (the conductor streams one file's writes to one worker), as few gathering writes as positions
     * allow; then reports every job and every batch.
     */
    private void runCopyBuffers(final AsyncJob batch) {
        final java.nio.file.Path target = batch.target();
        int jobs = 0;
        int batches = 0;
        AsyncJob head = batch;
        while (true) {
            heads[batches++] = head;
            for (AsyncJob job = head; job != null; job = job.batchNext) {
                gathered[jobs++] = job;
            }
            final AsyncJob next = inbound.peek();
            if (next == null || next.kind() != io.trawl.async.job.JobKind.COPYBUFFER || !next.target().equals(target)
                || batches == heads.length || jobs + 512 > gathered.length) {
                break;
            }
            head = inbound.poll();
        }
        final long started = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            gathered[i].start(started);
        }
        Outcome outcome = Outcome.COMPLETED;
        String error = null;
        try {
            files.copyBuffers(gathered, jobs, openFiles.channel(target), journal == null ? null : intents);
        } catch (final PathRefusedException e) {
            outcome = Outcome.REFUSED;
            error = e.getMessage();
        } catch (final IOException e) {
            outcome = Outcome.FAILED;
            error = "T.async:copybuffer " + target + ": " + FileOperations.describe(e);
            openFiles.close(target);
        }
        intentCount = 0; // (a refusal before any offset was journaled)
        final long finished = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            final AsyncJob job = gathered[i];
            job.finish(outcome, null, error, outcome == Outcome.COMPLETED ? job.byteCount() : 0, finished);
            effectIds[i] = job.id();
        }
        if (journal != null) {
            journal.effects(effectIds, jobs, outcome, error); // one record, before anyone hears of them
        }
        for (int i = 0; i < jobs; i++) {
            final AsyncJob job = gathered[i];
            gathered[i] = null;
            post(completions[job.pipeline()], job);
        }
        for (int i = 0; i < batches; i++) {
            post(done, heads[i]);
            heads[i] = null;
        }
    }

    private void run(final AsyncJob job) {
        job.start();
        try {
            switch (job.kind()) {
                case CAT -> {
                    paths.checkReal("cat", job.source());
                    paths.checkReal("cat", job.target());
                    job.finish(Outcome.COMPLETED, null, null, files.cat(job.source(), job.target(),
                        journal == null ? null : offset -> journal.intent(job.id(), offset), job.recoveredIntent));
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
        openFiles.close();
        runner.close();
    }

    @Override
    public String roleName() {
        return name;
    }
}

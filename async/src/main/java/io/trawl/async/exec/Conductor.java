package io.trawl.async.exec;

import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.JobKind;
import org.agrona.concurrent.Agent;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Orders T.async jobs and hands them to workers. Every path has a FIFO of the jobs that touch it (as
 * source or destination) and have not been dispatched, in the order the conductor received them, plus
 * how many of its dispatched jobs are still running and on which worker. A job may be dispatched when it
 * is at the head of every FIFO it is in and each of its paths is either idle or busy only on one and the
 * same worker — it then goes to that worker, whose queue runs jobs in order. So operations on a common
 * path take effect in submission order, a stream of writes to one file flows to one worker without a
 * round trip per job, and jobs on different paths run in parallel (no cycle can form: the earliest
 * waiting job is at the head of all its FIFOs). A dispatched run of consecutive copybuffer jobs to the same
 * file travels as one batch, so the worker writes them together. A {@code schedule} comes here when its
 * data or captured strings name paths (ordered with the file operations on them), or, for a one-worker
 * script, while that pipeline still has jobs here (so the single worker stays FIFO); other schedules go
 * straight from the pipeline to a worker. A worker holds at most {@link #MAX_IN_FLIGHT} batches (once it
 * also holds {@link #MIN_JOBS_IN_FLIGHT} jobs); beyond that, ready jobs wait here in order, and writes to
 * one file gather meanwhile, so a busy worker gets large batches. The conductor also enforces the
 * onexecute time limit.
 *
 * <p>Threading: its own agent thread; it alone touches the path state (single writer). Pipelines reach
 * it through one SPSC submission queue each, workers through their done queues.
 */
public final class Conductor implements Agent {
    private static final int MAX_BATCH_JOBS = 512;
    private static final long MAX_BATCH_BYTES = 8L << 20;
    private static final long TIMEOUT_CHECK_NANOS = 5_000_000L;
    private static final int NO_WORKER = -1;
    private static final int WAIT_PATH = -2;
    private static final int WAIT_CAPACITY = -3;
    /**
     * Most batches a worker holds (queued or running) once it also holds {@link #MIN_JOBS_IN_FLIGHT} jobs.
     * More jobs wait here, in their paths' FIFOs, where writes to one file gather into larger batches
     * instead of trickling to the worker one by one.
     */
    static final int MAX_IN_FLIGHT = 8;
    /**
     * A worker is never held back with fewer jobs than this: small batches (a schedule is a batch of one)
     * must keep it busy longer than this thread takes to wake from its idle strategy (up to 1 ms), or the
     * worker would idle between rounds of 8 one-job batches.
     */
    static final int MIN_JOBS_IN_FLIGHT = 64;

    /** The ordering state of one path. */
    private static final class PathState {
        final ArrayDeque<AsyncJob> waiting = new ArrayDeque<>();
        int running;
        int worker = NO_WORKER;
    }

    private final Queue<AsyncJob>[] submissions;
    private final Worker[][] workersByScript;
    private final Worker[] allWorkers;
    private final long timeoutNanos;
    private final Map<Path, PathState> paths = new HashMap<>();
    private final ArrayDeque<AsyncJob> undispatched = new ArrayDeque<>();
    /** Per pipeline and one-worker script: its schedule gate (null for scripts with more workers). */
    private final ScheduleGate[][] gates;
    /** Per script: jobs that may run but whose worker is full, in the order they became ready. */
    private final ArrayDeque<AsyncJob>[] waitingForCapacity;
    private AsyncJob[] admitted = new AsyncJob[4096];
    private int admittedCount;
    private long lastTimeoutCheck;
    private long timeouts;
    private volatile long batches;
    private volatile long batchedJobs;

    @SuppressWarnings("unchecked")
    public Conductor(final Queue<AsyncJob>[] submissions, final Worker[][] workersByScript, final long timeoutNanos) {
        this.submissions = submissions.clone();
        this.workersByScript = workersByScript;
        this.allWorkers = java.util.Arrays.stream(workersByScript).flatMap(java.util.Arrays::stream).toArray(Worker[]::new);
        this.timeoutNanos = timeoutNanos;
        this.gates = new ScheduleGate[submissions.length][workersByScript.length];
        for (final ScheduleGate[] perPipeline : gates) {
            for (int script = 0; script < workersByScript.length; script++) {
                perPipeline[script] = workersByScript[script].length == 1 ? new ScheduleGate() : null;
            }
        }
        this.waitingForCapacity = new ArrayDeque[workersByScript.length];
        for (int i = 0; i < workersByScript.length; i++) {
            waitingForCapacity[i] = new ArrayDeque<>();
        }
    }

    @Override
    public int doWork() {
        int work = 0;
        for (final Worker worker : allWorkers) {
            AsyncJob batch;
            while ((batch = worker.pollDone()) != null) {
                worker.inFlight--;
                worker.inFlightJobs -= batch.batchSize;
                finished(batch);
                work++;
            }
        }
        // Admit everything that arrived first, then dispatch: jobs for one file that arrived together
        // leave together as one batch.
        for (final Queue<AsyncJob> submission : submissions) {
            for (int i = 0; i < 4096; i++) {
                final AsyncJob job = submission.poll();
                if (job == null) {
                    break;
                }
                admit(job);
                work++;
            }
        }
        for (int i = 0; i < admittedCount; i++) {
            final AsyncJob job = admitted[i];
            admitted[i] = null;
            if (!job.dispatched) {
                tryDispatch(job);
            }
        }
        admittedCount = 0;
        while (!undispatched.isEmpty() && send(undispatched.peekFirst(), undispatched.peekFirst().worker)) {
            undispatched.pollFirst();
            work++;
        }
        final long now = System.nanoTime();
        if (now - lastTimeoutCheck > TIMEOUT_CHECK_NANOS) {
            lastTimeoutCheck = now;
            for (final Worker worker : allWorkers) {
                if (worker.interruptIfRunning(now, timeoutNanos)) {
                    timeouts++;
                }
            }
        }
        return work;
    }

    private void admit(final AsyncJob job) {
        final ScheduleGate gate = gates[job.pipeline()][job.script()];
        if (gate != null) {
            gate.admit(job);
        }
        // Jobs without paths wait their turn in the admitted list too, so a single worker sees every
        // job in the order the conductor received them.
        for (final Path path : job.paths) {
            paths.computeIfAbsent(path, p -> new PathState()).waiting.addLast(job);
        }
        if (admittedCount == admitted.length) {
            admitted = java.util.Arrays.copyOf(admitted, admitted.length * 2);
        }
        admitted[admittedCount++] = job;
    }

    /**
     * Where {@code job} may run now: a worker, or {@link #WAIT_PATH} (not at the head of one of its paths'
     * FIFOs, or a path busy on another worker: retried when that path frees up), or {@link #WAIT_CAPACITY}
     * (the worker it must or would go to has {@link #MAX_IN_FLIGHT} batches and {@link #MIN_JOBS_IN_FLIGHT}
     * jobs already).
     */
    private int placement(final AsyncJob job) {
        int worker = NO_WORKER;
        for (final Path path : job.paths) {
            final PathState state = paths.get(path);
            if (state.waiting.peekFirst() != job) {
                return WAIT_PATH;
            }
            if (state.running > 0) {
                if ((worker != NO_WORKER && worker != state.worker) || allWorkers[state.worker].script().index() != job.script()) {
                    return WAIT_PATH; // its paths are busy on other workers: wait until they are idle
                }
                worker = state.worker;
            }
        }
        if (worker == NO_WORKER) {
            worker = leastBusy(job.script());
        }
        final Worker target = allWorkers[worker];
        return target.inFlight >= MAX_IN_FLIGHT && target.inFlightJobs >= MIN_JOBS_IN_FLIGHT ? WAIT_CAPACITY : worker;
    }

    /** Dispatches {@code job} (and copybuffer followers) if it may run now; else it waits (path or capacity). */
    private void tryDispatch(final AsyncJob job) {
        if (job.dispatched || job.waitingForCapacity || job.heldByGate) {
            return; // retried from its script's capacity queue or its gate, in order
        }
        final ScheduleGate gate = gates[job.pipeline()][job.script()];
        if (gate != null && !gate.open(job)) {
            job.heldByGate = true;
            gate.held.addLast(job);
            return;
        }
        final int placement = placement(job);
        if (placement == WAIT_PATH) {
            return;
        }
        final ArrayDeque<AsyncJob> blocked = waitingForCapacity[job.script()];
        if (placement == WAIT_CAPACITY || !blocked.isEmpty()) {
            // behind the jobs already waiting for a worker of the script, so a one-worker script stays FIFO
            job.waitingForCapacity = true;
            blocked.addLast(job);
            return;
        }
        dispatchAt(job, placement);
    }

    /** A worker of {@code script} has room again: dispatches the jobs waiting for one, in order. */
    private void retryWaitingForCapacity(final int script) {
        final ArrayDeque<AsyncJob> blocked = waitingForCapacity[script];
        while (!blocked.isEmpty()) {
            final AsyncJob job = blocked.peekFirst();
            if (job.dispatched) {
                blocked.pollFirst(); // (left earlier as a follower in a copybuffer batch)
                job.waitingForCapacity = false;
                continue;
            }
            final int placement = placement(job);
            if (placement == WAIT_CAPACITY) {
                return;
            }
            blocked.pollFirst();
            job.waitingForCapacity = false;
            if (placement != WAIT_PATH) {
                dispatchAt(job, placement); // (a WAIT_PATH job is retried when its path frees up)
            }
        }
    }

    /** Dispatches {@code job} to {@code worker} with the copybuffer jobs right behind it for the same file. */
    private void dispatchAt(final AsyncJob job, final int worker) {
        AsyncJob tail = job;
        int jobs = 1;
        long bytes = job.byteCount();
        take(job, worker);
        if (job.kind() == JobKind.COPYBUFFER && job.paths.length == 1) {
            final PathState state = paths.get(job.paths[0]);
            while (jobs < MAX_BATCH_JOBS && bytes < MAX_BATCH_BYTES) {
                final AsyncJob next = state.waiting.peekFirst();
                if (next == null || next.kind() != JobKind.COPYBUFFER || next.paths.length != 1 || next.script() != job.script()) {
                    break;
                }
                if (workersByScript[job.script()].length == 1
                    && (next.pipeline() != job.pipeline() || next.lastScheduleSeq > job.conductorSeq)) {
                    // A one-worker script is FIFO: a write may join only if no schedule (whose reads are not
                    // known) came between; file operations on other paths cannot observe the difference.
                    break;
                }
                take(next, worker);
                tail.batchNext = next;
                tail = next;
                jobs++;
                bytes += next.byteCount();
            }
        }
        final int chosen = dispatch(job, worker);
        final ScheduleGate gate = gates[job.pipeline()][job.script()];
        boolean opened = false;
        for (AsyncJob j = job; j != null; j = j.batchNext) {
            for (final Path path : j.paths) {
                paths.get(path).worker = chosen;
            }
            if (gate != null) {
                opened |= gate.dispatched(j);
            }
        }
        if (opened) {
            release(gate);
        }
    }

    /** The gate opened further: the jobs it held go on, in order, as far as it is open now. */
    private void release(final ScheduleGate gate) {
        if (gate.releasing) {
            return; // the outer release goes on with what this dispatch opened
        }
        gate.releasing = true;
        try {
            while (!gate.held.isEmpty()) {
                final AsyncJob job = gate.held.peekFirst();
                if (!job.dispatched && !gate.open(job)) {
                    break;
                }
                gate.held.pollFirst();
                job.heldByGate = false;
                if (!job.dispatched) {
                    tryDispatch(job);
                } // (else it already left as a follower in an earlier job's copybuffer batch)
            }
        } finally {
            gate.releasing = false;
        }
    }

    /** Removes a job from the head of its paths' FIFOs and counts it as running there. */
    private void take(final AsyncJob job, final int worker) {
        job.dispatched = true;
        for (final Path path : job.paths) {
            final PathState state = paths.get(path);
            state.waiting.pollFirst();
            state.running++;
        }
    }

    /** Hands a batch to {@code worker}, or to the least busy worker of its script; returns the worker. */
    private int dispatch(final AsyncJob batch, final int worker) {
        batch.dispatched = true;
        final int chosen = worker != NO_WORKER ? worker : leastBusy(batch.script());
        batch.worker = chosen;
        int jobs = 0;
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            jobs++;
        }
        batch.batchSize = jobs;
        allWorkers[chosen].inFlight++;
        allWorkers[chosen].inFlightJobs += jobs;
        batches = batches + 1; // single writer
        batchedJobs = batchedJobs + jobs;
        if (!undispatched.isEmpty() || !send(batch, chosen)) {
            undispatched.addLast(batch);
        }
        return chosen;
    }

    /** The least busy worker of a script (a global worker id). */
    private int leastBusy(final int script) {
        final Worker[] workers = workersByScript[script];
        Worker best = workers[0];
        for (final Worker worker : workers) {
            if (worker.inFlight < best.inFlight) {
                best = worker;
            }
        }
        return best.id();
    }

    private boolean send(final AsyncJob batch, final int worker) {
        final Worker target = allWorkers[worker];
        return target.offer(batch);
    }

    /** A batch is done: its paths may free up, and jobs waiting on them may run. */
    private void finished(final AsyncJob batch) {
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            for (final Path path : job.paths) {
                final PathState state = paths.get(path);
                if (--state.running == 0) {
                    state.worker = NO_WORKER;
                    if (state.waiting.isEmpty()) {
                        paths.remove(path);
                    }
                }
            }
        }
        retryWaitingForCapacity(batch.script());
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            for (final Path path : job.paths) {
                final PathState state = paths.get(path);
                if (state != null && state.running == 0) {
                    final AsyncJob next = state.waiting.peekFirst();
                    if (next != null && !next.dispatched) {
                        tryDispatch(next);
                    }
                }
            }
        }
    }

    /** Paths with queued or running jobs (for tests and monitoring). */
    public int busyPaths() {
        return paths.size();
    }

    /** Batches handed to workers so far (any thread). */
    public long batches() {
        return batches;
    }

    /** Jobs in those batches (any thread). */
    public long batchedJobs() {
        return batchedJobs;
    }

    /** Timeouts enforced so far. */
    public long timeouts() {
        return timeouts;
    }

    @Override
    public String roleName() {
        return "async-conductor";
    }

    /** Every worker, in script order. */
    public List<Worker> workers() {
        return List.of(allWorkers);
    }
}

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
 * straight from the pipeline to a worker. The conductor also enforces the onexecute time limit.
 *
 * <p>Threading: its own agent thread; it alone touches the path state (single writer). Pipelines reach
 * it through one SPSC submission queue each, workers through their done queues.
 */
public final class Conductor implements Agent {
    private static final int MAX_BATCH_JOBS = 512;
    private static final long MAX_BATCH_BYTES = 8L << 20;
    private static final long TIMEOUT_CHECK_NANOS = 5_000_000L;
    private static final int NO_WORKER = -1;

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
    private AsyncJob[] admitted = new AsyncJob[4096];
    private int admittedCount;
    private long lastTimeoutCheck;
    private long timeouts;
    private volatile long batches;
    private volatile long batchedJobs;

    public Conductor(final Queue<AsyncJob>[] submissions, final Worker[][] workersByScript, final long timeoutNanos) {
        this.submissions = submissions.clone();
        this.workersByScript = workersByScript;
        this.allWorkers = java.util.Arrays.stream(workersByScript).flatMap(java.util.Arrays::stream).toArray(Worker[]::new);
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public int doWork() {
        int work = 0;
        for (final Worker worker : allWorkers) {
            AsyncJob batch;
            while ((batch = worker.pollDone()) != null) {
                worker.inFlight--;
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

    /** Dispatches {@code job} (and copybuffer followers) if it may run now. */
    private void tryDispatch(final AsyncJob job) {
        int worker = NO_WORKER;
        for (final Path path : job.paths) {
            final PathState state = paths.get(path);
            if (state.waiting.peekFirst() != job) {
                return;
            }
            if (state.running > 0) {
                if ((worker != NO_WORKER && worker != state.worker) || allWorkers[state.worker].script().index() != job.script()) {
                    return; // its paths are busy on other workers: wait until they are idle
                }
                worker = state.worker;
            }
        }
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
        for (AsyncJob j = job; j != null; j = j.batchNext) {
            for (final Path path : j.paths) {
                paths.get(path).worker = chosen;
            }
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
        long jobs = 0;
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            jobs++;
        }
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
        if (!target.offer(batch)) {
            return false;
        }
        target.inFlight++;
        return true;
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

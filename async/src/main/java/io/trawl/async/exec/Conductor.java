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
 * source or destination), in the order the conductor received them; a job runs when it is at the head
 * of every FIFO it is in, so operations on a common path take effect in submission order while jobs on
 * different paths run in parallel (and no cycle can form: the earliest waiting job is at the head of all
 * its FIFOs). A job at the head of a path's FIFO takes the run of copybuffer jobs queued right behind it
 * for the same file along as one batch, so a worker writes them together. Jobs without paths
 * ({@code schedule}) go straight to the least busy worker of their script. The conductor also enforces
 * the onexecute time limit.
 *
 * <p>Threading: its own agent thread; it alone touches the path FIFOs (single writer). Pipelines reach
 * it through one SPSC submission queue each, workers through their done queues.
 */
public final class Conductor implements Agent {
    private static final int MAX_BATCH_JOBS = 512;
    private static final long MAX_BATCH_BYTES = 8L << 20;
    private static final long TIMEOUT_CHECK_NANOS = 5_000_000L;

    private final Queue<AsyncJob>[] submissions;
    private final Worker[][] workersByScript;
    private final Worker[] allWorkers;
    private final long timeoutNanos;
    private final Map<Path, ArrayDeque<AsyncJob>> fifos = new HashMap<>();
    private final ArrayDeque<AsyncJob> undispatched = new ArrayDeque<>();
    private long lastTimeoutCheck;
    private long timeouts;

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
        for (final Queue<AsyncJob> submission : submissions) {
            for (int i = 0; i < 256; i++) {
                final AsyncJob job = submission.poll();
                if (job == null) {
                    break;
                }
                admit(job);
                work++;
            }
        }
        while (!undispatched.isEmpty() && send(undispatched.peekFirst())) {
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
        if (job.paths.length == 0) {
            dispatch(job);
            return;
        }
        for (final Path path : job.paths) {
            fifos.computeIfAbsent(path, p -> new ArrayDeque<>()).addLast(job);
        }
        if (runnable(job)) {
            dispatchWithFollowers(job);
        }
    }

    private boolean runnable(final AsyncJob job) {
        if (job.dispatched) {
            return false;
        }
        for (final Path path : job.paths) {
            if (fifos.get(path).peekFirst() != job) {
                return false;
            }
        }
        return true;
    }

    private void dispatchWithFollowers(final AsyncJob head) {
        if (head.kind() == JobKind.COPYBUFFER && head.paths.length == 1) {
            final ArrayDeque<AsyncJob> fifo = fifos.get(head.paths[0]);
            AsyncJob tail = head;
            int jobs = 1;
            long bytes = head.byteCount();
            final var iterator = fifo.iterator();
            iterator.next(); // head
            while (iterator.hasNext() && jobs < MAX_BATCH_JOBS && bytes < MAX_BATCH_BYTES) {
                final AsyncJob next = iterator.next();
                if (next.kind() != JobKind.COPYBUFFER || next.paths.length != 1 || next.script() != head.script()) {
                    break;
                }
                next.dispatched = true;
                tail.batchNext = next;
                tail = next;
                jobs++;
                bytes += next.byteCount();
            }
        }
        dispatch(head);
    }

    private void dispatch(final AsyncJob batch) {
        batch.dispatched = true;
        if (!undispatched.isEmpty() || !send(batch)) {
            undispatched.addLast(batch);
        }
    }

    /** Hands a batch to the least busy worker of its script. */
    private boolean send(final AsyncJob batch) {
        final Worker[] workers = workersByScript[batch.script()];
        Worker best = workers[0];
        for (final Worker worker : workers) {
            if (worker.inFlight < best.inFlight) {
                best = worker;
            }
        }
        if (!best.offer(batch)) {
            return false;
        }
        best.inFlight++;
        batch.worker = best.index();
        return true;
    }

    /** A batch is done: its jobs leave their FIFOs and the next jobs there may run. */
    private void finished(final AsyncJob batch) {
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            for (final Path path : job.paths) {
                final ArrayDeque<AsyncJob> fifo = fifos.get(path);
                fifo.remove(job); // the head in all but pathological orders
                if (fifo.isEmpty()) {
                    fifos.remove(path);
                }
            }
        }
        for (AsyncJob job = batch; job != null; job = job.batchNext) {
            for (final Path path : job.paths) {
                final ArrayDeque<AsyncJob> fifo = fifos.get(path);
                if (fifo != null) {
                    final AsyncJob next = fifo.peekFirst();
                    if (runnable(next)) {
                        dispatchWithFollowers(next);
                    }
                }
            }
        }
    }

    /** Paths with queued or running jobs (for tests and monitoring). */
    public int busyPaths() {
        return fifos.size();
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

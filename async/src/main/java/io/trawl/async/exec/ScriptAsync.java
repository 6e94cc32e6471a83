package io.trawl.async.exec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-script state every thread shares: queue bounds (pending jobs and staged bytes, checked by the
 * submitting pipeline with one atomic add each), outcome counters, and the distinct-error log.
 */
public final class ScriptAsync {
    private final int index;
    private final String name;
    private final int workers;
    private final long maxJobs;
    private final long maxBytes;
    final AtomicLong pendingJobs = new AtomicLong();
    final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong pendingMax = new AtomicLong();
    final LongAdder submitted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    private final Map<String, Long> errors = new LinkedHashMap<>();

    public ScriptAsync(final int index, final String name, final int workers, final long maxJobs, final long maxBytes) {
        this.index = index;
        this.name = name;
        this.workers = workers;
        this.maxJobs = maxJobs;
        this.maxBytes = maxBytes;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public int workers() {
        return workers;
    }

    /**
     * Reserves room for a job (and its staged bytes). Any thread; never waits.
     *
     * @return false when the script's queue is full (the caller counts the rejection)
     */
    public boolean tryReserve(final long bytes) {
        final long jobs = pendingJobs.incrementAndGet();
        if (jobs > maxJobs) {
            pendingJobs.decrementAndGet();
            return false;
        }
        if (bytes > 0 && pendingBytes.addAndGet(bytes) > maxBytes) {
            pendingBytes.addAndGet(-bytes);
            pendingJobs.decrementAndGet();
            return false;
        }
        long max = pendingMax.get();
        while (jobs > max && !pendingMax.compareAndSet(max, jobs)) {
            max = pendingMax.get();
        }
        return true;
    }

    /** Frees what {@link #tryReserve} reserved, when the job's completion was delivered. */
    public void release(final long bytes) {
        pendingJobs.decrementAndGet();
        if (bytes > 0) {
            pendingBytes.addAndGet(-bytes);
        }
    }

    /** Jobs not yet finished (T.async.pending_items()). */
    public long pendingJobs() {
        return pendingJobs.get();
    }

    public void countSubmitted() {
        submitted.increment();
    }

    public void countRejected() {
        rejected.increment();
    }

    public void countRefused() {
        refused.increment();
    }

    public void countCompleted(final long written) {
        completed.increment();
        bytesWritten.add(written);
    }

    public void countFailed() {
        failed.increment();
    }

    public void countTimedOut() {
        timedOut.increment();
    }

    /**
     * Records an error message; returns true the first time this exact message is seen (log it then).
     * Any thread.
     */
    public boolean recordError(final String message) {
        synchronized (errors) {
            final Long seen = errors.get(message);
            errors.put(message, seen == null ? 1 : seen + 1);
            return seen == null;
        }
    }

    /** The summary.json section of this script. */
    public Map<String, Object> toMap() {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("workers", workers);
        out.put("submitted", submitted.sum());
        out.put("completed", completed.sum());
        out.put("failed", failed.sum());
        out.put("rejected", rejected.sum());
        out.put("timed_out", timedOut.sum());
        out.put("refused", refused.sum());
        out.put("pending_max", pendingMax.get());
        out.put("bytes_written", bytesWritten.sum());
        synchronized (errors) {
            if (!errors.isEmpty()) {
                out.put("errors", new LinkedHashMap<>(errors));
            }
        }
        return out;
    }

    public long submitted() {
        return submitted.sum();
    }

    public long completed() {
        return completed.sum();
    }

    public long failed() {
        return failed.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    public long timedOut() {
        return timedOut.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long pendingMax() {
        return pendingMax.get();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }
}

package io.trawl.async.exec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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
    // Outcome counters, striped per pipeline: pipeline p alone writes its stripe (plain stores, no atomic
    // instruction on the fast path); readers sum the stripes (exact once the pipelines stopped).
    private static final int SUBMITTED = 0;
    private static final int COMPLETED = 1;
    private static final int FAILED = 2;
    private static final int REJECTED = 3;
    private static final int TIMED_OUT = 4;
    private static final int REFUSED = 5;
    private static final int BYTES_WRITTEN = 6;
    private static final int STRIPE = 16; // 128 bytes: stripes of different pipelines never share a cache line
    private final long[] counts;
    private final Map<String, Long> errors = new LinkedHashMap<>();

    private final String path;

    public ScriptAsync(final int index, final String name, final String path, final int workers, final long maxJobs,
                       final long maxBytes, final int pipelines) {
        this.path = path;
        this.counts = new long[(pipelines + 1) * STRIPE];
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

    /** The script file ("" when not a Lua script). */
    public String path() {
        return path;
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
    /** True when a job with {@code bytes} staged fits the bounds now (a hint: no reservation is made). */
    public boolean hasRoom(final long bytes) {
        return pendingJobs.get() < maxJobs && pendingBytes.get() + bytes <= maxBytes;
    }

    public long pendingJobs() {
        return pendingJobs.get();
    }

    public void countSubmitted(final int pipeline) {
        counts[pipeline * STRIPE + SUBMITTED]++;
    }

    public void countRejected(final int pipeline) {
        counts[pipeline * STRIPE + REJECTED]++;
    }

    public void countRefused(final int pipeline) {
        counts[pipeline * STRIPE + REFUSED]++;
    }

    public void countCompleted(final int pipeline, final long written) {
        counts[pipeline * STRIPE + COMPLETED]++;
        counts[pipeline * STRIPE + BYTES_WRITTEN] += written;
    }

    public void countFailed(final int pipeline) {
        counts[pipeline * STRIPE + FAILED]++;
    }

    public void countTimedOut(final int pipeline) {
        counts[pipeline * STRIPE + TIMED_OUT]++;
    }

    /**
     * Pipeline {@code pipeline}'s stripe, for publishing: submitted, completed, failed, rejected, timed out,
     * refused, bytes written, added into {@code into[0..6]}. The pipeline's own thread.
     */
    public void addStripe(final int pipeline, final long[] into) {
        final int base = pipeline * STRIPE;
        into[0] += counts[base + SUBMITTED];
        into[1] += counts[base + COMPLETED];
        into[2] += counts[base + FAILED];
        into[3] += counts[base + REJECTED];
        into[4] += counts[base + TIMED_OUT];
        into[5] += counts[base + REFUSED];
        into[6] += counts[base + BYTES_WRITTEN];
    }

    private long sum(final int counter) {
        long total = 0;
        for (int at = counter; at < counts.length; at += STRIPE) {
            total += counts[at];
        }
        return total;
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
        out.put("submitted", submitted());
        out.put("completed", completed());
        out.put("failed", failed());
        out.put("rejected", rejected());
        out.put("timed_out", timedOut());
        out.put("refused", refused());
        out.put("pending_max", pendingMax.get());
        out.put("bytes_written", bytesWritten());
        synchronized (errors) {
            if (!errors.isEmpty()) {
                out.put("errors", new LinkedHashMap<>(errors));
            }
        }
        return out;
    }

    public long submitted() {
        return sum(SUBMITTED);
    }

    public long completed() {
        return sum(COMPLETED);
    }

    public long failed() {
        return sum(FAILED);
    }

    public long rejected() {
        return sum(REJECTED);
    }

    public long timedOut() {
        return sum(TIMED_OUT);
    }

    public long refused() {
        return sum(REFUSED);
    }

    public long pendingMax() {
        return pendingMax.get();
    }

    public long bytesWritten() {
        return sum(BYTES_WRITTEN);
    }
}

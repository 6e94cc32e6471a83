package io.trawl.capture;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the live sources built on kernel rings (AF_PACKET, AF_XDP) have in common: a fixed description
 * and set of receive queues, no natural end, and kernel counters that stay readable after
 * {@link #close()} (read one last time while closing, before the sockets go).
 *
 * <p>Threading: as {@link CaptureSource}; {@link #drops()}, {@link #statistics()} and {@link #close()}
 * are serialized on this object, so a counter read never races the release of the sockets.
 */
public abstract class LiveCaptureSource implements CaptureSource {
    private final String description;
    private final ReceiveQueue[] queues;
    private boolean closed;
    private Map<String, Long> finalDrops;
    private Map<String, Long> finalStatistics;

    protected LiveCaptureSource(final String description, final ReceiveQueue[] queues) {
        this.description = description;
        this.queues = queues.clone();
    }

    /** The kernel's loss counters now, by cause (called under this object's lock, before close). */
    protected abstract Map<String, Long> readDrops();

    /** Other kernel counters now (called under this object's lock, before close). */
    protected abstract Map<String, Long> readStatistics();

    /** Frees the sockets, rings and programs (called once, under the lock, after the final counters were read). */
    protected abstract void release();

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final int queueCount() {
        return queues.length;
    }

    @Override
    public final ReceiveQueue queue(final int index) {
        return queues[index];
    }

    @Override
    public final boolean isFinite() {
        return false;
    }

    @Override
    public final synchronized Map<String, Long> drops() {
        return closed ? finalDrops : readDrops();
    }

    @Override
    public final synchronized Map<String, Long> statistics() {
        return closed ? finalStatistics : readStatistics();
    }

    /** Reads the final counters, then releases everything. Idempotent. */
    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        finalDrops = Collections.unmodifiableMap(new LinkedHashMap<>(readDrops()));
        finalStatistics = Collections.unmodifiableMap(new LinkedHashMap<>(readStatistics()));
        closed = true;
        release();
    }
}

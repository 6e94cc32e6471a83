package io.trawl.capture;

import io.trawl.bindings.testsupport.VethRig;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A live source under test together with the replay feeding it: the replay starts once the source is open,
 * and {@link #close()} waits for the replay to end (plus a moment for packets still in the kernel's
 * backlog) before closing the source, so no packet of one test leaks into the next.
 */
public final class LiveReplay implements CaptureSource {
    private static final long SETTLE_NANOS = 100_000_000L;

    private final CaptureSource source;
    private final Process replay;

    private LiveReplay(final CaptureSource source, final Process replay) {
        this.source = source;
        this.replay = replay;
    }

    /** Starts replaying {@code capture} through {@code rig} into the already open {@code source}. */
    public static LiveReplay start(final CaptureSource source, final VethRig rig, final Path capture,
                                   final String... tcpreplayOptions) {
        try {
            return new LiveReplay(source, rig.startReplay(capture, tcpreplayOptions));
        } catch (final RuntimeException e) {
            source.close();
            throw e;
        }
    }

    @Override
    public String description() {
        return source.description();
    }

    @Override
    public int queueCount() {
        return source.queueCount();
    }

    @Override
    public ReceiveQueue queue(final int index) {
        return source.queue(index);
    }

    @Override
    public boolean isFinite() {
        return source.isFinite();
    }

    @Override
    public Map<String, Long> drops() {
        return source.drops();
    }

    @Override
    public Map<String, Long> statistics() {
        return source.statistics();
    }

    /** The source under test. */
    public CaptureSource source() {
        return source;
    }

    @Override
    public void close() {
        try {
            if (!replay.waitFor(2, TimeUnit.MINUTES)) {
                replay.destroyForcibly();
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LockSupport.parkNanos(SETTLE_NANOS);
        source.close();
    }
}

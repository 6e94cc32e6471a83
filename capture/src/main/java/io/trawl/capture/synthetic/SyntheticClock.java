package io.trawl.capture.synthetic;

/** Packet time for generated traffic: starts at a given instant and advances by a step per packet. */
public final class SyntheticClock {
    private long nanos;
    private final long stepNanos;

    public SyntheticClock(final long startNanos, final long stepNanos) {
        this.nanos = startNanos;
        this.stepNanos = stepNanos;
    }

    /** The current time, then advance one step. */
    public long next() {
        final long now = nanos;
        nanos += stepNanos;
        return now;
    }

    /** Moves the clock forward. */
    public void advance(final long deltaNanos) {
        nanos += deltaNanos;
    }

    public long now() {
        return nanos;
    }
}

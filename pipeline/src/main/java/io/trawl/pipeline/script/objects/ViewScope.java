package io.trawl.pipeline.script.objects;

/**
 * Tells whether views handed to scripts (Buffer, Layer, Packet) are still valid. Every view records the
 * scope's epoch when it is made; the epoch advances when the outermost callback returns, after which the
 * memory the view points at may be reused (the next packet, the next reassembled chunk), so any use of an
 * old view raises a Lua error instead of reading it.
 *
 * <p>Threading: one per pipeline (or worker), used only by its thread.
 */
public final class ViewScope {
    private long epoch = 1;
    private int depth;

    /** A callback starts (callbacks may nest: a script's call can trigger another script's callback). */
    public void enter() {
        depth++;
    }

    /** A callback ended; when the outermost one ends, every view made so far becomes invalid. */
    public void exit() {
        if (--depth == 0) {
            epoch++;
        }
    }

    /** The epoch to stamp a new view with. */
    public long epoch() {
        return epoch;
    }

    /** True while a view stamped with {@code viewEpoch} may be used. */
    public boolean isValid(final long viewEpoch) {
        return viewEpoch == epoch && depth > 0;
    }
}

package io.trawl.capture.none;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceProvider;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.ReceiveQueue;
import io.trawl.config.TrawlContext;

import java.util.Map;

/**
 * {@code none:} — a source without packets that ends at once. For runs that only finish work a previous
 * run left ({@code trawl recover}: T.async jobs from the journal).
 */
public final class EmptySource implements CaptureSource, ReceiveQueue {
    @Override
    public String description() {
        return "none: (no packets)";
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public ReceiveQueue queue(final int index) {
        return this;
    }

    @Override
    public boolean isFinite() {
        return true;
    }

    @Override
    public Map<String, Long> drops() {
        return Map.of();
    }

    @Override
    public void close() {
    }

    @Override
    public int poll(final PacketHandler handler, final int limit) {
        return END_OF_INPUT;
    }

    @Override
    public boolean packetMemoryOutlivesPoll() {
        return true;
    }

    /** Registers {@code none:}. */
    public static final class Provider implements CaptureSourceProvider {
        @Override
        public String scheme() {
            return "none";
        }

        @Override
        public String usage() {
            return "none: (no packets: only finish what a previous run left)";
        }

        @Override
        public CaptureSource open(final String argument, final TrawlContext context) {
            return new EmptySource();
        }
    }
}

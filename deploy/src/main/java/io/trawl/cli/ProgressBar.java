package io.trawl.cli;

import io.trawl.capture.CaptureSource;
import io.trawl.pipeline.TrawlRun;

import java.util.Locale;

/**
 * Draws replay progress (packets, bytes, rate, ETA) on a daemon thread, five times a second, through
 * the {@link TerminalConsole}. Only for finite sources on a terminal.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 24;

    private final Thread thread;
    private volatile boolean running = true;

    ProgressBar(final TrawlRun run, final TerminalConsole console) {
        this.thread = Thread.ofPlatform().daemon().name("trawl-progress").unstarted(() -> loop(run, console));
    }

    void start() {
        thread.start();
    }

    private void loop(final TrawlRun run, final TerminalConsole console) {
        while (running) {
            console.progress(render(run));
            try {
                Thread.sleep(200);
            } catch (final InterruptedException e) {
                return;
            }
        }
    }

    static String render(final TrawlRun run) {
        final CaptureSource source = run.source();
        final long total = source.progressTotal();
        final long position = Math.max(0, source.progressPosition());
        final double fraction = total > 0 ? Math.min(1.0, (double) position / total) : 0;
        final double seconds = run.elapsedNanos() / 1e9;
        final long packets = run.packets();
        final long bytes = run.bytes();
        final StringBuilder out = new StringBuilder("[");
        final int filled = (int) (fraction * WIDTH);
        out.append("=".repeat(filled)).append(filled < WIDTH ? ">" : "").append(" ".repeat(Math.max(0, WIDTH - filled - 1)));
        out.append(String.format(Locale.ROOT, "] %3d%%  %,d pkts  %s  %s/s", (int) (fraction * 100), packets,
            humanBytes(bytes), seconds > 0 ? rate(packets / seconds) + "pkt" : "-"));
        if (fraction > 0.01 && fraction < 1) {
            final long eta = (long) (seconds / fraction - seconds);
            out.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
        }
        return out.toString();
    }

    static String humanBytes(final long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String rate(final double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ", perSecond);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

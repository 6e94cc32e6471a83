package io.trawl.cli;

import io.trawl.pipeline.RunConsole;

import java.io.PrintStream;

/**
 * The run's console: messages and script output go to stdout/stderr one whole line at a time, and when a
 * progress bar is shown (stdout is a terminal) the bar's line is cleared before each line and redrawn
 * after it, so script output is never garbled. Thread-safe (one lock around every write).
 */
final class TerminalConsole implements RunConsole {
    private static final String CLEAR_LINE = "\r\u001b[K";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean progressEnabled;
    private String bar = "";

    TerminalConsole(final PrintStream out, final PrintStream err, final boolean progressEnabled) {
        this.out = out;
        this.err = err;
        this.progressEnabled = progressEnabled;
    }

    boolean progressEnabled() {
        return progressEnabled;
    }

    @Override
    public synchronized void info(final String line) {
        write(out, line);
    }

    @Override
    public synchronized void warn(final String line) {
        write(err, line);
    }

    @Override
    public synchronized void scriptOutput(final String line) {
        write(out, line);
    }

    private void write(final PrintStream stream, final String line) {
        if (progressEnabled && !bar.isEmpty()) {
            out.print(CLEAR_LINE);
            out.flush();
        }
        stream.println(line);
        stream.flush();
        if (progressEnabled && !bar.isEmpty()) {
            out.print(bar);
            out.flush();
        }
    }

    /** Replaces the progress bar line. */
    synchronized void progress(final String line) {
        if (!progressEnabled) {
            return;
        }
        bar = line;
        out.print(CLEAR_LINE + line);
        out.flush();
    }

    /** Removes the progress bar for good. */
    synchronized void endProgress() {
        if (progressEnabled && !bar.isEmpty()) {
            out.print(CLEAR_LINE);
            out.flush();
            bar = "";
        }
    }
}

package io.trawl.cli;

/** The process exit codes of the {@code trawl} command. */
public final class ExitCodes {
    /** The run completed (or was stopped on request) and its outputs are written. */
    public static final int SUCCESS = 0;
    /** Something failed at run time: corrupt input, an I/O error, an internal error. */
    public static final int RUNTIME_FAILURE = 1;
    /** The command line or configuration is wrong; nothing was processed. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}

package io.trawl.async.job;

/** How a job ended. */
public enum Outcome {
    /** Done; a schedule may carry a result. */
    COMPLETED,
    /** The operation or onexecute failed ({@link AsyncJob#error()} says why). */
    FAILED,
    /** onexecute ran past the wall-clock limit and was stopped. */
    TIMED_OUT,
    /** A path turned out to escape the allowed roots (a symlink) when the job ran. */
    REFUSED
}

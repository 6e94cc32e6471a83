package io.trawl.async.job;

/** What a T.async job does. */
public enum JobKind {
    /** Append a file to the end of another. */
    CAT("cat"),
    /** Copy a file, creating or replacing the destination. */
    COPY("copy"),
    /** Delete a file if present. */
    RM("rm"),
    /** Write bytes captured at call time, appended or at a position. */
    COPYBUFFER("copybuffer"),
    /** Run a script function on a worker, its result back on the pipeline. */
    SCHEDULE("schedule");

    private final String method;

    JobKind(final String method) {
        this.method = method;
    }

    /** The T.async method name. */
    public String method() {
        return method;
    }
}

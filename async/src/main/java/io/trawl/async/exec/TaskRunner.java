package io.trawl.async.exec;

/**
 * Runs {@code schedule} jobs of one script on one worker thread (the Lua binding implements it with the
 * worker's own state of the script). Not thread-safe except {@link #interrupt()}.
 */
public interface TaskRunner {
    /**
     * Runs a task.
     *
     * @return the result string for onresult, or null (no onresult)
     * @throws Exception with a message that names script:line when the task fails
     */
    String run(Object task) throws Exception;

    /**
     * Called from another thread when the running task exceeded its time: stop it as soon as possible
     * and kill child processes it started. The interrupted {@link #run} then throws.
     */
    void interrupt();

    /** The worker stops. */
    default void close() {
    }

    /** Creates a runner for a script on a worker. */
    @FunctionalInterface
    interface Factory {
        TaskRunner create(int script, int worker);
    }
}

package io.trawl.async.journal;

import io.trawl.async.job.CompletionHandler;

/**
 * Re-creates what a recovered {@code schedule} needs on a pipeline of the new run: the task for a worker
 * and the continuation ({@code onresult}/{@code onerror}) bound to that pipeline's state of the script.
 * The Lua binding implements it.
 */
@FunctionalInterface
public interface RecoveryBinder {
    /**
     * @return the task and continuation, or null when the job cannot be recovered (its script is not
     *         loaded in this run); the caller reports and counts it
     * @throws Exception when the journaled payload cannot be decoded
     */
    Bound bind(JournaledJob job, int pipeline) throws Exception;

    /** A recovered schedule, ready to submit. */
    record Bound(Object task, CompletionHandler handler, Object state) {
    }
}

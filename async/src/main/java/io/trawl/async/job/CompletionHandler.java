package io.trawl.async.job;

/**
 * Pipeline-side continuation of a job: called on the pipeline thread that submitted it, between packet
 * batches, after the job finished (the Lua binding runs {@code onresult} or {@code onerror} here).
 */
@FunctionalInterface
public interface CompletionHandler {
    void onCompleted(AsyncJob job);
}

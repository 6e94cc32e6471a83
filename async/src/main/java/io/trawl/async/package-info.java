/**
 * T.async: slow work off the fast path, results back on it. Pipelines submit jobs ({@code cat},
 * {@code copy}, {@code rm}, {@code copybuffer}, {@code schedule}) through their
 * {@link io.trawl.async.pipeline.AsyncSubmitter}, never waiting: a full queue is a counted rejection. A
 * single {@link io.trawl.async.exec.Conductor} thread orders the jobs (operations touching a common path
 * take effect in submission order; independent ones run in parallel) and hands them to the script's
 * {@link io.trawl.async.exec.Worker}s, which post each finished job to a single-producer/single-consumer
 * queue per (worker, pipeline) pair. Each pipeline drains its queues between packet batches
 * ({@link io.trawl.async.pipeline.CompletionStage}) and runs {@code onresult}/{@code onerror} on its own
 * thread.
 *
 * <p>Threading: pipelines own their submitters, staging pools and completion stages; the conductor owns
 * the ordering state; each worker owns its Lua states and file handles. Threads meet only in the queues.
 */
package io.trawl.async;

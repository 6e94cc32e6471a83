/**
 * The pipeline side of T.async: the {@link io.trawl.async.pipeline.AsyncSubmitter} the Lua binding calls
 * (confinement, bounds, staging of copybuffer bytes, never waiting), the
 * {@link io.trawl.async.pipeline.StagingPool} of off-heap memory those bytes are captured into, and the
 * {@link io.trawl.async.pipeline.CompletionStage} that drains the completion queues between packet batches.
 * Everything here belongs to one pipeline thread.
 */
package io.trawl.async.pipeline;

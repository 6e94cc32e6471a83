/**
 * Executing T.async jobs: the {@link io.trawl.async.exec.Conductor} (ordering, dispatch, timeouts) and the
 * {@link io.trawl.async.exec.Worker}s, each holding a {@link io.trawl.async.exec.TaskRunner} (its own Lua
 * state of the script) for {@code schedule} jobs and doing file operations itself.
 */
package io.trawl.async.exec;

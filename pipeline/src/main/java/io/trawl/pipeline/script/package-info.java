/**
 * The Lua script host: runs Trisul-compatible frontend scripts on every pipeline.
 *
 * <p>{@link io.trawl.pipeline.script.ScriptStageFactory} (wired in the CLI's {@code Extensions}) loads
 * the run's scripts through {@link io.trawl.pipeline.script.ScriptHost} before any packet is read, then
 * gives each pipeline a {@link io.trawl.pipeline.script.ScriptStage} holding one
 * {@link io.trawl.pipeline.script.ScriptInstance} per script (its own LuaJ {@code Globals} and
 * {@code TrisulPlugin}). The stage dispatches the fast-path script types and implements {@code engine};
 * counters, alerts, resources, logs and stored packets go to the files of {@code OUT/}.
 *
 * <p>Extension points for later layers: {@link io.trawl.pipeline.script.ScriptExtension} installs globals
 * into every Lua state (T.async), {@link io.trawl.pipeline.script.ScriptHost#newWorkerState} makes worker
 * states, {@link io.trawl.pipeline.script.lua.FunctionPrototypes} moves functions between states, and a
 * reassembly stage finds the {@code reassembly_handler}/{@code filex_monitor} callbacks with
 * {@link io.trawl.pipeline.script.ScriptInstance#callback} and calls them with
 * {@link io.trawl.pipeline.script.ScriptInstance#invoke}.
 *
 * <p>Threading: a script instance, its state and its stage belong to one pipeline thread. What is shared
 * between pipelines (error logs, the counter output, the message bus, counter-group definitions) is
 * thread-safe and touched off the per-packet path (once per bucket, per message, per distinct error).
 */
package io.trawl.pipeline.script;

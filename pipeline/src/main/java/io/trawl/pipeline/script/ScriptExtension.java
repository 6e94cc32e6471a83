package io.trawl.pipeline.script;

/**
 * Adds to every Lua state the host creates (each pipeline's instance of each script, and worker states
 * made with {@link ScriptHost#newWorkerState}): e.g. the async module installs {@code T.async}. Called on
 * the thread creating the state, in this order: {@link #install} after the standard libraries and
 * {@code T} exist and before the script's main chunk runs; {@link #loaded} after it ran.
 */
public interface ScriptExtension {
    /** Install globals (or members of {@code T}) into a new state. */
    void install(ScriptState state);

    /** The script's main chunk ran in {@code state} ({@code TrisulPlugin} is defined). */
    default void loaded(final ScriptState state) {
    }
}

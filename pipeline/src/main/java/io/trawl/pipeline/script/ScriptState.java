package io.trawl.pipeline.script;

import io.trawl.pipeline.script.lua.BudgetedLoader;
import io.trawl.pipeline.script.lua.InstructionBudget;
import io.trawl.pipeline.script.objects.ViewScope;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * One Lua state running one script: its {@link Globals}, its {@code T} table, its instruction budget and
 * loader. A pipeline state belongs to a {@link ScriptInstance} (one per script per pipeline); a worker
 * state (T.async) has none. What {@link ScriptExtension}s receive.
 *
 * <p>Threading: a state is used only by the thread it belongs to (after creation on another thread, it
 * is handed over with a happens-before edge: a pipeline start, a queue).
 */
public final class ScriptState implements AutoCloseable {
    /** Who runs the state. */
    public enum Role {
        /** A pipeline's instance of the script (callbacks on the fast path). */
        PIPELINE,
        /** A T.async worker's state for the script (runs {@code onexecute}). */
        WORKER
    }

    private final ScriptHost host;
    private final ScriptSource source;
    private final Role role;
    private final int pipeline;
    private final Globals globals;
    private final LuaTable t;
    private final BudgetedLoader loader;
    private final ViewScope scope;
    private final StateEnvironment environment;
    private ScriptInstance instance;

    ScriptState(final ScriptHost host, final ScriptSource source, final Role role, final int pipeline,
                final Globals globals, final LuaTable t, final BudgetedLoader loader, final ViewScope scope,
                final StateEnvironment environment) {
        this.host = host;
        this.source = source;
        this.role = role;
        this.pipeline = pipeline;
        this.globals = globals;
        this.t = t;
        this.loader = loader;
        this.scope = scope;
        this.environment = environment;
    }

    public ScriptHost host() {
        return host;
    }

    public ScriptSource source() {
        return source;
    }

    public Role role() {
        return role;
    }

    /** The pipeline index of a pipeline state, -1 for a worker state. */
    public int pipeline() {
        return pipeline;
    }

    public Globals globals() {
        return globals;
    }

    /** The state's {@code T} table. */
    public LuaTable t() {
        return t;
    }

    /** The {@code TrisulPlugin} table (nil before the chunk ran). */
    public LuaValue plugin() {
        return globals.get("TrisulPlugin");
    }

    public BudgetedLoader loader() {
        return loader;
    }

    public InstructionBudget budget() {
        return loader.budget();
    }

    /** Validity of views (Buffers) made in this state's callbacks. */
    public ViewScope scope() {
        return scope;
    }

    /** The pipeline instance this state belongs to, or null for a worker state. */
    public ScriptInstance instance() {
        return instance;
    }

    void bind(final ScriptInstance owner) {
        this.instance = owner;
    }

    /** The script's error log (shared by all its states). */
    public ScriptErrorLog errors() {
        return host.errorLog(source.name());
    }

    /** Releases what the state holds outside the JVM heap (its log writer). */
    @Override
    public void close() {
        environment.close();
    }
}

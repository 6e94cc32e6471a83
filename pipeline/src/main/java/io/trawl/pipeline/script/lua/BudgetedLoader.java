package io.trawl.pipeline.script.lua;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;

import java.lang.reflect.Field;

/**
 * The {@link Globals.Loader} of one Lua state: turns prototypes (the script, modules it {@code require}s,
 * strings it {@code load}s) into functions, compiled with {@link LuaCompiler} or interpreted, and bound to
 * the state's {@link InstructionBudget} either way (the interpreter through {@link InterpreterBudgetHook}).
 *
 * <p>Threading: the thread that owns the state.
 */
public final class BudgetedLoader implements Globals.Loader {
    private final InstructionBudget budget;
    private final boolean compile;
    private final ScriptClassLoader classes = new ScriptClassLoader();
    private String lastCompileError;

    /**
     * @param compile true to compile with LuaJC (falling back to the interpreter per chunk when LuaJC
     *                cannot), false to interpret everything
     */
    public BudgetedLoader(final InstructionBudget budget, final boolean compile) {
        this.budget = budget;
        this.compile = compile;
    }

    /** Installs this loader (and, for interpreted code, the budget hook) into {@code globals}. */
    public void install(final Globals globals) {
        globals.loader = this;
        // the interpreter consults globals.debuglib on every instruction: that is where its budget is kept
        globals.debuglib = new InterpreterBudgetHook(budget);
    }

    @Override
    public LuaFunction load(final Prototype prototype, final String chunkName, final LuaValue env) {
        final CompiledChunk chunk = compile ? LuaCompiler.compile(prototype, fileName(chunkName))
            : LuaCompiler.interpreted(prototype);
        return instantiate(chunk, env);
    }

    /** The main function of an already compiled chunk, in this state. */
    public LuaFunction instantiate(final CompiledChunk chunk, final LuaValue env) {
        if (!chunk.isCompiled()) {
            lastCompileError = chunk.compileError();
            return new LuaClosure(chunk.prototype(), env);
        }
        try {
            classes.include(chunk);
            for (final String name : chunk.classFiles().keySet()) {
                final Class<?> type = Class.forName(name, true, classes);
                final Field field = type.getField(LuaCompiler.BUDGET_FIELD);
                field.set(null, budget);
            }
            final LuaFunction main = (LuaFunction) Class.forName(chunk.mainClassName(), true, classes)
                .getDeclaredConstructor().newInstance();
            main.initupvalue1(env);
            return main;
        } catch (final ReflectiveOperationException | LinkageError e) {
            lastCompileError = e.toString();
            return new LuaClosure(chunk.prototype(), env);
        }
    }

    /** Why the last chunk runs interpreted although compilation was asked for, or null. */
    public String lastCompileError() {
        return lastCompileError;
    }

    public InstructionBudget budget() {
        return budget;
    }

    /** The prototype a compiled function class of this state implements, or null. */
    Prototype prototypeOfClass(final String className) {
        return classes.prototype(className);
    }

    static String fileName(final String chunkName) {
        String name = chunkName.startsWith("@") || chunkName.startsWith("=") ? chunkName.substring(1) : chunkName;
        final int slash = name.lastIndexOf('/');
        if (slash >= 0) {
            name = name.substring(slash + 1);
        }
        return name.isEmpty() ? "chunk" : name;
    }
}

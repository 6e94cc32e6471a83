package io.trawl.async.lua;

import io.trawl.async.exec.TaskRunner;
import io.trawl.pipeline.script.ScriptErrorLog;
import io.trawl.pipeline.script.ScriptHost;
import io.trawl.pipeline.script.ScriptSource;
import io.trawl.pipeline.script.ScriptState;
import io.trawl.pipeline.script.lua.FunctionPrototypes;
import io.trawl.pipeline.script.lua.InstructionBudget;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.nio.charset.StandardCharsets;

/**
 * Runs a script's {@code onexecute} functions on one worker: the worker's own Lua state of the script
 * (created on first use, on the worker thread; the script's main chunk runs there too), the function
 * re-instantiated from its prototype with the captured upvalues, called with the data string. A string
 * or number result goes back to onresult; anything else means no onresult. {@link #interrupt()} stops
 * the Lua code (interruptible budget) and kills the children it started.
 */
public final class LuaTaskRunner implements TaskRunner {
    private final ScriptHost host;
    private final ScriptSource source;
    private final ProcessTracker tracker = new ProcessTracker();
    private volatile ScriptState state;

    public LuaTaskRunner(final ScriptHost host, final ScriptSource source) {
        this.host = host;
        this.source = source;
    }

    @Override
    public String run(final Object task) throws Exception {
        final ScheduledTask scheduled = (ScheduledTask) task;
        final ScriptState lua = state();
        final LuaValue[] upvalues = new LuaValue[scheduled.upvalues().length];
        for (int i = 0; i < upvalues.length; i++) {
            upvalues[i] = LuaSnapshot.restore(scheduled.upvalues()[i]);
        }
        final LuaClosure function = FunctionPrototypes.instantiate(scheduled.prototype(), lua.globals(), upvalues);
        lua.budget().interruptible();
        try {
            final Varargs results = function.invoke(LuaString.valueUsing(scheduled.data().clone()));
            final LuaValue result = results.arg1();
            if (!result.isstring()) {
                return null;
            }
            final LuaString text = result.strvalue();
            final byte[] bytes = new byte[text.m_length];
            text.copyInto(0, bytes, 0, bytes.length);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        } catch (final LuaError | StackOverflowError e) {
            throw new TaskFailedException(ScriptErrorLog.describe(e, source.fileName()) + " (in onexecute)");
        } catch (final InstructionBudget.Interrupted e) {
            throw new TaskFailedException(source.fileName() + ": onexecute " + e.getMessage());
        } finally {
            lua.budget().unlimited();
        }
    }

    private ScriptState state() throws Exception {
        ScriptState current = state;
        if (current == null) {
            AsyncLuaExtension.WORKER_TRACKER.set(tracker);
            try {
                current = host.newWorkerState(source);
            } finally {
                AsyncLuaExtension.WORKER_TRACKER.remove();
            }
            state = current;
        }
        return current;
    }

    @Override
    public void interrupt() {
        final ScriptState current = state;
        if (current != null) {
            current.budget().interrupt();
        }
        tracker.killAll();
    }

    /** Children of this worker's state still running (for tests). */
    public int childrenAlive() {
        return tracker.alive();
    }

    @Override
    public void close() {
        tracker.killAll();
        final ScriptState current = state;
        if (current != null) {
            current.close();
        }
    }

    /** onexecute failed; the message names script:line. */
    public static final class TaskFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        TaskFailedException(final String message) {
            super(message, null, false, false);
        }
    }
}

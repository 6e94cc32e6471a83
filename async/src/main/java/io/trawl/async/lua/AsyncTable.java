package io.trawl.async.lua;

import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.CompletionHandler;
import io.trawl.async.job.Outcome;
import io.trawl.async.pipeline.AsyncSubmitter;
import io.trawl.pipeline.script.ScriptInstance;
import io.trawl.pipeline.script.ScriptState;
import io.trawl.pipeline.script.lua.FunctionPrototypes;
import io.trawl.pipeline.script.objects.BufferValue;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code T.async} table of one pipeline state. Every member works with {@code .} and {@code :} (a
 * first argument that is the table itself is skipped), returns nothing, never blocks, and raises a Lua
 * error naming the method for wrong arguments. A rejected or refused call is counted and logged by the
 * submitter; the script carries on.
 */
final class AsyncTable {
    static final String[] METHODS = {"cat", "copy", "rm", "copybuffer", "schedule", "pending_items"};

    private AsyncTable() {
    }

    static LuaTable create(final ScriptState state, final AsyncSubmitter submitter, final int script) {
        final LuaTable table = new LuaTable();
        final Callbacks callbacks = new Callbacks(state, submitter.journaling());
        final TaskCodec codec = new TaskCodec();
        table.set("cat", new Member(table, "cat") {
            @Override
            Varargs call(final Varargs args) {
                submitter.cat(script, path(args, 1, "from"), path(args, 2, "to"), null, null);
                return NONE;
            }
        });
        table.set("copy", new Member(table, "copy") {
            @Override
            Varargs call(final Varargs args) {
                submitter.copy(script, path(args, 1, "from"), path(args, 2, "to"), null, null);
                return NONE;
            }
        });
        table.set("rm", new Member(table, "rm") {
            @Override
            Varargs call(final Varargs args) {
                submitter.rm(script, path(args, 1, "file"), null, null);
                return NONE;
            }
        });
        table.set("copybuffer", new Member(table, "copybuffer") {
            @Override
            Varargs call(final Varargs args) {
                final LuaValue buffer = args.arg(1);
                if (!(buffer instanceof BufferValue view)) {
                    throw argument(1, "buf", "a Buffer", buffer);
                }
                final String file = path(args, 2, "file");
                final LuaValue position = args.arg(3);
                final long seekpos;
                if (position.isnil()) {
                    seekpos = -1;
                } else if (position.isnumber() && position.todouble() >= 0 && position.todouble() == Math.floor(position.todouble())) {
                    seekpos = position.tolong();
                } else {
                    throw argument(3, "seekpos", "a whole number >= 0", position);
                }
                view.withBytes(qualified(), (memory, offset, length) ->
                    submitter.copyBuffer(script, memory, offset, length, file, seekpos, null, null));
                return NONE;
            }
        });
        table.set("schedule", new Member(table, "schedule") {
            @Override
            Varargs call(final Varargs args) {
                final LuaValue spec = args.arg(1);
                if (!spec.istable()) {
                    throw argument(1, "job", "a table {data, onexecute, onresult[, onerror]}", spec);
                }
                final LuaValue onexecute = spec.get("onexecute");
                final LuaValue onresult = spec.get("onresult");
                final LuaValue onerror = spec.get("onerror");
                if (!onexecute.isfunction()) {
                    throw new LuaError(qualified() + ": onexecute must be a function, got " + onexecute.typename());
                }
                if (!onresult.isnil() && !onresult.isfunction()) {
                    throw new LuaError(qualified() + ": onresult must be a function, got " + onresult.typename());
                }
                if (!onerror.isnil() && !onerror.isfunction()) {
                    throw new LuaError(qualified() + ": onerror must be a function, got " + onerror.typename());
                }
                final Prototype prototype = FunctionPrototypes.prototypeOf(onexecute);
                if (prototype == null) {
                    throw new LuaError(qualified() + ": onexecute must be a Lua function (not a built-in)");
                }
                // Snapshot now: the caller may reuse and change the table and the upvalues afterwards.
                final LuaString data = state.globals().get("tostring").call(spec.get("data")).checkstring();
                final byte[] dataBytes = new byte[data.m_length];
                data.copyInto(0, dataBytes, 0, dataBytes.length);
                final LuaValue[] upvalues = FunctionPrototypes.upvalues(onexecute);
                final Object[] captured = new Object[upvalues.length];
                // Strings that may name files: staged ones are kept from AutoDelete, absolute paths order the
                // job with file operations on them.
                final List<String> referenced = new ArrayList<>(2);
                referenced.add(new String(dataBytes, StandardCharsets.ISO_8859_1));
                for (int i = 0; i < upvalues.length; i++) {
                    captured[i] = LuaSnapshot.capture(upvalues[i]);
                    LuaSnapshot.strings(captured[i], referenced);
                }
                final ScheduledTask task = new ScheduledTask(state.source().name(), prototype, captured, dataBytes);
                // For the journal: onresult and onerror too, by value, so a restart can deliver results.
                final byte[] payload = submitter.journaling()
                    ? codec.encode(task, prototypeOf(onresult), snapshotUpvalues(onresult), prototypeOf(onerror),
                        snapshotUpvalues(onerror))
                    : null;
                submitter.schedule(script, task, referenced, callbacks,
                    new Pending(onresult.isnil() ? null : onresult, onerror.isnil() ? null : onerror,
                        LuaString.valueUsing(dataBytes)), payload, -1);
                return NONE;
            }
        });
        table.set("pending_items", new Member(table, "pending_items") {
            @Override
            Varargs call(final Varargs args) {
                return LuaValue.valueOf((double) submitter.pendingItems(script));
            }
        });
        return table;
    }

    private static Prototype prototypeOf(final LuaValue function) {
        return function.isfunction() ? FunctionPrototypes.prototypeOf(function) : null;
    }

    private static Object[] snapshotUpvalues(final LuaValue function) {
        if (!function.isfunction() || FunctionPrototypes.prototypeOf(function) == null) {
            return new Object[0];
        }
        final LuaValue[] upvalues = FunctionPrototypes.upvalues(function);
        final Object[] out = new Object[upvalues.length];
        for (int i = 0; i < upvalues.length; i++) {
            out[i] = LuaSnapshot.capture(upvalues[i]);
        }
        return out;
    }

    /**
     * A schedule recovered from the journal, bound to a pipeline state of the new run: onresult and onerror
     * re-created from their prototypes with their captured upvalues, in that state.
     */
    static io.trawl.async.journal.RecoveryBinder.Bound recovered(final ScriptState state, final TaskCodec.Decoded decoded) {
        final ScheduledTask task = new ScheduledTask(decoded.script(), decoded.onexecute(), decoded.onexecuteUpvalues(),
            decoded.data());
        return new io.trawl.async.journal.RecoveryBinder.Bound(task, new Callbacks(state, true),
            new Pending(instantiate(state, decoded.onresult(), decoded.onresultUpvalues()),
                instantiate(state, decoded.onerror(), decoded.onerrorUpvalues()), LuaString.valueUsing(decoded.data())));
    }

    private static LuaValue instantiate(final ScriptState state, final Prototype prototype, final Object[] upvalues) {
        if (prototype == null) {
            return null;
        }
        final LuaValue[] values = new LuaValue[upvalues.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = LuaSnapshot.restore(upvalues[i]);
        }
        return FunctionPrototypes.instantiate(prototype, state.globals(), values);
    }

    /** What onresult/onerror need, kept on the pipeline side. */
    private record Pending(LuaValue onresult, LuaValue onerror, LuaString data) {
    }

    /** Runs onresult / onerror on the pipeline thread, through the instance (budget, error log). */
    private static final class Callbacks implements CompletionHandler {
        private final ScriptState state;
        private final boolean journaling;

        Callbacks(final ScriptState state, final boolean journaling) {
            this.state = state;
            this.journaling = journaling;
        }

        @Override
        public void onCompleted(final AsyncJob job) {
            final ScriptInstance instance = state.instance();
            if (instance == null || !(job.callbackState() instanceof Pending pending)) {
                return;
            }
            instance.asyncJob(job.id()); // alerts and resources the callback adds carry the job id
            try {
                if (job.outcome() == Outcome.COMPLETED) {
                    if (pending.onresult() != null && job.result() != null) {
                        final LuaString result = LuaString.valueUsing(job.result().getBytes(StandardCharsets.ISO_8859_1));
                        instance.invoke("T.async onresult", pending.onresult(),
                            LuaValue.varargsOf(instance.engine(), pending.data(), result));
                    }
                } else if (pending.onerror() != null) {
                    instance.invoke("T.async onerror", pending.onerror(), LuaValue.varargsOf(instance.engine(), pending.data(),
                        LuaValue.valueOf(job.error() == null ? job.outcome().name().toLowerCase() : job.error())));
                }
            } finally {
                instance.asyncJob(-1);
            }
            if (job.handler() == this && journaling) {
                instance.flushOutputs(); // on disk before the job is journaled as delivered
            }
        }
    }

    /** A member of T.async: skips the table itself when called with {@code :}. */
    private abstract static class Member extends VarArgFunction {
        private final LuaTable self;
        private final String method;

        Member(final LuaTable self, final String method) {
            this.self = self;
            this.method = method;
        }

        @Override
        public final Varargs invoke(final Varargs args) {
            return call(args.arg1().raweq(self) ? args.subargs(2) : args);
        }

        abstract Varargs call(Varargs args);

        final String qualified() {
            return "T.async:" + method;
        }

        final String path(final Varargs args, final int index, final String name) {
            final LuaValue value = args.arg(index);
            if (!value.isstring() || value.isnumber()) {
                throw argument(index, name, "a path string", value);
            }
            return value.tojstring();
        }

        final LuaError argument(final int index, final String name, final String expected, final LuaValue got) {
            return new LuaError(qualified() + ": argument " + index + " (" + name + ") must be " + expected + ", got "
                + (got.isnil() ? "nil" : got.typename()));
        }
    }
}

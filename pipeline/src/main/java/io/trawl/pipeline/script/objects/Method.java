package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.LibFunction;

/**
 * A method of a script object. Arguments are checked with messages that name the method
 * ({@code engine:update_counter: argument 2 (key) ...}); a call with {@code .} instead of {@code :} is
 * reported as such. Small arities are dispatched without building a {@link Varargs}.
 *
 * @param <T> the object type
 */
abstract class Method<T extends ScriptObject> extends LibFunction {
    private final Class<T> type;
    private final String owner;

    Method(final Class<T> type, final String owner, final String name) {
        this.type = type;
        this.owner = owner;
        this.name = name;
    }

    /** The object the method was called on. */
    final T self(final LuaValue value) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        throw new LuaError(owner + ":" + name + ": not called on a " + owner + " (use " + owner + ":" + name
            + "(...), with a colon)");
    }

    /** Qualified name for messages: {@code Buffer:hval_8}. */
    final String qualified() {
        return owner + ":" + name;
    }

    // ---- argument checks ---------------------------------------------------------------------

    final LuaError argError(final int position, final String what, final String expected, final LuaValue got) {
        return new LuaError(qualified() + ": argument " + position + " (" + what + ") must be " + expected + ", got "
            + describe(got));
    }

    static String describe(final LuaValue value) {
        if (value.isnil()) {
            return "nil";
        }
        if (value.isstring() && !value.isnumber()) {
            final String text = value.tojstring();
            return "string '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
        }
        if (value.isnumber()) {
            return "number " + value.tojstring();
        }
        return value.typename();
    }

    final LuaString string(final Varargs args, final int index, final String what) {
        final LuaValue v = args.arg(index);
        if (v.isstring()) {
            return v.strvalue();
        }
        throw argError(index - 1, what, "a string", v);
    }

    final LuaString optString(final Varargs args, final int index, final String what) {
        final LuaValue v = args.arg(index);
        return v.isnil() ? null : string(args, index, what);
    }

    final int integer(final LuaValue v, final int position, final String what) {
        if (v.isnumber()) {
            final double d = v.todouble();
            if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        throw argError(position, what, "a whole number", v);
    }

    final int optInteger(final LuaValue v, final int position, final String what, final int fallback) {
        return v.isnil() ? fallback : integer(v, position, what);
    }

    final double number(final LuaValue v, final int position, final String what) {
        if (v.isnumber()) {
            return v.todouble();
        }
        throw argError(position, what, "a number", v);
    }

    /** Registers this method in {@code methods} under its name. */
    final void register(final LuaTable methods) {
        methods.rawset(name, this);
    }

    // ---- dispatch ------------------------------------------------------------------------------

    /** The call with all arguments ({@code args.arg1()} is the object). */
    abstract Varargs invoke(T self, Varargs args);

    @Override
    public Varargs invoke(final Varargs args) {
        return invoke(self(args.arg1()), args);
    }

    @Override
    public LuaValue call() {
        return invoke(LuaValue.NONE).arg1();
    }

    @Override
    public LuaValue call(final LuaValue a) {
        return invoke(a).arg1();
    }

    @Override
    public LuaValue call(final LuaValue a, final LuaValue b) {
        return invoke(LuaValue.varargsOf(a, b)).arg1();
    }

    @Override
    public LuaValue call(final LuaValue a, final LuaValue b, final LuaValue c) {
        return invoke(LuaValue.varargsOf(a, b, c)).arg1();
    }

    /** A method without arguments that returns one value: dispatched without a Varargs. */
    abstract static class Getter<T extends ScriptObject> extends Method<T> {
        Getter(final Class<T> type, final String owner, final String name) {
            super(type, owner, name);
        }

        abstract LuaValue get(T self);

        @Override
        final Varargs invoke(final T self, final Varargs args) {
            return get(self);
        }

        @Override
        public final LuaValue call(final LuaValue a) {
            return get(self(a));
        }
    }

    /** A method with one argument that returns one value: dispatched without a Varargs. */
    abstract static class Unary<T extends ScriptObject> extends Method<T> {
        Unary(final Class<T> type, final String owner, final String name) {
            super(type, owner, name);
        }

        abstract LuaValue apply(T self, LuaValue argument);

        @Override
        final Varargs invoke(final T self, final Varargs args) {
            return apply(self, args.arg(2));
        }

        @Override
        public final LuaValue call(final LuaValue a) {
            return apply(self(a), LuaValue.NIL);
        }

        @Override
        public final LuaValue call(final LuaValue a, final LuaValue b) {
            return apply(self(a), b);
        }

        @Override
        public final LuaValue call(final LuaValue a, final LuaValue b, final LuaValue c) {
            return apply(self(a), b);
        }
    }
}

package io.trawl.pipeline.script.lua;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;

import java.lang.reflect.Field;

/**
 * Moves Lua functions between states, for T.async: finds the {@link Prototype} of a function of one
 * state (interpreted {@link LuaClosure} or a class compiled by {@link LuaCompiler}), reads its upvalues,
 * and re-creates it in another state as an interpreted closure whose upvalues are given values (captured
 * by value) and whose {@code _ENV} is the other state's globals.
 *
 * <p>Threading: reading a function happens on the thread of its state; the result is plain data.
 */
public final class FunctionPrototypes {
    private static final String ENV = "_ENV";

    private FunctionPrototypes() {
    }

    /** The prototype of {@code function}, or null for a Java function. */
    public static Prototype prototypeOf(final LuaValue function) {
        if (function instanceof LuaClosure closure) {
            return closure.p;
        }
        if (function instanceof LuaFunction && function.getClass().getClassLoader() instanceof ScriptClassLoader loader) {
            return loader.prototype(function.getClass().getName());
        }
        return null;
    }

    /**
     * The current values of {@code function}'s upvalues, in prototype order (nil where unknown), or null
     * for a Java function. The {@code _ENV} upvalue reads as nil: it is the function's state's globals, not
     * data (capturing it by value would copy the whole global table per call), and {@link #instantiate}
     * binds it to the other state's globals.
     */
    public static LuaValue[] upvalues(final LuaValue function) {
        final Prototype p = prototypeOf(function);
        if (p == null) {
            return null;
        }
        final LuaValue[] values = new LuaValue[p.upvalues.length];
        for (int i = 0; i < values.length; i++) {
            if (isEnvironment(p, i)) {
                values[i] = LuaValue.NIL;
            } else if (function instanceof LuaClosure closure) {
                final UpValue up = closure.upValues[i];
                values[i] = up == null ? LuaValue.NIL : up.getValue();
            } else {
                values[i] = compiledUpvalue(function, i);
            }
        }
        return values;
    }

    private static boolean isEnvironment(final Prototype prototype, final int upvalue) {
        final org.luaj.vm2.LuaString name = prototype.upvalues[upvalue].name;
        return name != null && ENV.equals(name.tojstring());
    }

    private static LuaValue compiledUpvalue(final LuaValue function, final int index) {
        try {
            final Field field = function.getClass().getDeclaredField("u" + index);
            field.setAccessible(true);
            final Object value = field.get(function);
            if (value instanceof LuaValue[] cell) {
                return cell[0] == null ? LuaValue.NIL : cell[0];
            }
            return value instanceof LuaValue v ? v : LuaValue.NIL;
        } catch (final ReflectiveOperationException | RuntimeException e) {
            return LuaValue.NIL;
        }
    }

    /**
     * Re-creates a function in another state: an interpreted closure of {@code prototype} whose
     * {@code _ENV} upvalue is {@code globals} and whose other upvalues take {@code upvalueValues} (by
     * value; missing entries are nil).
     */
    public static LuaClosure instantiate(final Prototype prototype, final Globals globals, final LuaValue[] upvalueValues) {
        final LuaClosure closure = new LuaClosure(prototype, globals);
        for (int i = 0; i < prototype.upvalues.length; i++) {
            final LuaValue value = isEnvironment(prototype, i) ? globals
                : upvalueValues != null && i < upvalueValues.length && upvalueValues[i] != null ? upvalueValues[i] : LuaValue.NIL;
            closure.upValues[i] = new UpValue(new LuaValue[] {value}, 0);
        }
        return closure;
    }
}

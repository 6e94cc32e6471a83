package io.trawl.async.lua;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Lua values captured by value as plain Java data, so they can cross to another Lua state (and into the
 * journal): strings (as bytes), integers, doubles, booleans, and plain acyclic tables of those (no
 * metatable). Anything else — functions, userdata, threads, cyclic or metatable'd tables — becomes nil;
 * inside a table such entries are left out.
 */
public final class LuaSnapshot {
    /** A captured table: its entries in iteration order. */
    public record Table(List<Object[]> entries) {
    }

    private LuaSnapshot() {
    }

    /** The snapshot of {@code value}, or null (nil). */
    public static Object capture(final LuaValue value) {
        return capture(value, new IdentityHashMap<>());
    }

    private static Object capture(final LuaValue value, final IdentityHashMap<LuaValue, Boolean> open) {
        switch (value.type()) {
            case LuaValue.TSTRING -> {
                final LuaString s = value.checkstring();
                final byte[] bytes = new byte[s.m_length];
                s.copyInto(0, bytes, 0, bytes.length);
                return bytes;
            }
            case LuaValue.TNUMBER -> {
                return value.isinttype() ? (Object) value.toint() : (Object) value.todouble();
            }
            case LuaValue.TBOOLEAN -> {
                return value.toboolean();
            }
            case LuaValue.TTABLE -> {
                if (value.getmetatable() != null || open.containsKey(value)) {
                    return null;
                }
                open.put(value, Boolean.TRUE);
                final List<Object[]> entries = new ArrayList<>();
                LuaValue key = LuaValue.NIL;
                while (true) {
                    final Varargs next = value.next(key);
                    key = next.arg1();
                    if (key.isnil()) {
                        break;
                    }
                    final Object k = capture(key, open);
                    final Object v = capture(next.arg(2), open);
                    if (k != null && !(k instanceof Table) && v != null) {
                        entries.add(new Object[] {k, v});
                    }
                }
                open.remove(value);
                return new Table(entries);
            }
            default -> {
                return null;
            }
        }
    }

    /** The Lua value of a snapshot (a fresh table for a table), in any state. */
    public static LuaValue restore(final Object snapshot) {
        if (snapshot == null) {
            return LuaValue.NIL;
        }
        if (snapshot instanceof byte[] bytes) {
            return LuaString.valueUsing(bytes.clone());
        }
        if (snapshot instanceof Integer i) {
            return LuaValue.valueOf(i);
        }
        if (snapshot instanceof Double d) {
            return LuaValue.valueOf(d);
        }
        if (snapshot instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        if (snapshot instanceof Table table) {
            final LuaTable out = new LuaTable();
            for (final Object[] entry : table.entries()) {
                out.rawset(restore(entry[0]), restore(entry[1]));
            }
            return out;
        }
        return LuaValue.NIL;
    }

    /** Adds every string in a snapshot (recursively) to {@code out}, as text (to find staged-file paths). */
    static void strings(final Object snapshot, final List<String> out) {
        if (snapshot instanceof byte[] bytes) {
            if (bytes.length > 0 && bytes.length < 4096) {
                out.add(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } else if (snapshot instanceof Table table) {
            for (final Object[] entry : table.entries()) {
                strings(entry[1], out);
            }
        }
    }
}

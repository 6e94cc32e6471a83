package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;

/**
 * Base of the objects scripts receive (engine, Buffer, Layer, Packet, FlowID): a userdata whose methods
 * come from one shared table per type. {@link #get} reads that table directly instead of going through a
 * metatable's {@code __index}, which saves a lookup on every {@code obj:method()} call.
 */
abstract class ScriptObject extends LuaUserdata {
    private final LuaTable methods;

    ScriptObject(final LuaTable methods, final LuaTable metatable) {
        super(Boolean.TRUE, metatable);
        this.methods = methods;
    }

    @Override
    public final LuaValue get(final LuaValue key) {
        return methods.rawget(key);
    }

    @Override
    public final LuaValue get(final String key) {
        return methods.rawget(LuaString.valueOf(key));
    }

    /** The type name scripts see in messages ("Buffer", "Layer"...). */
    abstract String typeName();

    @Override
    public String tojstring() {
        return typeName() + ": " + Integer.toHexString(System.identityHashCode(this));
    }

    /** A metatable with {@code __index} (for code that indexes through the metatable) and {@code __name}. */
    static LuaTable metatable(final String typeName, final LuaTable methods) {
        final LuaTable meta = new LuaTable();
        meta.rawset(LuaValue.INDEX, methods);
        meta.rawset("__name", LuaValue.valueOf(typeName));
        meta.rawset("__metatable", LuaValue.valueOf(typeName));
        return meta;
    }
}

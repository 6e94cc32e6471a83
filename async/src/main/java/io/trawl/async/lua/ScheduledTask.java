package io.trawl.async.lua;

import org.luaj.vm2.Prototype;

/**
 * What {@code T.async:schedule} hands to a worker: the script, {@code onexecute}'s prototype with its
 * upvalues captured by value ({@link LuaSnapshot}; null entries are nil), and {@code tostring(data)} as
 * bytes. Immutable; prototypes are shared read-only by every state of a script.
 */
public record ScheduledTask(String script, Prototype prototype, Object[] upvalues, byte[] data) {
}

/**
 * The Lua binding of T.async: {@link io.trawl.async.lua.AsyncLuaExtension} installs {@code T.async} into
 * every pipeline state ({@code cat}, {@code copy}, {@code rm}, {@code copybuffer}, {@code schedule},
 * {@code pending_items}, callable with {@code .} and {@code :}); {@code schedule} snapshots {@code data}
 * (as a string) and {@code onexecute} (its prototype, and its upvalues by value:
 * {@link io.trawl.async.lua.LuaSnapshot}); a {@link io.trawl.async.lua.LuaTaskRunner} re-instantiates it in
 * the worker's own state of the script, whose {@code io.popen} and {@code os.execute} children are tracked
 * so a timeout can kill them; {@code onresult}/{@code onerror} run back on the pipeline with its engine.
 */
package io.trawl.async.lua;

/**
 * LuaJ plumbing, not API for scripts: compiling chunks with LuaJC and instrumenting the generated classes
 * with the instruction budget ({@link io.trawl.pipeline.script.lua.LuaCompiler}), the per-state loader
 * that keeps compiled and interpreted code on the same budget
 * ({@link io.trawl.pipeline.script.lua.BudgetedLoader}), LuaJIT's {@code bit}, and moving functions
 * between states ({@link io.trawl.pipeline.script.lua.FunctionPrototypes}).
 *
 * <p>Threading: everything here belongs to the thread of the Lua state it serves;
 * {@link io.trawl.pipeline.script.lua.LuaCompiler} itself is stateless.
 */
package io.trawl.pipeline.script.lua;

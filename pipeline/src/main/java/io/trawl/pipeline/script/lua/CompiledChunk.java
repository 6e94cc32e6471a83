package io.trawl.pipeline.script.lua;

import org.luaj.vm2.Prototype;

import java.util.Map;

/**
 * A Lua chunk compiled once: its prototype tree (what the interpreter runs and what T.async re-creates
 * functions from) and, when LuaJC compiled it, the instrumented JVM class files of every function, ready
 * to be defined again in each Lua state's own class loader.
 *
 * @param prototype     the main function's prototype (children in {@code prototype.p})
 * @param mainClassName the JVM class of the main function, or null when not compiled
 * @param classFiles    class name to class file bytes (empty when not compiled)
 * @param prototypes    class name to the prototype that class implements (empty when not compiled)
 * @param compileError  why LuaJC could not compile it (then the interpreter runs it), or null
 */
public record CompiledChunk(Prototype prototype, String mainClassName, Map<String, byte[]> classFiles,
                            Map<String, Prototype> prototypes, String compileError) {
    /** True when JVM classes are available for this chunk. */
    public boolean isCompiled() {
        return mainClassName != null;
    }
}

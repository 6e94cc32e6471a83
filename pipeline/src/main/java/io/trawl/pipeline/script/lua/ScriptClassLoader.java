package io.trawl.pipeline.script.lua;

import org.luaj.vm2.Prototype;

import java.util.HashMap;
import java.util.Map;

/**
 * Defines the compiled functions of the chunks one Lua state loads. Each state has its own loader, so
 * each has its own copies of the classes and thus its own static {@code $budget} field: the instruction
 * budget of that state, reached by compiled code without a thread-local lookup. Remembers which
 * {@link Prototype} each class implements ({@link FunctionPrototypes}).
 *
 * <p>Threading: used by the thread that creates and runs its state.
 */
final class ScriptClassLoader extends ClassLoader {
    private final Map<String, byte[]> pending = new HashMap<>();
    private final Map<String, Prototype> prototypes = new HashMap<>();

    ScriptClassLoader() {
        super(ScriptClassLoader.class.getClassLoader());
    }

    void include(final CompiledChunk chunk) {
        pending.putAll(chunk.classFiles());
        prototypes.putAll(chunk.prototypes());
    }

    Prototype prototype(final String className) {
        return prototypes.get(className);
    }

    @Override
    protected Class<?> findClass(final String name) throws ClassNotFoundException {
        final byte[] bytes = pending.remove(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}

package io.trawl.pipeline.script;

import io.trawl.pipeline.script.lua.CompiledChunk;
import io.trawl.pipeline.script.lua.LuaCompiler;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One script file, parsed once (syntax checked) and compiled once; every Lua state that runs it (one per
 * pipeline, T.async workers) instantiates the same compiled chunk.
 *
 * @param path       the file
 * @param name       the name it is reported under (file name; made unique among the run's scripts)
 * @param chunkName  the Lua chunk name ({@code @file.lua}), which messages show as {@code file.lua:line}
 * @param chunk      the compiled chunk (prototype, and JVM classes when LuaJC could compile it)
 * @param pluginLine the line where {@code TrisulPlugin} is assigned (for messages about the table), or 1
 */
public record ScriptSource(Path path, String name, String chunkName, CompiledChunk chunk, int pluginLine) {
    private static final Pattern PLUGIN = Pattern.compile("^\\s*TrisulPlugin\\s*=", Pattern.MULTILINE);

    /**
     * Reads and compiles a script.
     *
     * @throws ScriptLoadException for an unreadable file or a syntax error ({@code file:line: message})
     */
    public static ScriptSource load(final Path path, final String name, final boolean compile) throws ScriptLoadException {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (final IOException e) {
            throw new ScriptLoadException(path + ": cannot read: " + e.getMessage());
        }
        final String fileName = path.getFileName().toString();
        final String chunkName = "@" + fileName;
        final Prototype prototype;
        try {
            prototype = LuaC.instance.compile(new ByteArrayInputStream(bytes), chunkName);
        } catch (final LuaError e) {
            throw new ScriptLoadException(ScriptErrorLog.stripChunkPrefix(e.getMessage()));
        } catch (final IOException e) {
            throw new ScriptLoadException(fileName + ": cannot read: " + e.getMessage());
        }
        final CompiledChunk chunk = compile ? LuaCompiler.compile(prototype, fileName) : LuaCompiler.interpreted(prototype);
        return new ScriptSource(path, name, chunkName, chunk, pluginLine(new String(bytes, StandardCharsets.UTF_8)));
    }

    private static int pluginLine(final String text) {
        final Matcher m = PLUGIN.matcher(text);
        if (!m.find()) {
            return 1;
        }
        int line = 1;
        for (int i = 0; i < m.start(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line + (int) text.substring(m.start(), m.end()).chars().filter(c -> c == '\n').count();
    }

    /** The file name as messages show it. */
    public String fileName() {
        return path.getFileName().toString();
    }

    /** {@code file.lua:line} of the TrisulPlugin table. */
    public String pluginLocation() {
        return fileName() + ":" + pluginLine;
    }

    /**
     * True when some function of the script names {@code field} as a constant (as {@code T.async} or
     * {@code x:async()} does): a cheap, conservative test of what a script may use, for start-up work that
     * only matters then. A script building the name at run time is not seen; use it only where being wrong
     * costs time, never correctness.
     */
    public boolean namesConstant(final String field) {
        return namesConstant(chunk.prototype(), LuaValue.valueOf(field));
    }

    private static boolean namesConstant(final Prototype prototype, final LuaValue name) {
        for (final LuaValue constant : prototype.k) {
            if (constant.isstring() && constant.raweq(name)) {
                return true;
            }
        }
        for (final Prototype child : prototype.p) {
            if (namesConstant(child, name)) {
                return true;
            }
        }
        return false;
    }
}

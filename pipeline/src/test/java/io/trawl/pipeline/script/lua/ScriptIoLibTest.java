package io.trawl.pipeline.script.lua;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** io.open's update modes behave as in C Lua (LuaJ 3.0.1 opened "r+" read-only). */
class ScriptIoLibTest {
    @TempDir
    Path temp;

    private LuaValue run(final String chunk) {
        final Globals globals = JsePlatform.standardGlobals();
        globals.load(new ScriptIoLib());
        globals.set("dir", LuaValue.valueOf(temp.toString()));
        return globals.load(chunk).call();
    }

    @Test
    void readUpdateWritesInPlaceWithoutTruncating() throws IOException {
        Files.writeString(temp.resolve("f"), "hello world");
        final LuaValue read = run("""
            local f = assert(io.open(dir .. "/f", "r+b"))
            local first = f:read(5)
            f:seek("set", 6)
            f:write("WORLD")
            f:seek("set", 12)
            f:write("!")
            f:close()
            return first
            """);
        assertThat(read.tojstring()).isEqualTo("hello");
        assertThat(Files.readString(temp.resolve("f"), StandardCharsets.ISO_8859_1)).isEqualTo("hello WORLD\0!");
    }

    @Test
    void readUpdateOfAMissingFileFailsLikeC() {
        final LuaValue result = run("local f, err = io.open(dir .. '/missing', 'r+') return tostring(f) .. '|' .. tostring(err)");
        assertThat(result.tojstring()).startsWith("nil|").contains("No such file");
        assertThat(temp.resolve("missing")).doesNotExist();
    }

    @Test
    void otherModesAreUnchanged() throws IOException {
        run("""
            local f = assert(io.open(dir .. "/w", "wb")) f:write("abc") f:close()
            f = assert(io.open(dir .. "/w", "ab")) f:write("def") f:close()
            f = assert(io.open(dir .. "/w", "rb")) local s = f:read("*a") f:close()
            f = assert(io.open(dir .. "/copy", "w")) f:write(s) f:close()
            """);
        assertThat(Files.readString(temp.resolve("copy"))).isEqualTo("abcdef");
    }
}

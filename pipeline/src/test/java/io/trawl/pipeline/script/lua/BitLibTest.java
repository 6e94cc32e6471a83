package io.trawl.pipeline.script.lua;

import io.trawl.testsupport.ExternalTool;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** trawl's {@code bit} library against LuaJIT's own, expression by expression. */
class BitLibTest {
    private static final List<String> EXPRESSIONS = List.of(
        "bit.tobit(0xffffffff)", "bit.tobit(2^32 + 7)", "bit.tobit(-1)", "bit.bnot(0)", "bit.bnot(0x12345678)",
        "bit.band(0xffffffff, 0xf0f0f0f0)", "bit.bor(1, 2, 4, 8)", "bit.bxor(0xff, 0x0f, 0x01)",
        "bit.lshift(1, 31)", "bit.lshift(1, 32)", "bit.lshift(3, 33)", "bit.rshift(-1, 28)", "bit.rshift(0x80000000, 31)",
        "bit.arshift(-256, 4)", "bit.arshift(0x80000000, 31)", "bit.rol(0x12345678, 8)", "bit.ror(0x12345678, 8)",
        "bit.bswap(0x12345678)", "bit.tohex(255)", "bit.tohex(-1)", "bit.tohex(0x1234, 2)", "bit.tohex(0xabcd, -4)",
        "bit.band(2^40 + 5, 0xff)", "bit.bor(-2^31, 0)");

    @Test
    void bitAgreesWithLuajit() {
        ExternalTool.require("luajit", "luajit");
        final StringBuilder program = new StringBuilder();
        for (final String expression : EXPRESSIONS) {
            program.append("print(").append(expression).append(")\n");
        }
        final List<String> expected = ExternalTool.run("luajit", "-e", program.toString()).lines().toList();
        final Globals globals = JsePlatform.standardGlobals();
        globals.set("bit", BitLib.create());
        for (int i = 0; i < EXPRESSIONS.size(); i++) {
            final String ours = globals.load("return tostring(" + EXPRESSIONS.get(i) + ")").call().tojstring();
            assertThat(ours).as(EXPRESSIONS.get(i)).isEqualTo(expected.get(i));
        }
    }
}

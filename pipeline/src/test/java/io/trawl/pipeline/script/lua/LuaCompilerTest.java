package io.trawl.pipeline.script.lua;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LuaJC with trawl's budget instrumentation: compiled code computes what the interpreter computes, the
 * budget stops compiled and interpreted loops, and functions can be moved to another state (T.async).
 */
class LuaCompilerTest {
    private static final String PROGRAM = """
        local results = {}
        -- closures capturing loop variables (each iteration its own upvalue)
        local fs = {}
        for i = 1, 5 do fs[i] = function() return i * 10 end end
        results[#results + 1] = fs[1]() + fs[5]()
        -- varargs, select, table.unpack
        local function count(...) return select('#', ...), ... end
        local n, a, b = count(7, nil, 9)
        results[#results + 1] = n * 100 + a
        -- while / repeat / goto-free nested loops with break
        local total = 0
        for i = 1, 10 do
          local j = 0
          while true do j = j + 1; if j > i then break end; total = total + j end
        end
        repeat total = total - 1 until total % 7 == 0
        results[#results + 1] = total
        -- recursion, string functions, metatables
        local function fib(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end
        results[#results + 1] = fib(15)
        local t = setmetatable({}, { __index = function(_, k) return #k end })
        results[#results + 1] = t.hello + #string.format("%05d", 42) + #("abc"):rep(3)
        local words = {}
        for w in string.gmatch("one two three", "%a+") do words[#words + 1] = w:upper() end
        results[#results + 1] = table.concat(words, ",")
        return table.concat(results, " ")
        """;

    private static Prototype compile(final String source, final String name) throws Exception {
        return LuaC.instance.compile(new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)), "@" + name);
    }

    private static Globals state(final InstructionBudget budget, final boolean compile) {
        final Globals globals = JsePlatform.standardGlobals();
        new BudgetedLoader(budget, compile).install(globals);
        return globals;
    }

    @Test
    void compiledCodeComputesWhatTheInterpreterComputes() throws Exception {
        final Prototype p = compile(PROGRAM, "program.lua");
        final CompiledChunk chunk = LuaCompiler.compile(p, "program.lua");
        assertThat(chunk.isCompiled()).as(chunk.compileError()).isTrue();
        final InstructionBudget budget = new InstructionBudget();
        final Globals compiledState = state(budget, true);
        final LuaValue compiled = new BudgetedLoader(budget, true).instantiate(chunk, compiledState).call();
        final Globals interpretedState = state(budget, false);
        final LuaValue interpreted = new LuaClosure(p, interpretedState).call();
        assertThat(compiled.tojstring()).isEqualTo(interpreted.tojstring()).isEqualTo("60 307 217 610 19 ONE,TWO,THREE"); // lua5.4 and luajit print the same;
    }

    @Test
    void theBudgetStopsLoopsInCompiledAndInterpretedCode() throws Exception {
        final Prototype p = compile("local n = 0\nwhile true do\n  n = n + 1\nend\n", "loop.lua");
        for (final boolean compile : new boolean[] {true, false}) {
            final InstructionBudget budget = new InstructionBudget();
            final Globals globals = state(budget, compile);
            final BudgetedLoader loader = (BudgetedLoader) globals.loader;
            final LuaValue main = loader.instantiate(compile ? LuaCompiler.compile(p, "loop.lua") : LuaCompiler.interpreted(p),
                globals);
            budget.reset(10_000);
            assertThatThrownBy(main::call).isInstanceOf(InstructionBudget.Exhausted.class)
                .hasMessageContaining("10000 steps");
            assertThat(budget.used()).isEqualTo(10_000);
            // exhausted stays exhausted until the next reset: a pcall'd loop cannot continue
            assertThatThrownBy(budget::tick).isInstanceOf(InstructionBudget.Exhausted.class);
            budget.reset(5);
            budget.tick();
            assertThat(budget.used()).isEqualTo(1);
        }
    }

    @Test
    void functionsMoveToAnotherStateByPrototypeWithUpvaluesCapturedByValue() throws Exception {
        final String source = """
            local prefix = "job-"
            local count = 41
            local config = { size = 3 }
            function make(n)
              return function(data) return prefix .. data .. ":" .. (count + n) .. ":" .. config.size .. ":" .. type(string) end
            end
            """;
        for (final boolean compile : new boolean[] {true, false}) {
            final Prototype p = compile(source, "mover.lua");
            final InstructionBudget budget = new InstructionBudget();
            final Globals origin = state(budget, compile);
            final BudgetedLoader loader = (BudgetedLoader) origin.loader;
            loader.instantiate(compile ? LuaCompiler.compile(p, "mover.lua") : LuaCompiler.interpreted(p), origin).call();
            final LuaValue function = origin.get("make").call(LuaValue.valueOf(1));
            assertThat(function instanceof LuaClosure).isEqualTo(!compile);
            final Prototype prototype = FunctionPrototypes.prototypeOf(function);
            assertThat(prototype).isNotNull();
            assertThat(prototype.linedefined).isEqualTo(5);
            final LuaValue[] upvalues = FunctionPrototypes.upvalues(function);
            // the globals (_ENV) are not data: never captured, re-bound to the other state's globals
            for (int i = 0; i < prototype.upvalues.length; i++) {
                final String name = prototype.upvalues[i].name.tojstring();
                assertThat(upvalues[i].isnil()).as("upvalue %s", name).isEqualTo(name.equals("_ENV"));
            }
            assertThat(java.util.Arrays.stream(prototype.upvalues).map(u -> u.name.tojstring())).contains("_ENV");
            final Globals worker = state(new InstructionBudget(), false);
            final LuaClosure moved = FunctionPrototypes.instantiate(prototype, worker, upvalues);
            assertThat(moved.call(LuaValue.valueOf("x")).tojstring()).isEqualTo("job-x:42:3:table");
            assertThat(FunctionPrototypes.prototypeOf(LuaValue.valueOf(1))).isNull();
        }
    }
}

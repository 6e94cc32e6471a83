package io.trawl.pipeline.script;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad scripts: each shows a clear message (file:line), the count, and a pipeline that is not harmed (the
 * protocol counter running beside it still matches the capture exactly).
 */
class BadScriptsTest {
    private static final String PROTOCOLS = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F60}";

    @TempDir
    Path temp;

    private ScriptRun runWithProtocolCounter(final String script, final Object... settings) {
        final ScriptRun.Builder builder = ScriptRun.on(SharedCorpus.sixteenMinutes(), temp.resolve("out"))
            .scripts(ScriptRun.exampleScripts().resolve("protocol_counter.lua"), ScriptRun.testScript(script));
        for (int i = 0; i < settings.length; i += 2) {
            builder.set((io.trawl.config.Setting<?>) settings[i], settings[i + 1]);
        }
        return builder.run();
    }

    private static void assertUnharmed(final ScriptRun run) {
        assertThat(run.result.failed()).isFalse();
        assertThat(run.summary.get("packets").asLong()).isEqualTo(7000);
        assertThat(run.counters(PROTOCOLS, 0)).containsEntry("6", 5312L).containsEntry("17", 225L).containsEntry("1", 2L);
        assertThat(run.script("protocol_counter.lua").get("errors").asLong()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"luajc", "interpreter"})
    void aRuntimeErrorOnEveryPacketIsLoggedOnceAndCounted(final String engine) {
        final ScriptRun run = runWithProtocolCounter("runtime_error.lua", TrawlSettings.SCRIPTS_COMPILE, engine);
        final JsonNode script = run.script("runtime_error.lua");
        assertThat(script.get("calls").asLong()).isEqualTo(5312);
        assertThat(script.get("errors").asLong()).isEqualTo(5312);
        assertThat(script.get("disabled").asBoolean()).isFalse();
        assertThat(script.get("error_messages")).hasSize(1);
        final JsonNode message = script.get("error_messages").get(0);
        assertThat(message.get("message").asText())
            .startsWith("runtime_error.lua:7: attempt to index")
            .endsWith("(in simplecounter.onpacket)");
        assertThat(message.get("count").asLong()).isEqualTo(5312);
        assertThat(run.warnings).filteredOn(w -> w.contains("runtime_error.lua:7:")).hasSize(1);
        assertUnharmed(run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"luajc", "interpreter"})
    void anInfiniteLoopIsStoppedByTheBudgetEvenInsidePcall(final String engine) {
        final ScriptRun run = runWithProtocolCounter("infinite_loop.lua", TrawlSettings.SCRIPTS_COMPILE, engine,
            TrawlSettings.SCRIPTS_BUDGET, 20_000);
        final JsonNode script = run.script("infinite_loop.lua");
        assertThat(script.get("calls").asLong()).isEqualTo(225);
        assertThat(script.get("runaways").asLong()).isEqualTo(225);
        assertThat(script.get("errors").asLong()).isEqualTo(225);
        assertThat(script.get("error_messages").get(0).get("message").asText())
            .startsWith("infinite_loop.lua:8: instruction budget of 20000 steps exhausted");
        // the statement after the loop never ran: pcall did not swallow the budget
        assertThat(run.counters("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F70}", 0)).isEmpty();
        assertThat(run.warnings).filteredOn(w -> w.contains("instruction budget")).hasSize(1);
        assertUnharmed(run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"luajc", "interpreter"})
    void runawayRecursionIsStoppedAndCounted(final String engine) {
        final ScriptRun run = runWithProtocolCounter("runaway_recursion.lua", TrawlSettings.SCRIPTS_COMPILE, engine,
            TrawlSettings.SCRIPTS_BUDGET, 50_000);
        final JsonNode script = run.script("runaway_recursion.lua");
        assertThat(script.get("calls").asLong()).isEqualTo(2);
        assertThat(script.get("errors").asLong()).isEqualTo(2);
        // the tail call runs in constant stack: only the budget stops it; the other call overflows the stack
        final String messages = script.get("error_messages").toString();
        assertThat(messages).contains("runaway_recursion.lua:1: instruction budget of 50000 steps exhausted");
        assertThat(messages).containsAnyOf("runaway_recursion.lua:2: stack overflow",
            "runaway_recursion.lua:2: instruction budget of 50000 steps exhausted");
        assertUnharmed(run);
    }

    @Test
    void wrongArgumentTypesToEngineMethodsNameTheMethodAndArgument() {
        final ScriptRun run = runWithProtocolCounter("wrong_arguments.lua");
        final JsonNode script = run.script("wrong_arguments.lua");
        assertThat(script.get("calls").asLong()).isEqualTo(225);
        final long good = (225 + 0) / 6; // calls 5, 11, ...: k == 5
        assertThat(script.get("errors").asLong()).isEqualTo(225 - good);
        final String messages = script.get("error_messages").toString();
        assertThat(messages)
            .contains("wrong_arguments.lua:10: engine:update_counter: argument 3 (meter) must be a whole number, got string 'not a meter'")
            .contains("wrong_arguments.lua:11: engine:update_counter: argument 1 (guid) must be a GUID string, got nil")
            .contains("wrong_arguments.lua:12: engine:add_alert: argument 2 (flowkey) must be a flow key string (flowkey:id()), got number 42")
            .contains("wrong_arguments.lua:13: engine:update_counter: not called on a engine (use engine:update_counter(...), with a colon)")
            .contains("wrong_arguments.lua:14: Layer:testbit: argument 1 (bit) must be a whole number, got string 'x'");
        assertThat(run.counters("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F71}", 0)).containsEntry("ok", good);
        assertUnharmed(run);
    }

    @Test
    void aBufferUsedAfterItsCallbackRaisesAnError() {
        final ScriptRun run = runWithProtocolCounter("stale_buffer.lua");
        final JsonNode script = run.script("stale_buffer.lua");
        assertThat(script.get("errors").asLong()).isEqualTo(225 / 2);
        assertThat(script.get("error_messages").get(0).get("message").asText())
            .startsWith("stale_buffer.lua:10: Buffer:hval_8: the Buffer is no longer valid");
        assertUnharmed(run);
    }

    @Test
    void osExitDoesNotEndTheProcess() {
        final ScriptRun run = runWithProtocolCounter("os_exit.lua");
        assertThat(run.script("os_exit.lua").get("error_messages").get(0).get("message").asText())
            .contains("os.exit is not available to scripts");
        assertUnharmed(run);
    }

    @Test
    void onloadReturningFalseDisablesTheScript() {
        final ScriptRun run = runWithProtocolCounter("disabled.lua");
        final JsonNode script = run.script("disabled.lua");
        assertThat(script.get("loaded").asBoolean()).isTrue();
        assertThat(script.get("disabled").asBoolean()).isTrue();
        assertThat(script.get("disabled_reason").asText()).isEqualTo("onload returned false");
        assertThat(script.get("calls").asLong()).isEqualTo(1); // onload only
        assertThat(run.printed).isEmpty();
        assertUnharmed(run);
    }

    @Test
    void aSyntaxErrorStopsTheRunBeforeAnyPacketNamingFileAndLine() {
        final ScriptRun.Builder builder = ScriptRun.on(SharedCorpus.sixteenMinutes(), temp.resolve("out"))
            .scripts(ScriptRun.exampleScripts().resolve("protocol_counter.lua"), ScriptRun.testScript("syntax_error.lua"),
                ScriptRun.testScript("missing_id.lua"));
        assertThatThrownBy(builder::run).isInstanceOf(ConfigException.class)
            .hasMessageContaining("2 script(s) cannot be loaded")
            .hasMessageContaining("syntax_error.lua:5:")
            .hasMessageContaining("missing_id.lua:3: TrisulPlugin.id.description is missing");
        assertThat(Files.exists(temp.resolve("out").resolve("summary.json"))).isFalse();
    }

    @Test
    void skipBadScriptsLoadsTheRestAndReportsTheBadOnes() {
        final ScriptRun run = ScriptRun.on(SharedCorpus.sixteenMinutes(), temp.resolve("out"))
            .scripts(ScriptRun.exampleScripts().resolve("protocol_counter.lua"), ScriptRun.testScript("syntax_error.lua"))
            .set(TrawlSettings.SCRIPTS_SKIP_BAD, true).run();
        final JsonNode bad = run.script("syntax_error.lua");
        assertThat(bad.get("loaded").asBoolean()).isFalse();
        assertThat(bad.get("error").asText()).startsWith("syntax_error.lua:5:");
        assertThat(run.warnings).anyMatch(w -> w.contains("skipped") && w.contains("syntax_error.lua:5:"));
        assertUnharmed(run);
    }
}

package io.trawl.pipeline.script;

import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hook later layers (T.async) use: an extension installs into every Lua state (pipeline instances
 * and worker states), sees each state after its main chunk ran, and a worker state runs the same script.
 */
class ScriptExtensionTest {
    @TempDir
    Path temp;

    @Test
    void extensionsInstallIntoEveryStateAndWorkerStatesRunTheScript() throws Exception {
        final Path script = temp.resolve("uses_extension.lua");
        Files.writeString(script, """
            local seen = 0
            TrisulPlugin = {
              id = { name = "uses extension", description = "calls T.probe both ways" },
              request_async_workers = 3,
              simplecounter = {
                protocol_guid = "{0A2C724B-5B9F-4ba6-9C97-B05080558574}",
                onpacket = function(engine, layer)
                  seen = seen + 1
                  T.probe.ping(seen)
                  T.probe:ping(seen)
                end,
              },
            }
            function worker_side(x) return "worker " .. x .. " " .. T.util.ntop(167772161) end
            """);
        final List<String> states = Collections.synchronizedList(new ArrayList<>());
        final List<Long> pings = Collections.synchronizedList(new ArrayList<>());
        final ScriptExtension probe = new ScriptExtension() {
            @Override
            public void install(final ScriptState state) {
                final LuaTable table = new LuaTable();
                table.set("ping", new VarArgFunction() {
                    @Override
                    public Varargs invoke(final Varargs args) {
                        final Varargs a = args.arg1() == table ? args.subargs(2) : args;
                        pings.add(a.arg1().tolong());
                        return NONE;
                    }
                });
                state.t().set("probe", table);
                states.add(state.role() + " " + state.pipeline() + " " + state.source().name());
            }

            @Override
            public void loaded(final ScriptState state) {
                assertThat(state.plugin().get("request_async_workers").toint()).isEqualTo(3);
            }
        };
        final ScriptRun.Builder builder = ScriptRun.on(SharedCorpus.sixteenMinutes(), temp.resolve("out")).scripts(script)
            .set(TrawlSettings.PIPELINES, 2);
        final ScriptStageFactory factory = new ScriptStageFactory(builder.context(), io.trawl.pipeline.RunConsole.standard(),
            List.of(probe));
        // the load-time probe instance
        assertThat(states).containsExactly("PIPELINE 0 uses_extension.lua");
        final ScriptSource source = factory.host().sources().getFirst();
        try (ScriptState worker = factory.host().newWorkerState(source)) {
            assertThat(worker.role()).isEqualTo(ScriptState.Role.WORKER);
            assertThat(worker.instance()).isNull();
            assertThat(worker.globals().get("worker_side").call(LuaValue.valueOf("ok")).tojstring()).isEqualTo("worker ok 10.0.0.1");
            assertThat(worker.t().get("probe").istable()).isTrue();
        }
        assertThat(states).contains("WORKER -1 uses_extension.lua");
        assertThat(pings).isEmpty();
    }
}

package io.trawl.pipeline.script;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ScriptSourceTest {
    @TempDir
    Path temp;

    private ScriptSource load(final String name, final String text) throws Exception {
        final Path file = temp.resolve(name);
        Files.writeString(file, text);
        return ScriptSource.load(file, name, true);
    }

    @Test
    void namesConstantSeesFieldNamesInNestedFunctionsButNotInComments() throws Exception {
        final ScriptSource scheduling = load("scheduling.lua", """
            TrisulPlugin = {
              filex_monitor = {
                onfile_http = function(engine, timestamp, flow, path)
                  local function later() T.async:schedule{data = path, onexecute = function(p) return p end} end
                  later()
                end,
              },
            }
            """);
        final ScriptSource counting = load("counting.lua", """
            -- counts files; no T.async here, async only in this comment
            local n = 0
            TrisulPlugin = { filex_monitor = { onfile_http = function() n = n + 1 end } }
            """);
        assertThat(scheduling.namesConstant("async")).isTrue();
        assertThat(scheduling.namesConstant("schedule")).isTrue();
        assertThat(counting.namesConstant("async")).isFalse();
        assertThat(counting.namesConstant("filex_monitor")).isTrue();
    }
}

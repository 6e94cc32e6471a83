package io.trawl.pipeline.script;

import io.trawl.config.ConfigException;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code require} finds modules next to the script first, then in lua.lib_dirs (dotted names are directories). */
class RequireTest {
    @TempDir
    Path temp;

    @Test
    void requireSearchesTheScriptDirectoryThenTheLibraryDirectories() throws Exception {
        final Path scripts = Files.createDirectories(temp.resolve("scripts"));
        final Path lib = Files.createDirectories(temp.resolve("lib").resolve("net"));
        Files.writeString(scripts.resolve("local_helper.lua"), "return { name = 'next to the script' }\n");
        Files.writeString(lib.resolve("names.lua"), "local M = {}\nfunction M.port(n) return n == 80 and 'http' or tostring(n) end\nreturn M\n");
        Files.writeString(lib.getParent().resolve("local_helper.lua"), "return { name = 'from the library (shadowed)' }\n");
        Files.writeString(scripts.resolve("requires.lua"), """
            local here = require "local_helper"
            local names = require "net.names"
            TrisulPlugin = {
              id = { name = "requires", description = "uses modules" },
              onload = function() print(here.name .. "; " .. names.port(80) .. "; " .. names.port(25)) end,
            }
            """);
        final ScriptRun run = ScriptRun.on(SharedCorpus.sixteenMinutes(), temp.resolve("out"))
            .scripts(scripts.resolve("requires.lua")).set(TrawlSettings.SCRIPTS_LIB_DIRS, lib.getParent().toString()).run();
        assertThat(run.printed).containsExactly("next to the script; http; 25");
        assertThat(run.script("requires.lua").get("errors").asLong()).isZero();
    }

    @Test
    void aMissingLibraryDirectoryIsAConfigurationError() {
        assertThatThrownBy(() -> ScriptRun.on(SharedCorpus.sixteenMinutes(), temp.resolve("out"))
            .scripts(ScriptRun.exampleScripts().resolve("host_bytes.lua"))
            .set(TrawlSettings.SCRIPTS_LIB_DIRS, temp.resolve("nope").toString()).run())
            .isInstanceOf(ConfigException.class).hasMessageContaining("lua.lib_dirs").hasMessageContaining("no such directory");
    }
}

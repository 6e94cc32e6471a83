package io.trawl.async.lua;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.config.Setting;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.TrawlRun;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.script.ScriptExtension;
import io.trawl.pipeline.script.ScriptStageFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs Lua scripts with T.async over a capture in-process (real TrawlRun, LuaJ, workers, files). */
final class AsyncScriptRun {
    final Path out;
    final List<String> printed = Collections.synchronizedList(new ArrayList<>());
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    TrawlRun.RunResult result;
    JsonNode summary;

    private AsyncScriptRun(final Path out) {
        this.out = out;
    }

    /** Writes a script into {@code dir} and returns its path. */
    static Path script(final Path dir, final String name, final String text) {
        try {
            Files.createDirectories(dir);
            final Path file = dir.resolve(name);
            Files.writeString(file, text);
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AsyncScriptRun run(final Path capture, final Path out, final int pipelines, final List<Path> scripts,
                              final Map<Setting<?>, Object> settings) {
        final AsyncScriptRun run = new AsyncScriptRun(out);
        final TrawlContext context = new TrawlContext();
        context.set(TrawlSettings.SOURCE, "pcap:" + capture, "test");
        context.set(TrawlSettings.OUT, out, "test");
        context.set(TrawlSettings.PIPELINES, pipelines, "test");
        context.set(TrawlSettings.PROGRESS, "never", "test");
        context.set(TrawlSettings.SCRIPTS, List.copyOf(scripts), "test");
        new LinkedHashMap<>(settings).forEach((setting, raw) -> context.setRaw(setting, raw, "test"));
        context.conclude();
        final RunConsole console = new RunConsole() {
            @Override
            public void info(final String line) {
            }

            @Override
            public void warn(final String line) {
                run.warnings.add(line);
            }

            @Override
            public void scriptOutput(final String line) {
                run.printed.add(line);
            }
        };
        final AsyncLuaExtension async = new AsyncLuaExtension();
        final List<ScriptExtension> extensions = List.of(async);
        final ScriptStageFactory scriptsFactory = new ScriptStageFactory(context, console, extensions);
        final StagedFiles staged = new StagedFiles();
        final List<PipelineStageFactory> factories = new java.util.ArrayList<>();
        factories.add(scriptsFactory);
        final io.trawl.pipeline.script.stream.ScriptStreams streams =
            io.trawl.pipeline.script.stream.ScriptStreams.forScripts(scriptsFactory, staged);
        if (streams != null) {
            factories.add(streams);
        }
        factories.add(async.start(context, scriptsFactory.host(), staged, console));
        try (CaptureSource source = CaptureSources.open(context.source(), context)) {
            run.result = new TrawlRun(context, source, factories, console).run();
            run.summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return run;
    }

    /** A console that drops everything. */
    static final RunConsole QUIET = RunConsole.silent();

    JsonNode async() {
        return summary.get("async");
    }

    List<String> printedStartingWith(final String prefix) {
        return printed.stream().filter(line -> line.startsWith(prefix)).toList();
    }
}

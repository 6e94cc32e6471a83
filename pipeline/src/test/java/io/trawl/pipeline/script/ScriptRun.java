package io.trawl.pipeline.script;

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
import io.trawl.pipeline.script.stream.ScriptStreams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs scripts over a capture in-process (the real TrawlRun, pipelines and LuaJ) and reads the outputs. */
final class ScriptRun {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path out;
    final List<String> printed = Collections.synchronizedList(new ArrayList<>());
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    final StagedFiles staged = new StagedFiles();
    ScriptStreams streams;
    TrawlRun.RunResult result;
    JsonNode summary;

    private ScriptRun(final Path out) {
        this.out = out;
    }

    /** The example scripts shipped in deploy/scripts. */
    static Path exampleScripts() {
        return Path.of(System.getProperty("trawl.project.dir", "..")).resolve("deploy").resolve("scripts");
    }

    /** A test script from src/test/resources/scripts. */
    static Path testScript(final String name) {
        return Path.of(System.getProperty("trawl.project.dir", "..")).resolve("pipeline/src/test/resources/scripts")
            .resolve(name);
    }

    static Builder on(final Path capture, final Path out) {
        return new Builder(capture, out);
    }

    static final class Builder {
        private final Path capture;
        private final Path out;
        private final List<Path> scripts = new ArrayList<>();
        private final Map<Setting<?>, Object> settings = new LinkedHashMap<>();
        private final List<PipelineStageFactory> extraStages = new ArrayList<>();

        Builder(final Path capture, final Path out) {
            this.capture = capture;
            this.out = out;
        }

        Builder scripts(final Path... paths) {
            scripts.addAll(List.of(paths));
            return this;
        }

        /** Adds a stage factory after the scripts' (e.g. a recorder of reassembled streams). */
        Builder stage(final PipelineStageFactory factory) {
            extraStages.add(factory);
            return this;
        }

        Builder set(final Setting<?> setting, final Object raw) {
            settings.put(setting, raw);
            return this;
        }

        TrawlContext context() {
            final TrawlContext context = new TrawlContext();
            context.set(TrawlSettings.SOURCE, "pcap:" + capture, "test");
            context.set(TrawlSettings.OUT, out, "test");
            context.set(TrawlSettings.PROGRESS, "never", "test");
            context.set(TrawlSettings.SCRIPTS, List.copyOf(scripts), "test");
            settings.forEach((setting, raw) -> context.setRaw(setting, raw, "test"));
            return context.conclude();
        }

        /** Loads the scripts (may throw ConfigException for bad ones) and runs to the end. */
        ScriptRun run() {
            final ScriptRun run = new ScriptRun(out);
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
            final TrawlContext context = context();
            final ScriptStageFactory factory = new ScriptStageFactory(context, console, List.of());
            final List<PipelineStageFactory> factories = new ArrayList<>(List.of(factory));
            // as the CLI wires it: reassembly, HTTP and file extraction when a script has a stream type
            run.streams = ScriptStreams.forScripts(factory, run.staged);
            if (run.streams != null) {
                factories.add(run.streams);
            }
            factories.addAll(extraStages);
            try (CaptureSource source = CaptureSources.open(context.source(), context)) {
                run.result = new TrawlRun(context, source, factories, console).run();
            }
            try {
                run.summary = JSON.readTree(out.resolve("summary.json").toFile());
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            return run;
        }
    }

    /** The lines of an output file as JSON objects (none when the file is absent). */
    List<JsonNode> lines(final String file) {
        final Path path = out.resolve(file);
        if (!Files.exists(path)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(path)) {
            return lines.filter(l -> !l.isBlank()).map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (final IOException e) {
                    throw new UncheckedIOException("bad JSON line in " + file + ": " + l, e);
                }
            }).toList();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sum of counters.jsonl values of one group, key and meter over all buckets. */
    double counter(final String group, final String key, final int meter) {
        return lines("counters.jsonl").stream()
            .filter(l -> l.get("group").asText().equalsIgnoreCase(group) && l.get("key").asText().equals(key)
                && l.get("meter").asInt() == meter)
            .mapToDouble(l -> l.get("value").asDouble()).sum();
    }

    /** Per key: the sum of one group's meter over all buckets. */
    Map<String, Long> counters(final String group, final int meter) {
        final Map<String, Long> out = new java.util.TreeMap<>();
        for (final JsonNode l : lines("counters.jsonl")) {
            if (l.get("group").asText().equalsIgnoreCase(group) && l.get("meter").asInt() == meter) {
                out.merge(l.get("key").asText(), (long) l.get("value").asDouble(), Long::sum);
            }
        }
        return out;
    }

    JsonNode script(final String name) {
        return summary.get("scripts").get(name);
    }
}

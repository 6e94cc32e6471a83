package io.trawl.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.config.Setting;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs trawl in-process on a capture and reads back its outputs. */
public final class RunFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The outputs of a finished run. */
    public record Output(TrawlRun.RunResult result, JsonNode summary, List<JsonNode> flows, Path out) {
    }

    private RunFixture() {
    }

    /** Runs {@code source} with {@code pipelines} pipelines into {@code out}, with extra settings. */
    public static Output run(final String source, final int pipelines, final Path out,
                             final Map<Setting<?>, Object> extra, final List<PipelineStageFactory> stages) {
        final TrawlContext context = new TrawlContext()
            .set(TrawlSettings.SOURCE, source, "test")
            .set(TrawlSettings.PIPELINES, pipelines, "test")
            .set(TrawlSettings.OUT, out, "test");
        extra.forEach((setting, value) -> context.setRaw(setting, value, "test"));
        context.conclude();
        try (CaptureSource captureSource = CaptureSources.open(source, context)) {
            final TrawlRun.RunResult result = new TrawlRun(context, captureSource, stages, quiet()).run();
            return new Output(result, JSON.readTree(out.resolve("summary.json").toFile()), readLines(out.resolve("flows.jsonl")), out);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Output run(final String source, final int pipelines, final Path out) {
        return run(source, pipelines, out, Map.of(), List.of());
    }

    /** Every line of a JSON Lines file (empty when absent). */
    public static List<JsonNode> readLines(final Path file) {
        final List<JsonNode> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        try {
            for (final String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** A console that keeps quiet but collects warnings and script output. */
    public static RunConsole quiet() {
        return new RunConsole() {
            @Override
            public void info(final String line) {
            }

            @Override
            public void warn(final String line) {
                System.err.println(line);
            }

            @Override
            public void scriptOutput(final String line) {
                System.out.println(line);
            }
        };
    }
}

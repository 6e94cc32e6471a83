package io.trawl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outputs of one run (an OUT directory), reduced to what must not depend on where the packets came
 * from, so that two runs over the same packets can be compared whatever outputs the run's stages write:
 * <ul>
 *   <li>{@code summary.json} without what describes the run rather than the packets (wall time, rate,
 *       source description, start time, the source's own facts, CPUs), and with only the drop causes both
 *       sources have;</li>
 *   <li>every {@code *.jsonl} file as the sorted multiset of its lines with the {@code pipeline} field
 *       removed ({@code flows.jsonl}, and whatever scripts write: counters, alerts, resources);</li>
 *   <li>every other file (extracted files, stored pcaps) by content hash.</li>
 * </ul>
 * The state directory is left out.
 */
final class RunOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RUN_SPECIFIC_SUMMARY_KEYS =
        Set.of("version", "source", "started", "duration_s", "packets_per_second", "capture", "drops");

    private final Path directory;
    private final JsonNode summary;

    RunOutputs(final Path directory) {
        this.directory = directory;
        try {
            this.summary = JSON.readTree(directory.resolve("summary.json").toFile());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode summary() {
        return summary;
    }

    /** True when the run wrote {@code relative} and it is not empty. */
    boolean hasNonEmpty(final String relative) {
        try {
            final Path file = directory.resolve(relative);
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The comparable form of {@code summary.json}; drops only under the causes both runs report. */
    ObjectNode comparableSummary(final RunOutputs other) {
        final ObjectNode out = summary.deepCopy();
        RUN_SPECIFIC_SUMMARY_KEYS.forEach(out::remove);
        final ObjectNode drops = out.putObject("drops_common");
        summary.path("drops").properties().forEach(e -> {
            if (other.summary.path("drops").has(e.getKey())) {
                drops.set(e.getKey(), e.getValue());
            }
        });
        if (out.get("per_pipeline") != null) {
            out.get("per_pipeline").forEach(p -> ((ObjectNode) p).remove("cpu"));
        }
        if (out.get("async") instanceof ObjectNode async) {
            // where the journal lives, timings and how jobs happened to batch differ between runs; counts do not
            async.remove(List.of("journal", "latency_us", "batches", "batched_jobs", "pending_max"));
            if (async.get("scripts") instanceof ObjectNode scripts) {
                scripts.forEach(script -> ((ObjectNode) script).remove(List.of("latency_us", "pending_max")));
            }
        }
        return out;
    }

    /** Every output file but summary.json and the state directory: relative path to comparable content. */
    Map<String, Object> comparableFiles() {
        final Map<String, Object> files = new TreeMap<>();
        final Path state = directory.resolve("state");
        try (Stream<Path> paths = Files.walk(directory)) {
            for (final Path path : paths.filter(Files::isRegularFile).filter(p -> !p.startsWith(state)).toList()) {
                final String relative = directory.relativize(path).toString();
                if (relative.equals("summary.json")) {
                    continue;
                }
                files.put(relative, relative.endsWith(".jsonl") ? sortedLinesWithoutPipeline(path) : sha256(path));
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static List<String> sortedLinesWithoutPipeline(final Path file) throws IOException {
        final List<String> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            final JsonNode node = JSON.readTree(line);
            if (node instanceof ObjectNode object) {
                object.remove("pipeline");
            }
            lines.add(JSON.writeValueAsString(node));
        }
        lines.sort(null);
        return lines;
    }

    private static String sha256(final Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asserts that this run and {@code other} saw the same packets the same way. */
    void assertSameResultsAs(final RunOutputs other) {
        assertThat(comparableSummary(other)).as("summary.json of %s vs %s", directory, other.directory)
            .isEqualTo(other.comparableSummary(this));
        final Map<String, Object> mine = comparableFiles();
        final Map<String, Object> theirs = other.comparableFiles();
        assertThat(mine.keySet()).as("output files of %s vs %s", directory, other.directory)
            .containsExactlyElementsOf(theirs.keySet());
        for (final Map.Entry<String, Object> file : mine.entrySet()) {
            assertThat(file.getValue()).as("%s of %s vs %s", file.getKey(), directory, other.directory)
                .isEqualTo(theirs.get(file.getKey()));
        }
    }
}

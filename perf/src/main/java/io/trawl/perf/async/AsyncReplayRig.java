package io.trawl.perf.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.perf.Peer;
import io.trawl.perf.PerfFiles;
import io.trawl.perf.filex.HttpDownloadsCapture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replay rate of {@code trawl run} with T.async at work, against the same run without it, in interleaved
 * rounds (the order of the variants rotates every round) on a capture of many concurrent HTTP downloads
 * ({@link HttpDownloadsCapture}), file mode with staging in {@code /dev/shm}:
 * <ul>
 *   <li>{@code count}: {@code onfile_http} counts bodies (no T.async) — issue 5's baseline;</li>
 *   <li>{@code schedule}: the same plus one {@code T.async:schedule} per body (journal on, sync batch);</li>
 *   <li>{@code schedule-nojournal}: the same with {@code async.journal.enabled: false} — issue 6's baseline;</li>
 *   <li>{@code copy} / {@code copy-nojournal}: every body copied out with {@code T.async:copy}, journal on/off.</li>
 * </ul>
 * The rate is the run's own (bytes / {@code duration_s} in summary.json: JVM start and script loading
 * excluded, draining the T.async jobs included); the T.async job rate is jobs completed / duration. Every
 * run is checked: as many jobs completed as bodies extracted, none failed or rejected.
 *
 * <p>{@code perf/run main io.trawl.perf.async.AsyncReplayRig [connections] [meanKiB] [rounds]}
 */
public final class AsyncReplayRig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Variant(String name, String script, String... settings) {
    }

    private AsyncReplayRig() {
    }

    public static void main(final String[] args) throws Exception {
        final int connections = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        final int meanKiB = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        final Path data = Path.of(System.getProperty("trawl.perf.data", "perf/target/data"));
        final HttpDownloadsCapture.Downloads capture = HttpDownloadsCapture.downloads(data, connections, meanKiB * 1024);
        PerfFiles.warm(capture.file());
        final long size = Files.size(capture.file());
        final Path work = Files.createTempDirectory(PerfFiles.workRoot(), "trawl-async-replay");
        final Path count = PerfFiles.script("async_bench_count.lua", work);
        final Path schedule = PerfFiles.script("async_bench_schedule.lua", work);
        final Path copy = PerfFiles.script("filex_bench_async_copy.lua", work);
        final String staging = "filex.ramfs_dir=" + work.resolve("staging");
        final List<Variant> variants = List.of(
            new Variant("count", count.toString(), staging),
            new Variant("schedule", schedule.toString(), staging),
            new Variant("schedule-nojournal", schedule.toString(), staging, "async.journal.enabled=false"),
            new Variant("copy", copy.toString(), staging),
            new Variant("copy-nojournal", copy.toString(), staging, "async.journal.enabled=false"));
        System.out.printf(Locale.ROOT, "capture %s: %,d bytes, %,d concurrent HTTP downloads; work in %s%n", capture.file(), size,
            connections, work);
        final Map<String, List<Double>> rates = new LinkedHashMap<>();
        final Map<String, List<Double>> jobRates = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", round));
            for (int i = 0; i < variants.size(); i++) {
                final Variant variant = variants.get((i + round - 1) % variants.size());
                final Path out = work.resolve(variant.name());
                Peer.run(PerfFiles.trawlRun(capture.file(), out, Path.of(variant.script()), variant.settings()));
                final JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
                final double seconds = summary.get("duration_s").asDouble();
                final long extracted = summary.path("files").path("extracted").asLong();
                final JsonNode async = summary.path("async");
                final long completed = async.path("completed").asLong();
                if (extracted < connections || (!variant.name().equals("count") && (completed != extracted
                    || async.path("failed").asLong() != 0 || async.path("rejected").asLong() != 0))) {
                    throw new IllegalStateException(variant.name() + ": " + extracted + " bodies, T.async " + async);
                }
                rates.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(size / seconds / 1e6);
                jobRates.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(completed / seconds);
                line.append(String.format(Locale.ROOT, "  %s %.0f MB/s (%.0f jobs/s)", variant.name(), size / seconds / 1e6,
                    completed / seconds));
                PerfFiles.delete(out);
            }
            System.out.println(line);
        }
        System.out.println("medians over " + rounds + " rounds:");
        rates.forEach((name, values) -> System.out.printf(Locale.ROOT, "  %-20s %7.1f MB/s  %9.0f T.async jobs/s%n", name,
            Peer.median(values), Peer.median(jobRates.get(name))));
        System.out.printf(Locale.ROOT, "issue 5 (d): schedule / count            = %.2f (target >= 0.95)%n",
            Peer.medianRatio(rates.get("schedule"), rates.get("count")));
        System.out.printf(Locale.ROOT, "issue 6: schedule journal on / off        = %.2f replay, %.2f jobs (target >= 0.8)%n",
            Peer.medianRatio(rates.get("schedule"), rates.get("schedule-nojournal")),
            Peer.medianRatio(jobRates.get("schedule"), jobRates.get("schedule-nojournal")));
        System.out.printf(Locale.ROOT, "issue 6: copy journal on / off            = %.2f replay, %.2f jobs (target >= 0.8)%n",
            Peer.medianRatio(rates.get("copy"), rates.get("copy-nojournal")),
            Peer.medianRatio(jobRates.get("copy"), jobRates.get("copy-nojournal")));
        PerfFiles.delete(work);
    }
}

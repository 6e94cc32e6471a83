package io.trawl.perf.filex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.perf.Peer;
import io.trawl.perf.PerfFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TCP reassembly + HTTP extraction against tcpflow and tshark, and memory under 100 k concurrent flows.
 *
 * <p>{@code throughput [connections] [mean body KiB] [pairs]} (defaults 1000 256 5): a capture of that
 * many concurrent HTTP downloads ({@link HttpDownloadsCapture#downloads}); each round runs, interleaved,
 * {@code tcpflow -r FILE -o DIR} (reassembly, every stream to a file), {@code tshark -r FILE -q
 * --export-objects http,DIR} (HTTP objects to files), trawl in file mode with a script whose
 * {@code onfile_http} does nothing (bodies staged, then auto-deleted), and trawl in file mode copying
 * every body out with {@code T.async:copy} (the files stay, as tshark's do). Every run writes to the same
 * file system, a tmpfs ({@link #workRoot}); outputs are deleted between runs (not timed). Rates are capture bytes per wall second of
 * the whole process (JVM start and script loading included for trawl); trawl's in-JVM rate
 * (summary.json duration) is printed too. Each run's output is checked (objects/streams count, bytes).
 *
 * <p>{@code memory [flows,...] [memcap]} (defaults 10000,100000 64m): per flow count, a capture where every flow holds an
 * out-of-order segment at the same moment ({@link HttpDownloadsCapture#heldSegments}); trawl runs it
 * without scripts and with a file-mode script under {@code reassembly.memcap}, and reports peak RSS
 * (VmHWM), the reassembler's peak buffered bytes and its off-heap store against the cap; between two
 * counts, the RSS per extra flow.
 */
public final class ExtractionVersusPeers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExtractionVersusPeers() {
    }

    public static void main(final String[] args) throws Exception {
        final String mode = args.length > 0 ? args[0] : "throughput";
        final Path data = Path.of(System.getProperty("trawl.perf.data", "perf/target/data"));
        switch (mode) {
            case "throughput" -> throughput(data, args.length > 1 ? Integer.parseInt(args[1]) : 1000,
                args.length > 2 ? Integer.parseInt(args[2]) : 256, args.length > 3 ? Integer.parseInt(args[3]) : 5);
            case "memory" -> {
                final String[] counts = (args.length > 1 ? args[1] : "10000,100000").split(",");
                long[] previous = null;
                for (final String count : counts) {
                    final long[] point = memory(data, Integer.parseInt(count), args.length > 2 ? args[2] : "64m");
                    if (previous != null) {
                        System.out.printf(Locale.ROOT, "slope %s -> %s flows: %.0f B of RSS per extra flow with the script, %.0f without%n",
                            previous[0], point[0], (point[2] - previous[2]) * 1024.0 / (point[0] - previous[0]),
                            (point[1] - previous[1]) * 1024.0 / (point[0] - previous[0]));
                    }
                    previous = point;
                }
            }
            default -> {
                System.err.println("usage: ExtractionVersusPeers throughput [connections] [meanKiB] [pairs] | memory [flows,flows...] [memcap]");
                System.exit(2);
            }
        }
    }

    private static long count(final Path dir, final String glob) throws IOException {
        try (var stream = Files.newDirectoryStream(dir, glob)) {
            long n = 0;
            for (final Path ignored : stream) {
                n++;
            }
            return n;
        }
    }
    private static void throughput(final Path data, final int connections, final int meanKiB, final int pairs) throws Exception {
        final HttpDownloadsCapture.Downloads capture = HttpDownloadsCapture.downloads(data, connections, meanKiB * 1024);
        final long size = Files.size(capture.file());
        PerfFiles.warm(capture.file());
        final Path work = Files.createTempDirectory(PerfFiles.workRoot(), "trawl-filex-bench");
        final Path noop = PerfFiles.script("filex_bench.lua", work);
        final Path copy = PerfFiles.script("filex_bench_async_copy.lua", work);
        System.out.printf(Locale.ROOT, "capture %s: %,d bytes, %,d concurrent HTTP downloads, %,d body bytes; outputs under %s%n",
            capture.file(), size, connections, capture.bodyBytes(), work);
        final Map<String, List<Double>> rates = new LinkedHashMap<>();
        final List<Double> inJvm = new ArrayList<>();
        final List<Double> inJvmCopy = new ArrayList<>();
        System.out.println("round  tcpflow MB/s  tshark MB/s  trawl MB/s  trawl+T.async copy MB/s  (trawl in-JVM MB/s: plain, copy)");
        for (int round = 1; round <= pairs; round++) {
            final Path flowDir = work.resolve("tcpflow");
            Files.createDirectories(flowDir);
            final Peer.Run tcpflow = Peer.run(List.of("tcpflow", "-r", capture.file().toString(), "-o", flowDir.toString()));
            check(count(flowDir, "*-*") >= 2L * connections, "tcpflow wrote " + count(flowDir, "*-*") + " stream files");
            PerfFiles.delete(flowDir);
            rates.computeIfAbsent("tcpflow", k -> new ArrayList<>()).add(size / tcpflow.wallSeconds() / 1e6);

            final Path objects = work.resolve("tshark");
            Files.createDirectories(objects);
            final Peer.Run tshark = Peer.run(List.of("tshark", "-n", "-r", capture.file().toString(), "-q", "--export-objects",
                "http," + objects));
            check(count(objects, "*") == connections, "tshark exported " + count(objects, "*") + " objects");
            PerfFiles.delete(objects);
            rates.computeIfAbsent("tshark", k -> new ArrayList<>()).add(size / tshark.wallSeconds() / 1e6);

            final Path out = work.resolve("trawl");
            final Peer.Run plain = Peer.run(PerfFiles.trawlRun(capture.file(), out, noop, "filex.ramfs_dir=" + work.resolve("staging")));
            inJvm.add(size / checkTrawl(out, connections, capture.bodyBytes()) / 1e6);
            PerfFiles.delete(out);
            rates.computeIfAbsent("trawl", k -> new ArrayList<>()).add(size / plain.wallSeconds() / 1e6);

            final Path outCopy = work.resolve("trawl-copy");
            final Peer.Run copied = Peer.run(PerfFiles.trawlRun(capture.file(), outCopy, copy, "filex.ramfs_dir=" + work.resolve("staging")));
            inJvmCopy.add(size / checkTrawl(outCopy, connections, capture.bodyBytes()) / 1e6);
            check(count(outCopy.resolve("objects"), "*") == connections, "T.async copied " + count(outCopy.resolve("objects"), "*"));
            PerfFiles.delete(outCopy);
            rates.computeIfAbsent("trawl+copy", k -> new ArrayList<>()).add(size / copied.wallSeconds() / 1e6);

            System.out.printf(Locale.ROOT, "%5d  %12.1f  %11.1f  %10.1f  %23.1f  (%.1f, %.1f)%n", round, rates.get("tcpflow").getLast(),
                rates.get("tshark").getLast(), rates.get("trawl").getLast(), rates.get("trawl+copy").getLast(), inJvm.getLast(),
                inJvmCopy.getLast());
        }
        System.out.printf(Locale.ROOT, "median MB/s: tcpflow %.1f | tshark %.1f | trawl %.1f | trawl+T.async copy %.1f | trawl in-JVM %.1f, %.1f%n",
            Peer.median(rates.get("tcpflow")), Peer.median(rates.get("tshark")), Peer.median(rates.get("trawl")),
            Peer.median(rates.get("trawl+copy")), Peer.median(inJvm), Peer.median(inJvmCopy));
        for (final String who : List.of("trawl", "trawl+copy")) {
            System.out.printf(Locale.ROOT, "%s: median of per-round ratios: %.2fx tcpflow, %.2fx tshark%n", who,
                Peer.medianRatio(rates.get(who), rates.get("tcpflow")), Peer.medianRatio(rates.get(who), rates.get("tshark")));
        }
        PerfFiles.delete(work);
    }

    private static void check(final boolean ok, final String what) {
        if (!ok) {
            throw new IllegalStateException("unexpected output: " + what);
        }
    }

    /** Checks a trawl run's summary; returns its in-JVM duration (s). */
    private static double checkTrawl(final Path out, final int connections, final long bodyBytes) throws IOException {
        final JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        final JsonNode files = summary.get("files");
        check("completed".equals(summary.get("status").asText()), "trawl status " + summary.get("status"));
        check(files.get("extracted").asLong() == connections && files.get("partial").asLong() == 0
            && files.get("bytes").asLong() == bodyBytes, "trawl files " + files);
        check(summary.get("scripts").elements().next().get("errors").asLong() == 0, "script errors");
        return summary.get("duration_s").asDouble();
    }

    /** Runs a command, sampling its peak RSS (VmHWM) until it exits; returns KiB. */
    private static long peakRssKiB(final List<String> command) throws Exception {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final Path status = Path.of("/proc/" + process.pid() + "/status");
        long peak = 0;
        while (!process.waitFor(20, TimeUnit.MILLISECONDS)) {
            try {
                for (final String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (final IOException e) {
                // exited between the check and the read
            }
        }
        check(process.exitValue() == 0, "trawl exited " + process.exitValue());
        return peak;
    }

    /** Returns {flows, peak RSS KiB without scripts, peak RSS KiB with the file-mode script}. */
    private static long[] memory(final Path data, final int flows, final String memcap) throws Exception {
        final Path capture = HttpDownloadsCapture.heldSegments(data, flows);
        PerfFiles.warm(capture);
        final Path work = Files.createTempDirectory(PerfFiles.workRoot(), "trawl-filex-memory");
        final Path noop = PerfFiles.script("filex_bench.lua", work);
        System.out.printf(Locale.ROOT, "capture %s: %,d bytes, %,d flows each holding one out-of-order segment at once%n",
            capture, Files.size(capture), flows);
        final Path bare = work.resolve("bare");
        final long bareRss = peakRssKiB(PerfFiles.trawlRun(capture, bare, null));
        final Path filex = work.resolve("filex");
        final long filexRss = peakRssKiB(PerfFiles.trawlRun(capture, filex, noop, "reassembly.memcap=" + memcap,
            "filex.ramfs_dir=" + work.resolve("staging")));
        final JsonNode reassembly = JSON.readTree(filex.resolve("summary.json").toFile()).get("reassembly");
        final JsonNode files = JSON.readTree(filex.resolve("summary.json").toFile()).get("files");
        System.out.printf(Locale.ROOT, "peak RSS: no scripts %,d KiB; file-mode script, reassembly.memcap %s: %,d KiB (+%,d KiB, %.0f B per flow)%n",
            bareRss, memcap, filexRss, filexRss - bareRss, (filexRss - bareRss) * 1024.0 / flows);
        System.out.printf(Locale.ROOT, "reassembler: buffered_peak_bytes %,d, store_bytes %,d (cap %s), memcap_drops %,d, gaps %,d, "
                + "out_of_order %,d, flows %,d; files extracted %,d, partial %,d%n",
            reassembly.get("buffered_peak_bytes").asLong(), reassembly.get("store_bytes").asLong(), memcap,
            reassembly.get("memcap_drops").asLong(), reassembly.get("gaps").asLong(), reassembly.get("out_of_order").asLong(),
            reassembly.get("flows").asLong(), files.get("extracted").asLong(), files.get("partial").asLong());
        PerfFiles.delete(work);
        return new long[] {flows, bareRss, filexRss};
    }
}

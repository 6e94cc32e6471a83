package io.trawl.perf;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.TrawlRun;
import io.trawl.pipeline.script.ScriptStageFactory;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.profile.GCProfiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The script layer's performance rig; every figure of the "Lua script host" section of perf/RESULTS.md
 * comes from here. Both comparisons interleave the candidates round by round (A B A B...) and report
 * medians and the median of per-round ratios.
 *
 * <pre>
 * calls [ROUNDS]          simplecounter.onpacket updating a counter: trawl (JMH, LuaJC and interpreter,
 *                         ns/call and B/op) vs lua5.4 and luajit running the same body in a driver loop
 * replay [ROUNDS] [COPIES] replay rate of 16minutes.pcap repeated COPIES times, with one simplecounter
 *                         script (deploy/scripts/protocol_counter.lua) vs none, one pipeline
 * </pre>
 */
public final class ScriptPerfRig {
    private ScriptPerfRig() {
    }

    public static void main(final String[] args) throws Exception {
        final String what = args.length > 0 ? args[0] : "calls";
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        switch (what) {
            case "calls" -> calls(rounds);
            case "replay" -> replay(rounds, args.length > 2 ? Integer.parseInt(args[2]) : 40);
            default -> throw new IllegalArgumentException("usage: calls [ROUNDS] | replay [ROUNDS] [COPIES]");
        }
    }

    // ---- per-call cost ----------------------------------------------------------------------------

    private static void calls(final int rounds) throws IOException, RunnerException, InterruptedException {
        final Path driver = Files.createTempFile("simplecounter_driver", ".lua");
        try (InputStream in = ScriptPerfRig.class.getResourceAsStream("/lua/simplecounter_driver.lua")) {
            Files.write(driver, in.readAllBytes());
        }
        final Map<String, List<Double>> ns = new LinkedHashMap<>();
        final Map<String, List<Double>> bytes = new LinkedHashMap<>();
        final List<Double> ratioLua = new ArrayList<>();
        final List<Double> ratioLuajit = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            final Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(SimplecounterCallBenchmark.class.getName())
                .forks(1).warmupIterations(5).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS).addProfiler(GCProfiler.class)
                .jvmArgsAppend(jvmArgs()).build()).run();
            for (final RunResult result : results) {
                final String name = result.getParams().getBenchmark().replaceAll(".*\\.", "") + "["
                    + result.getParams().getParam("engine") + "]";
                ns.computeIfAbsent(name, k -> new ArrayList<>()).add(result.getPrimaryResult().getScore());
                final var secondary = result.getSecondaryResults();
                final var alloc = secondary.containsKey("gc.alloc.rate.norm") ? secondary.get("gc.alloc.rate.norm")
                    : secondary.get("\u00b7gc.alloc.rate.norm");
                bytes.computeIfAbsent(name, k -> new ArrayList<>()).add(alloc == null ? Double.NaN : alloc.getScore());
            }
            final double lua = runDriver("lua5.4", driver, 20_000_000);
            final double luajit = runDriver("luajit", driver, 200_000_000);
            ns.computeIfAbsent("lua5.4 driver loop", k -> new ArrayList<>()).add(lua);
            ns.computeIfAbsent("luajit driver loop", k -> new ArrayList<>()).add(luajit);
            final double trawl = ns.get("callback[luajc]").getLast();
            ratioLua.add(trawl / lua);
            ratioLuajit.add(trawl / luajit);
            System.out.printf(Locale.ROOT, "round %d: trawl luajc callback %.1f ns, lua5.4 %.1f ns, luajit %.1f ns%n",
                round, trawl, lua, luajit);
        }
        System.out.println();
        System.out.println("| what | ns/call (median of " + rounds + ") | B/op | all rounds (ns) |");
        System.out.println("|---|---|---|---|");
        ns.forEach((name, values) -> System.out.printf(Locale.ROOT, "| %s | %.1f | %s | %s |%n", name, median(values),
            bytes.containsKey(name) ? String.format(Locale.ROOT, "%.0f", median(bytes.get(name))) : "-", format(values)));
        System.out.printf(Locale.ROOT, "%nratio trawl (LuaJC callback) / lua5.4: %.2f (median of per-round ratios %s)%n",
            median(ratioLua), format(ratioLua));
        System.out.printf(Locale.ROOT, "ratio trawl (LuaJC callback) / luajit: %.2f (median of per-round ratios %s)%n",
            median(ratioLuajit), format(ratioLuajit));
        Files.deleteIfExists(driver);
    }

    private static double runDriver(final String interpreter, final Path driver, final long calls)
        throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(interpreter, driver.toString(), Long.toString(calls))
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains("ns_per_call")) {
            throw new IllegalStateException(interpreter + " failed: " + output);
        }
        return Double.parseDouble(output.substring(output.indexOf("ns_per_call") + 11).trim().split("\\s+")[0]);
    }

    /** The JVM flags every trawl JVM gets (deploy's trawl-jvm.options, generated from the root pom). */
    static String[] jvmArgs() throws IOException {
        try (InputStream in = ScriptPerfRig.class.getResourceAsStream("/trawl-jvm.options")) {
            if (in == null) {
                return new String[0];
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+");
        }
    }

    // ---- replay rate ------------------------------------------------------------------------------

    private static void replay(final int rounds, final int copies) throws IOException {
        final Path project = Path.of(System.getProperty("trawl.project.dir", "."));
        final Path corpus = project.resolve("../shared/corpus/16minutes.pcap");
        final Path script = project.resolve("deploy/scripts/protocol_counter.lua");
        final Path work = Files.createTempDirectory("trawl-replay");
        final Path capture = work.resolve("16minutes-x" + copies + ".pcap");
        final long packets = repeat(corpus, capture, copies);
        final List<Double> none = new ArrayList<>();
        final List<Double> one = new ArrayList<>();
        final List<Double> ratio = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            final double a = replayOnce(capture, work.resolve("none"), List.of());
            final double b = replayOnce(capture, work.resolve("one"), List.of(script));
            none.add(a);
            one.add(b);
            ratio.add(b / a);
            System.out.printf(Locale.ROOT, "round %d: no script %.0f packets/s, one simplecounter %.0f packets/s%n",
                round, a, b);
        }
        System.out.printf(Locale.ROOT, "%n%,d packets (16minutes.pcap x %d), 1 pipeline, medians of %d rounds:%n",
            packets, copies, rounds);
        System.out.printf(Locale.ROOT, "| no script | %.0f packets/s | %s |%n", median(none), format(none));
        System.out.printf(Locale.ROOT, "| one simplecounter script | %.0f packets/s | %s |%n", median(one), format(one));
        System.out.printf(Locale.ROOT, "ratio with/without: %.2f (per round %s)%n", median(ratio), format(ratio));
    }

    private static double replayOnce(final Path capture, final Path out, final List<Path> scripts) {
        final TrawlContext context = new TrawlContext();
        context.set(TrawlSettings.SOURCE, "pcap:" + capture, "rig");
        context.set(TrawlSettings.OUT, out, "rig");
        context.set(TrawlSettings.SCRIPTS, scripts, "rig");
        context.set(TrawlSettings.PROGRESS, "never", "rig");
        context.conclude();
        final List<PipelineStageFactory> factories = scripts.isEmpty() ? List.of()
            : List.of(new ScriptStageFactory(context, SimplecounterCallBenchmark.QUIET, List.of()));
        try (CaptureSource source = CaptureSources.open(context.source(), context)) {
            final TrawlRun.RunResult result = new TrawlRun(context, source, factories, SimplecounterCallBenchmark.QUIET).run();
            return ((Number) result.summary().get("packets_per_second")).doubleValue();
        }
    }

    /** Writes {@code copies} copies of a classic pcap back to back, each shifted by the capture's span + 1 s. */
    private static long repeat(final Path source, final Path target, final int copies) throws IOException {
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(source)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 0xA1B2C3D4) {
            throw new IOException(source + ": expected a little-endian microsecond pcap");
        }
        final List<long[]> records = new ArrayList<>();
        int at = 24;
        while (at + 16 <= in.limit()) {
            final int caplen = in.getInt(at + 8);
            records.add(new long[] {in.getInt(at) & 0xFFFFFFFFL, in.getInt(at + 4) & 0xFFFFFFFFL, caplen,
                in.getInt(at + 12), at + 16});
            at += 16 + caplen;
        }
        final long span = records.getLast()[0] - records.getFirst()[0] + 1;
        long written = 0;
        try (PcapWriter writer = PcapWriter.ethernet(target)) {
            for (int copy = 0; copy < copies; copy++) {
                for (final long[] r : records) {
                    final long nanos = ((r[0] + copy * span) * 1_000_000L + r[1]) * 1000L;
                    writer.write(nanos, in.array(), (int) r[4], (int) r[2], (int) r[3]);
                    written++;
                }
            }
        }
        return written;
    }

    // ---- statistics -------------------------------------------------------------------------------

    static double median(final List<Double> values) {
        final List<Double> sorted = values.stream().sorted().toList();
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(final List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v)).toList().toString();
    }
}

package io.trawl.perf;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.TrawlRun;
import io.trawl.pipeline.script.ScriptSource;
import io.trawl.pipeline.script.ScriptStageFactory;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.profile.GCProfiler;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
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
 * load [ROUNDS]          what compiling costs at startup: parse + LuaJC + instrumentation of each
 *                         example script vs parse only, interleaved
 * replay [ROUNDS] [COPIES] replay rate of 16minutes.pcap repeated COPIES (and COPIES/10) times, with no
 *                         script, a one-counter simplecounter, and deploy/scripts/protocol_counter.lua; one
 *                         pipeline; the marginal rate between the two sizes cancels startup costs
 * </pre>
 */
public final class ScriptPerfRig {
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ScriptPerfRig() {
    }

    public static void main(final String[] args) throws Exception {
        final String what = args.length > 0 ? args[0] : "calls";
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        switch (what) {
            case "calls" -> calls(rounds);
            case "replay" -> replay(rounds, args.length > 2 ? Integer.parseInt(args[2]) : 40);
            case "load" -> load(rounds);
            default -> throw new IllegalArgumentException("usage: calls [ROUNDS] | replay [ROUNDS] [COPIES] | load [ROUNDS]");
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
                .jvmArgsAppend(TrawlJvm.flags()).build()).run();
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

    // ---- load cost --------------------------------------------------------------------------------

    private static void load(final int rounds) throws Exception {
        final Path scripts = Path.of(System.getProperty("trawl.project.dir", ".")).resolve("deploy/scripts");
        final List<Path> files;
        try (var list = Files.list(scripts)) {
            files = list.filter(f -> f.toString().endsWith(".lua")).sorted().toList();
        }
        for (int warm = 0; warm < 20; warm++) {
            for (final Path f : files) {
                ScriptSource.load(f, f.getFileName().toString(), true);
            }
        }
        System.out.println("| script | parse (ms) | parse + LuaJC (ms) |");
        System.out.println("|---|---|---|");
        for (final Path f : files) {
            final List<Double> parse = new ArrayList<>();
            final List<Double> compile = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                long t = System.nanoTime();
                ScriptSource.load(f, f.getFileName().toString(), false);
                parse.add((System.nanoTime() - t) / 1e6);
                t = System.nanoTime();
                ScriptSource.load(f, f.getFileName().toString(), true);
                compile.add((System.nanoTime() - t) / 1e6);
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f |%n", f.getFileName(), median(parse), median(compile));
        }
    }

    // ---- replay rate ------------------------------------------------------------------------------

    private static void replay(final int rounds, final int copies) throws IOException {
        final Path project = Path.of(System.getProperty("trawl.project.dir", "."));
        final Path corpus = project.resolve("../shared/corpus/16minutes.pcap");
        final Path work = Files.createTempDirectory("trawl-replay");
        final Path counterScript = work.resolve("one_counter.lua");
        Files.writeString(counterScript, SimplecounterCallBenchmark.SCRIPT.replace("{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
            "{0A2C724B-5B9F-4ba6-9C97-B05080558574}")); // the benchmark's body, on every IPv4 packet
        final Path protocolScript = project.resolve("deploy/scripts/protocol_counter.lua");
        final int smallCopies = Math.max(1, copies / 10);
        final Path small = work.resolve("small.pcap");
        final Path big = work.resolve("big.pcap");
        final long smallPackets = repeat(corpus, small, smallCopies);
        final long bigPackets = repeat(corpus, big, copies);
        final Map<String, List<Path>> configurations = new LinkedHashMap<>();
        configurations.put("no script", List.of());
        configurations.put("one simplecounter: update_counter(G, \"dns\", 0, 1) per IPv4 packet", List.of(counterScript));
        configurations.put("one simplecounter: deploy/scripts/protocol_counter.lua", List.of(protocolScript));
        final Map<String, List<Double>> marginal = new LinkedHashMap<>();
        final Map<String, List<Double>> cpu = new LinkedHashMap<>();
        final Map<String, List<Double>> whole = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (final Map.Entry<String, List<Path>> c : configurations.entrySet()) {
                final double[] s = replayOnce(small, work.resolve("out"), c.getValue());
                final double[] b = replayOnce(big, work.resolve("out"), c.getValue());
                final double rate = (bigPackets - smallPackets) / (b[0] - s[0]);
                final double cpuPerPacket = (b[2] - s[2]) / (bigPackets - smallPackets);
                marginal.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(rate);
                cpu.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(cpuPerPacket);
                whole.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(b[1]);
                System.out.printf(Locale.ROOT, "round %d: %s: %.0f packets/s (marginal), %.0f CPU ns/packet, %.0f packets/s "
                    + "(whole run)%n", round, c.getKey(), rate, cpuPerPacket, b[1]);
            }
        }
        System.out.printf(Locale.ROOT, "%n%,d and %,d packets (16minutes.pcap x %d and x %d), 1 pipeline, medians of %d rounds.%n"
            + "Marginal rate = extra packets / extra seconds between the two sizes (startup, script loading and JIT"
            + " warm-up cancel out).%n", smallPackets, bigPackets, smallCopies, copies, rounds);
        System.out.println("CPU ns/packet = extra process CPU time / extra packets (all threads: dispatcher, pipeline, GC,"
            + " JIT); robust against other load on the machine, unlike wall time.");
        System.out.println("| configuration | CPU ns/packet | marginal packets/s (wall) | whole-run packets/s | CPU ns/packet per round |");
        System.out.println("|---|---|---|---|---|");
        final double base = median(cpu.get("no script"));
        cpu.forEach((name, values) -> System.out.printf(Locale.ROOT, "| %s | %.0f (%.2fx) | %.0f | %.0f | %s |%n", name,
            median(values), median(values) / base, median(marginal.get(name)), median(whole.get(name)), format(values)));
    }

    /** @return {duration s, packets per second, process CPU ns} of one run */
    private static double[] replayOnce(final Path capture, final Path out, final List<Path> scripts) {
        final TrawlContext context = new TrawlContext();
        context.set(TrawlSettings.SOURCE, "pcap:" + capture, "rig");
        context.set(TrawlSettings.OUT, out, "rig");
        context.set(TrawlSettings.SCRIPTS, scripts, "rig");
        context.set(TrawlSettings.PROGRESS, "never", "rig");
        context.conclude();
        final List<PipelineStageFactory> factories = scripts.isEmpty() ? List.of()
            : List.of(new ScriptStageFactory(context, SimplecounterCallBenchmark.QUIET, List.of()));
        final long cpuBefore = PROCESS.getProcessCpuTime();
        try (CaptureSource source = CaptureSources.open(context.source(), context)) {
            final TrawlRun.RunResult result = new TrawlRun(context, source, factories, SimplecounterCallBenchmark.QUIET).run();
            return new double[] {((Number) result.summary().get("duration_s")).doubleValue(),
                ((Number) result.summary().get("packets_per_second")).doubleValue(),
                PROCESS.getProcessCpuTime() - cpuBefore};
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

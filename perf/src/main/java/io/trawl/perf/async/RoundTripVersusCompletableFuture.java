package io.trawl.perf.async;

import io.trawl.perf.Peer;
import io.trawl.pipeline.script.ScriptInstance;
import org.HdrHistogram.Histogram;
import org.luaj.vm2.LuaValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Round trip of a no-op job, submit → result back on the submitting thread: trawl's
 * {@code T.async:schedule} (Lua onexecute on a worker, onresult on the pipeline) against
 * {@code CompletableFuture.supplyAsync(task, executor)} collected on the submitting thread, one worker
 * thread each, in interleaved rounds. Latency: one job at a time (p50/p99). Throughput: 256 jobs in flight.
 *
 * <p>Usage: {@code perf/run main io.trawl.perf.async.RoundTripVersusCompletableFuture [rounds] [idle]}
 */
public final class RoundTripVersusCompletableFuture {
    private static final int LATENCY_SAMPLES = 20_000;
    private static final int THROUGHPUT_JOBS = 200_000;
    private static final int IN_FLIGHT = 256;

    private static final String SCRIPT = """
        TrisulPlugin = {
          id = { name = "roundtrip", description = "no-op jobs" },
          onload = function() T.done = 0 end,
        }
        function bench()
          T.async:schedule({ data = "x", onexecute = function(d) return d end,
            onresult = function(engine, data, result) T.done = T.done + 1 end })
        end
        """;

    private RoundTripVersusCompletableFuture() {
    }

    public static void main(final String[] args) throws Exception {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final String idle = args.length > 1 ? args[1] : "busy-spin";
        final List<Double> trawlP50 = new ArrayList<>();
        final List<Double> trawlP99 = new ArrayList<>();
        final List<Double> baseP50 = new ArrayList<>();
        final List<Double> baseP99 = new ArrayList<>();
        final List<Double> trawlRate = new ArrayList<>();
        final List<Double> baseRate = new ArrayList<>();
        System.out.println("round  trawl p50/p99 µs  CF p50/p99 µs   trawl jobs/s   CF jobs/s");
        for (int round = 1; round <= rounds; round++) {
            final double[] t = trawl(idle);
            final double[] b = baseline();
            trawlP50.add(t[0]);
            trawlP99.add(t[1]);
            trawlRate.add(t[2]);
            baseP50.add(b[0]);
            baseP99.add(b[1]);
            baseRate.add(b[2]);
            System.out.printf(Locale.ROOT, "%5d  %6.2f / %6.2f   %6.2f / %6.2f   %,12.0f  %,10.0f%n", round, t[0], t[1], b[0], b[1], t[2], b[2]);
        }
        System.out.printf(Locale.ROOT, "median  trawl p50 %.2f µs vs CompletableFuture %.2f µs (%.2fx); p99 %.2f vs %.2f; "
                + "throughput %,.0f vs %,.0f jobs/s (%.2fx)%n",
            Peer.median(trawlP50), Peer.median(baseP50), Peer.median(trawlP50) / Peer.median(baseP50),
            Peer.median(trawlP99), Peer.median(baseP99), Peer.median(trawlRate), Peer.median(baseRate),
            Peer.median(trawlRate) / Peer.median(baseRate));
    }

    /** p50 µs, p99 µs, jobs/s. */
    private static double[] trawl(final String idle) throws Exception {
        final Path dir = Files.createTempDirectory("trawl-roundtrip");
        try (AsyncHarness harness = new AsyncHarness(dir, SCRIPT, idle)) {
            final ScriptInstance instance = harness.scripts.instances().getFirst();
            final LuaValue bench = instance.state().globals().get("bench");
            final LuaValue t = instance.state().t();
            final Histogram latency = new Histogram(10_000_000L, 3);
            for (int i = 0; i < LATENCY_SAMPLES * 2; i++) {
                final int before = t.get("done").toint();
                final long start = System.nanoTime();
                instance.call("bench", bench, LuaValue.NIL, LuaValue.NIL);
                while (t.get("done").toint() == before) {
                    harness.drain();
                }
                if (i >= LATENCY_SAMPLES) {
                    latency.recordValue(Math.min((System.nanoTime() - start), 9_999_999L));
                }
            }
            final int base = t.get("done").toint();
            final long start = System.nanoTime();
            int submitted = 0;
            while (t.get("done").toint() - base < THROUGHPUT_JOBS) {
                while (submitted < THROUGHPUT_JOBS && submitted - (t.get("done").toint() - base) < IN_FLIGHT) {
                    instance.call("bench", bench, LuaValue.NIL, LuaValue.NIL);
                    submitted++;
                }
                harness.drain();
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                THROUGHPUT_JOBS / seconds};
        }
    }

    private static double[] baseline() {
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            final Histogram latency = new Histogram(10_000_000L, 3);
            for (int i = 0; i < LATENCY_SAMPLES * 2; i++) {
                final long start = System.nanoTime();
                final String result = CompletableFuture.supplyAsync(() -> "x", executor).join();
                if (result.isEmpty()) {
                    throw new IllegalStateException();
                }
                if (i >= LATENCY_SAMPLES) {
                    latency.recordValue(Math.min((System.nanoTime() - start), 9_999_999L));
                }
            }
            final long start = System.nanoTime();
            final ArrayDeque<CompletableFuture<String>> inFlight = new ArrayDeque<>();
            int done = 0;
            int submitted = 0;
            while (done < THROUGHPUT_JOBS) {
                while (submitted < THROUGHPUT_JOBS && inFlight.size() < IN_FLIGHT) {
                    inFlight.add(CompletableFuture.supplyAsync(() -> "x", executor));
                    submitted++;
                }
                inFlight.poll().join();
                done++;
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                THROUGHPUT_JOBS / seconds};
        } finally {
            executor.shutdownNow();
        }
    }
}

package io.trawl.perf.async;

import io.trawl.async.AsyncService;
import io.trawl.async.job.CompletionHandler;
import io.trawl.async.pipeline.AsyncSubmitter;
import io.trawl.async.pipeline.CompletionStage;
import io.trawl.config.TrawlSettings;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Round trip of a no-op job, submit → result back on the submitting thread, against
 * {@code CompletableFuture.supplyAsync(task, executor)} collected on the submitting thread, one worker
 * thread each, in interleaved rounds. Latency: one job at a time (p50/p99). Throughput: 256 jobs in flight.
 * trawl is measured twice: the transport alone (a Java no-op task through {@code AsyncSubmitter.schedule},
 * worker, SPSC completion queue and the completion stage: the same work as the baseline's supplier), and
 * the whole Lua path ({@code T.async:schedule} from a script: the call parses the spec table, snapshots
 * data and upvalues and journals the job; the worker re-creates {@code onexecute} in its own Lua state;
 * {@code onresult} runs in the script's state), which does far more per job than the baseline.
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
        final List<Double> javaP50 = new ArrayList<>();
        final List<Double> javaP99 = new ArrayList<>();
        final List<Double> javaRate = new ArrayList<>();
        final List<Double> javaRateRatios = new ArrayList<>();
        final List<Double> javaP50Ratios = new ArrayList<>();
        System.out.println("round  trawl-java p50/p99 µs  jobs/s  |  trawl-lua p50/p99 µs  jobs/s  |  CF p50/p99 µs  jobs/s");
        for (int round = 1; round <= rounds; round++) {
            final double[] j = trawlJava(idle);
            final double[] t = trawl(idle);
            final double[] b = baseline();
            javaP50.add(j[0]);
            javaP99.add(j[1]);
            javaRate.add(j[2]);
            javaRateRatios.add(j[2] / b[2]);
            javaP50Ratios.add(j[0] / b[0]);
            trawlP50.add(t[0]);
            trawlP99.add(t[1]);
            trawlRate.add(t[2]);
            baseP50.add(b[0]);
            baseP99.add(b[1]);
            baseRate.add(b[2]);
            System.out.printf(Locale.ROOT, "%5d  %6.2f / %6.2f %,12.0f  |  %6.2f / %6.2f %,10.0f  |  %6.2f / %6.2f %,10.0f%n",
                round, j[0], j[1], j[2], t[0], t[1], t[2], b[0], b[1], b[2]);
        }
        System.out.printf(Locale.ROOT, "median  trawl transport (Java no-op) p50 %.2f µs vs CompletableFuture %.2f µs (%.2fx, median of "
                + "per-round ratios %.2fx); p99 %.2f vs %.2f; throughput %,.0f vs %,.0f jobs/s (%.2fx, median of per-round ratios %.2fx)%n",
            Peer.median(javaP50), Peer.median(baseP50), Peer.median(javaP50) / Peer.median(baseP50), Peer.median(javaP50Ratios),
            Peer.median(javaP99), Peer.median(baseP99), Peer.median(javaRate), Peer.median(baseRate),
            Peer.median(javaRate) / Peer.median(baseRate), Peer.median(javaRateRatios));
        System.out.printf(Locale.ROOT, "median  trawl T.async:schedule from Lua p50 %.2f µs vs CompletableFuture %.2f µs (%.2fx); p99 %.2f vs %.2f; "
                + "throughput %,.0f vs %,.0f jobs/s (%.2fx)%n",
            Peer.median(trawlP50), Peer.median(baseP50), Peer.median(trawlP50) / Peer.median(baseP50),
            Peer.median(trawlP99), Peer.median(baseP99), Peer.median(trawlRate), Peer.median(baseRate),
            Peer.median(trawlRate) / Peer.median(baseRate));
    }

    /** The transport alone: a Java no-op task; p50 µs, p99 µs, jobs/s. */
    private static double[] trawlJava(final String idle) throws Exception {
        final Path dir = Files.createTempDirectory("trawl-roundtrip-java");
        final AsyncService service = AsyncHarness.javaService(dir.resolve("out"),
            Map.of(TrawlSettings.ASYNC_IDLE, idle, TrawlSettings.ASYNC_QUEUE_JOBS, 1 << 20));
        try {
            final AsyncSubmitter submitter = service.submitter(0);
            final CompletionStage completions = service.completionStage(0);
            final long[] done = {0};
            final CompletionHandler onResult = job -> done[0]++;
            final Callable<String> noop = () -> "x";
            final Histogram latency = new Histogram(10_000_000L, 3);
            for (int i = 0; i < LATENCY_SAMPLES * 2; i++) {
                final long before = done[0];
                final long start = System.nanoTime();
                submit(submitter, completions, noop, onResult);
                while (done[0] == before) {
                    completions.doDuty(System.nanoTime());
                }
                if (i >= LATENCY_SAMPLES) {
                    latency.recordValue(Math.min((System.nanoTime() - start), 9_999_999L));
                }
            }
            final long base = done[0];
            final long start = System.nanoTime();
            int submitted = 0;
            while (done[0] - base < THROUGHPUT_JOBS) {
                while (submitted < THROUGHPUT_JOBS && submitted - (done[0] - base) < IN_FLIGHT) {
                    submit(submitter, completions, noop, onResult);
                    submitted++;
                }
                completions.doDuty(System.nanoTime());
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                THROUGHPUT_JOBS / seconds};
        } finally {
            service.close();
        }
    }

    private static void submit(final AsyncSubmitter submitter, final CompletionStage completions, final Callable<String> task,
                               final CompletionHandler onResult) {
        while (submitter.schedule(0, task, null, onResult, null) != null) {
            completions.doDuty(System.nanoTime()); // (cannot happen with 256 in flight; kept for safety)
        }
    }

    /** The whole Lua path; p50 µs, p99 µs, jobs/s. */
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

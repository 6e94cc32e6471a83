package io.trawl.perf.dpdk;

import io.trawl.bindings.dpdk.Eal;
import io.trawl.bindings.libc.CpuAffinity;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.dpdk.DpdkSource;
import io.trawl.capture.dpdk.DpdkSourceProvider;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.TrawlRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * trawl's DPDK receive rate on one queue, measured the way {@code dpdk-testpmd --stats-period 1} reports
 * its own: packets per second over consecutive one-second periods, the first {@code --warmup} periods
 * dropped, the median of the rest printed as {@code median_pps=N}.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code rx}: the source's receive loop alone, on a thread pinned to {@code --cpu}: bursts of
 *       {@code --burst} through {@code rte_eth_fp_ops}, each packet handed to a no-op handler as a
 *       {@code PacketView}, {@code rte_pktmbuf_free_bulk} per burst (what testpmd's rxonly does: receive
 *       and free);</li>
 *   <li>{@code pipeline}: a whole trawl run with one busy-spinning pipeline pinned to {@code --cpu}, default
 *       batch (64 packets per poll: two bursts): receive, decode, flow lookup (flow log off), counters.</li>
 * </ul>
 * Used by {@link DpdkVersusTestpmd}, which runs it A/B against testpmd; alone:
 * {@code perf/run main io.trawl.perf.dpdk.DpdkReceiveRate --device net_null0 --mode rx --cpu 1 --seconds 8}.
 */
public final class DpdkReceiveRate {
    private DpdkReceiveRate() {
    }

    public static void main(final String[] arguments) throws Exception {
        final Map<String, String> options = parse(arguments);
        final String device = options.getOrDefault("device", "net_null0");
        final String mode = options.getOrDefault("mode", "rx");
        final int cpu = Integer.parseInt(options.getOrDefault("cpu", "1"));
        final int seconds = Integer.parseInt(options.getOrDefault("seconds", "8"));
        final int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
        final TrawlContext context = new TrawlContext()
            .set(TrawlSettings.SOURCE, "dpdk:" + device, "benchmark")
            .setRaw(TrawlSettings.DPDK_EAL_ARGS, options.getOrDefault("eal-args", "--no-huge -m 512 --no-pci"), "benchmark")
            .setRaw(TrawlSettings.DPDK_MBUFS, options.getOrDefault("mbufs", "8192"), "benchmark")
            .setRaw(TrawlSettings.DPDK_MBUF_CACHE, options.getOrDefault("mbuf-cache", "250"), "benchmark")
            .setRaw(TrawlSettings.DPDK_BURST, options.getOrDefault("burst", "32"), "benchmark")
            .setRaw(TrawlSettings.DPDK_RX_DESCRIPTORS, options.getOrDefault("rx-descriptors", "1024"), "benchmark")
            .setRaw(TrawlSettings.PIPELINES, "1", "benchmark")
            .setRaw(TrawlSettings.CPUS, String.valueOf(cpu), "benchmark")
            .setRaw(TrawlSettings.PIPELINE_IDLE, "busy-spin", "benchmark")
            .setRaw(TrawlSettings.FLOW_LOG, "false", "benchmark")
            .set(TrawlSettings.OUT, Files.createTempDirectory("trawl-dpdk-rate"), "benchmark")
            .conclude();
        final List<Long> rates = switch (mode) {
            case "rx" -> receiveOnly(context, device, cpu, warmup + seconds);
            case "pipeline" -> wholePipeline(context, warmup + seconds);
            default -> throw new IllegalArgumentException("--mode rx|pipeline, got " + mode);
        };
        final List<Long> measured = rates.subList(Math.min(warmup, rates.size()), rates.size());
        final long median = median(measured);
        System.out.printf(Locale.ROOT, "periods_pps=%s%nmedian_pps=%d%nns_per_packet=%.2f%n", measured, median,
            median > 0 ? 1e9 / median : Double.NaN);
        Eal.cleanup();
    }

    private static List<Long> receiveOnly(final TrawlContext context, final String device, final int cpu,
                                          final int periods) throws InterruptedException {
        final DpdkSource source = DpdkSource.open(DpdkSourceProvider.options(device, context));
        System.out.println("source: " + source.description());
        final ReceiveQueue queue = source.queue(0);
        final int burst = context.get(TrawlSettings.DPDK_BURST);
        final AtomicLong received = new AtomicLong();
        final AtomicLong running = new AtomicLong(1);
        final Thread poller = Thread.ofPlatform().name("rx-" + cpu).start(() -> {
            CpuAffinity.pinCurrentThread(cpu);
            final PacketHandler ignore = packet -> { };
            long count = 0;
            while (running.getOpaque() != 0) {
                final int polled = queue.poll(ignore, burst);
                if (polled > 0) {
                    count += polled;
                    received.lazySet(count); // a plain store on x86: the sampler reads it once a second
                }
            }
        });
        final List<Long> rates = sample(received::get, periods);
        running.setRelease(0);
        poller.join();
        source.close();
        return rates;
    }

    private static List<Long> wholePipeline(final TrawlContext context, final int periods) throws Exception {
        final CaptureSource source = CaptureSources.open(context.source(), context);
        final TrawlRun run = new TrawlRun(context, source, List.of(), RunConsole.standard());
        final Thread runner = Thread.ofPlatform().name("trawl-run").start(run::run);
        while (run.elapsedNanos() == 0) {
            Thread.onSpinWait();
        }
        final List<Long> rates = sample(run::packets, periods);
        run.requestStop("benchmark done");
        runner.join();
        source.close();
        return rates;
    }

    /** Packets per second over {@code periods} consecutive one-second periods of a running count. */
    private static List<Long> sample(final java.util.function.LongSupplier count, final int periods) {
        final List<Long> rates = new ArrayList<>();
        long lastCount = count.getAsLong();
        long lastTime = System.nanoTime();
        for (int i = 0; i < periods; i++) {
            final long due = lastTime + 1_000_000_000L;
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            final long now = System.nanoTime();
            final long packets = count.getAsLong();
            final long rate = Math.round((packets - lastCount) * 1e9 / (now - lastTime));
            rates.add(rate);
            System.out.println("period " + i + ": " + rate + " packets/s");
            lastCount = packets;
            lastTime = now;
        }
        return rates;
    }

    static long median(final List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        final long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
            : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static Map<String, String> parse(final String[] arguments) {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < arguments.length; i++) {
            if (!arguments[i].startsWith("--") || i + 1 >= arguments.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", arguments));
            }
            options.put(arguments[i].substring(2), arguments[++i]);
        }
        return options;
    }
}

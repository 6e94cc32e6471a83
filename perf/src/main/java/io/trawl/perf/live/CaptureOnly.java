package io.trawl.perf.live;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.config.Setting;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import sun.misc.Signal;

import java.util.Map;

/**
 * A capture source and nothing else: polls every queue of a live source on one thread with a handler that
 * only reads each packet's first byte and length, until SIGTERM/SIGINT, then prints what it received and
 * the source's drop counters. The benchmark runs it beside full trawl runs to split the receive path's
 * cost (this) from the pipelines' (decode, flows), and to compare the receive path alone with
 * {@code tcpdump -w /dev/null}, which also does nothing per packet.
 *
 * <pre>java @deploy/target/trawl-jvm.options -cp 'perf/target/trawl-perf-*.jar:perf/target/lib/*' \
 *     io.trawl.perf.live.CaptureOnly afxdp:rx0 [setting=value...]</pre>
 */
public final class CaptureOnly {
    private static volatile boolean stop;

    private CaptureOnly() {
    }

    public static void main(final String[] args) {
        if (args.length == 0) {
            System.err.println("usage: CaptureOnly SOURCE [setting=value...]   e.g. CaptureOnly afxdp:rx0 afxdp.wait=poll");
            System.exit(2);
        }
        final TrawlContext context = new TrawlContext();
        context.setRaw(TrawlSettings.SOURCE, args[0], "argument");
        for (int i = 1; i < args.length; i++) {
            final int eq = args[i].indexOf('=');
            final Setting<?> setting = eq < 0 ? null : TrawlSettings.byKey(args[i].substring(0, eq));
            if (setting == null) {
                System.err.println("CaptureOnly: unknown setting " + args[i]);
                System.exit(2);
            }
            context.setRaw(setting, args[i].substring(eq + 1), "argument");
        }
        context.conclude();
        for (final String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop = true);
        }
        final long[] totals = new long[3];
        final PacketHandler handler = (PacketView packet) -> {
            totals[0]++;
            totals[1] += packet.captureLength();
            totals[2] += packet.u8(0);
        };
        try (CaptureSource source = CaptureSources.open(args[0], context)) {
            System.out.println("capture-only: ready: " + source.description());
            final int queues = source.queueCount();
            while (!stop) {
                for (int q = 0; q < queues; q++) {
                    source.queue(q).poll(handler, context.get(TrawlSettings.PIPELINE_BATCH));
                }
            }
            final Map<String, Long> drops = source.drops();
            long dropped = 0;
            for (final long count : drops.values()) {
                dropped += count;
            }
            System.out.println("capture-only: packets " + totals[0] + " bytes " + totals[1] + " drops " + dropped + " "
                + drops + " " + source.statistics() + " (checksum " + totals[2] + ")");
        }
    }
}

package io.trawl.perf.dpdk;

import io.trawl.bindings.dpdk.Eal;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.dpdk.DpdkSource;
import io.trawl.pipeline.decode.DecodeResult;
import io.trawl.pipeline.decode.PacketDecoder;
import io.trawl.pipeline.flow.FlowTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The per-packet work of a pipeline without scripts, fed by a DPDK queue replaying a real capture
 * ({@code net_pcap0} over {@code ../shared/corpus/16minutes.pcap} with {@code infinite_rx}): a burst of 32,
 * each packet decoded and its flow looked up and counted, then the burst freed. {@code pollOnly} is the same
 * poll with a handler that reads the length, so the difference is the decode + flow cost per packet.
 * Meant for {@code -prof gc} (0 B/op) and {@code -prof perfasm} (where the nanoseconds go).
 *
 * <p>{@code perf/run jmh DpdkDecodeBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DpdkDecodeBenchmark {
    private static final int BURST = 32;

    private DpdkSource source;
    private ReceiveQueue queue;
    private final PacketDecoder decoder = new PacketDecoder();
    private FlowTable flows;
    private long packets;
    private long bytes;
    private long flowSum;
    private final PacketHandler lengthOnly = packet -> bytes += packet.captureLength();
    private final PacketHandler decodeAndTrack = this::decodeAndTrack;

    @Setup(Level.Trial)
    public void open() throws IOException {
        final Path capture = Path.of(System.getProperty("trawl.perf.capture", "../shared/corpus/16minutes.pcap"))
            .toAbsolutePath().normalize();
        source = BenchmarkSources.open("net_pcap0,rx_pcap=" + capture + ",infinite_rx=1", 512, 16384);
        queue = source.queue(0);
        flows = new FlowTable(262_144, 120_000_000_000L, 60_000_000_000L, 60_000_000_000L, 30_000_000_000L,
            (table, flow, reason) -> { });
    }

    @TearDown(Level.Trial)
    public void close() {
        source.close();
        Eal.cleanup();
    }

    private void decodeAndTrack(final PacketView packet) {
        packets++;
        bytes += packet.captureLength();
        if (decoder.decode(packet) == DecodeResult.OK) {
            flowSum += flows.track(decoder.decoded(), packet.timestampNanos(), packet.wireLength());
        }
    }

    /** Burst, a view per packet to a handler that reads its length, free. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int pollOnly() {
        return queue.poll(lengthOnly, BURST);
    }

    /** Burst, each packet decoded and its flow tracked, free. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int pollDecodeAndTrack() {
        return queue.poll(decodeAndTrack, BURST);
    }
}

package io.trawl.perf.dpdk;

import io.trawl.bindings.dpdk.Dpdk;
import io.trawl.bindings.dpdk.Eal;
import io.trawl.bindings.dpdk.EthPort;
import io.trawl.bindings.dpdk.EthRxQueue;
import io.trawl.bindings.dpdk.PacketMempool;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.dpdk.DpdkSource;
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
import java.util.concurrent.TimeUnit;

/**
 * One poll of a {@link DpdkSource} queue on {@code net_null0}: a burst of 32 through {@code rte_eth_fp_ops},
 * each packet wrapped in the queue's {@code PacketView} and handed to a handler that reads its length,
 * then {@code rte_pktmbuf_free_bulk}; and, for the cost of that layer, the bindings alone (burst and free,
 * like testpmd's rxonly) on {@code net_null1}. Reported per packet; run with {@code -prof gc} to see the
 * heap bytes per packet (the packet path must allocate nothing).
 *
 * <p>{@code perf/run jmh DpdkPollBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DpdkPollBenchmark {
    private static final int BURST = 32;

    private DpdkSource source;
    private ReceiveQueue queue;
    private EthPort rawPort;
    private PacketMempool rawPool;
    private EthRxQueue rawQueue;
    private long bytes;
    private final PacketHandler handler = packet -> bytes += packet.captureLength();

    @Setup(Level.Trial)
    public void open() throws IOException {
        source = BenchmarkSources.open("net_null0", 256, 8192);
        queue = source.queue(0);
        rawPort = EthPort.open("net_null1");
        rawPool = PacketMempool.create("jmh_raw", 8192, 250, Dpdk.abi().defaultMbufBufferSize(), -1);
        rawPort.configure(1, null);
        rawPort.setupRxQueue(0, 1024, rawPool);
        rawPort.start();
        rawQueue = rawPort.rxQueue(0, BURST);
    }

    @TearDown(Level.Trial)
    public void close() {
        rawPort.close();
        rawPool.close();
        source.close();
        Eal.cleanup();
    }

    /** The source's poll: burst, a {@code PacketView} per packet to the handler, free, packet time per burst. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int pollOneBurst() {
        return queue.poll(handler, BURST);
    }

    /** The bindings alone, as testpmd's rxonly: burst and free, no packet touched. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int bindingsBurstAndFree() {
        Eal.registerCurrentThread();
        final int received = rawQueue.receive(BURST);
        rawQueue.free(received);
        return received;
    }
}

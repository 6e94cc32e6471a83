package io.trawl.perf.decode;

import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.pcap.PcapFileSource;
import io.trawl.perf.replay.SmallPacketCapture;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost per packet of the fast path without scripts, one packet per operation, over the packets of the
 * small-packet capture as they lie in the mapped file: {@code decode} (headers only) and
 * {@code decodeAndTrackFlow} (plus the flow-table lookup/update over 100 k flows), and
 * {@code decodeAndTrackFlowBatched}, the same work done the way a pipeline does it for a mapped file: a poll's
 * 64 packets decoded first with their flow index entries and records loaded, then tracked in order (scores
 * are per packet). Run with {@code -prof gc}: the target is 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DecodeBenchmark {
    private static final int PACKETS = 1 << 20;

    /** Distinct flows in the capture: 10 k fit in the caches, 100 k do not. */
    @Param({"10000", "100000"})
    public int flowCount;

    private PcapFileSource source;
    private MemorySegment memory;
    private long[] offsets;
    private int[] lengths;
    private long[] timestamps;
    private int next;
    private final PacketView view = new PacketView();
    private final PacketDecoder decoder = new PacketDecoder();
    private FlowTable flows;
    private static final int BATCH = 64;
    private final PacketView[] batchViews = new PacketView[BATCH];
    private final PacketDecoder[] batchDecoders = new PacketDecoder[BATCH];
    private final DecodeResult[] batchResults = new DecodeResult[BATCH];
    private final int[] batchHashes = new int[BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        final Path file = SmallPacketCapture.ensure(Path.of(System.getProperty("trawl.perf.data", "perf/target/data"))
            .resolve("small-" + PACKETS + "-" + flowCount + ".pcap"), PACKETS, flowCount);
        source = PcapFileSource.open(file);
        final List<long[]> records = new ArrayList<>();
        final MemorySegment[] mapping = new MemorySegment[1];
        final ReceiveQueue queue = source.queue(0);
        while (queue.poll(p -> {
            mapping[0] = p.memory();
            records.add(new long[] {p.offset(), p.captureLength(), p.timestampNanos()});
        }, 4096) != ReceiveQueue.END_OF_INPUT) {
            // read the index once
        }
        memory = mapping[0];
        offsets = new long[records.size()];
        lengths = new int[records.size()];
        timestamps = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            offsets[i] = records.get(i)[0];
            lengths[i] = (int) records.get(i)[1];
            timestamps[i] = records.get(i)[2];
        }
        for (int i = 0; i < BATCH; i++) {
            batchViews[i] = new PacketView();
            batchDecoders[i] = new PacketDecoder();
        }
        flows = new FlowTable(262_144, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4,
            (table, flow, reason) -> { });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.close();
    }

    private PacketView nextPacket() {
        return nextPacket(view);
    }

    private PacketView nextPacket(final PacketView into) {
        final int i = next;
        next = i + 1 == offsets.length ? 0 : i + 1;
        return into.wrap(memory, offsets[i], lengths[i], lengths[i], timestamps[i], 1);
    }

    @Benchmark
    public DecodeResult decode() {
        return decoder.decode(nextPacket());
    }

    @Benchmark
    public int decodeAndTrackFlow() {
        final PacketView packet = nextPacket();
        if (decoder.decode(packet) != DecodeResult.OK) {
            return -1;
        }
        return flows.track(decoder.decoded(), packet.timestampNanos(), packet.wireLength());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decodeAndTrackFlowBatched() {
        for (int i = 0; i < BATCH; i++) {
            final DecodeResult result = batchDecoders[i].decode(nextPacket(batchViews[i]));
            batchResults[i] = result;
            batchHashes[i] = result == DecodeResult.OK ? flows.symmetricHash(batchDecoders[i].decoded()) : 0;
        }
        for (int i = 0; i < BATCH; i++) {
            flows.loadIndexEntry(batchHashes[i]);
        }
        for (int i = 0; i < BATCH; i++) {
            flows.loadRecord(batchHashes[i]);
        }
        int sum = 0;
        for (int i = 0; i < BATCH; i++) {
            if (batchResults[i] == DecodeResult.OK) {
                sum += flows.track(batchDecoders[i].decoded(), batchViews[i].timestampNanos(), batchViews[i].wireLength());
            }
        }
        return sum;
    }
}

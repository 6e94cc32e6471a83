package io.trawl.perf.async;

import io.trawl.capture.LinkType;
import io.trawl.capture.PacketView;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
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

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What a T.async call costs the fast path: a whole pipeline packet whose simplecounter callback calls
 * {@code T.async:schedule{...}} or {@code T.async:copybuffer(layer:rawbytes(), file, 0)}, against the same
 * packet whose callback does nothing (the difference is the call). Workers run on their own threads. Each
 * measured invocation is a batch of 64 packets; between batches (untimed) the benchmark thread delivers
 * completions until fewer than 4096 jobs are pending, as a pipeline does between batches — so the figure is
 * the cost of an accepted call, not of a rejection. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AsyncCallBenchmark {
    private static final String SCRIPT = """
        TrisulPlugin = {
          id = { name = "bench", description = "one T.async call per UDP packet" },
          simplecounter = {
            protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
            onpacket = function(engine, layer)
              %s
            end,
          },
        }
        """;

    /** What the callback does. */
    @Param({"nothing", "schedule", "copybuffer"})
    public String call;

    private AsyncHarness harness;
    private final PacketView packet = new PacketView();
    private static final int BATCH = 64;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        final Path directory = Files.createTempDirectory("trawl-async-bench");
        final String body = switch (call) {
            case "schedule" -> "T.async:schedule({ data = \"x\", onexecute = function(d) return nil end })";
            case "copybuffer" -> "T.async:copybuffer(layer:rawbytes(), \"" + directory.resolve("out/copy.bin") + "\", 0)";
            default -> "local nothing = layer";
        };
        harness = new AsyncHarness(directory, SCRIPT.formatted(body), "backoff");
        final byte[] frame = new PacketBuilder().udp(Endpoint.of("192.168.1.20", 40000), Endpoint.of("192.168.1.10", 53),
            new byte[40]);
        final MemorySegment memory = Arena.ofAuto().allocate(frame.length);
        MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, 0, frame.length);
        packet.wrap(memory, 0, frame.length, frame.length, 1_700_000_000_000_000_000L, LinkType.ETHERNET);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        harness.close();
    }

    @Setup(Level.Invocation)
    public void betweenBatches() {
        harness.drain();
        while (harness.async.script(0).pendingJobs() > 4096) {
            harness.drain();
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void packet() {
        for (int i = 0; i < BATCH; i++) {
            harness.onPacket(packet);
        }
    }
}

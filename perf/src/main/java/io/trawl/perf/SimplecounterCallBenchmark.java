package io.trawl.perf;

import io.trawl.capture.LinkType;
import io.trawl.capture.PacketView;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineHarness;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.script.ScriptInstance;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.ScriptStageFactory;
import io.trawl.pipeline.script.ScriptType;
import io.trawl.pipeline.script.objects.LayerValue;
import org.luaj.vm2.LuaValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The cost of one {@code simplecounter.onpacket} callback that updates a counter
 * ({@code engine:update_counter(G, "dns", 0, 1)}), three ways:
 * <ul>
 *   <li>{@link #callback}: what the script stage does per callback (budget reset, view scope, a new Layer,
 *       the Lua call, the engine method, the counter-store update);</li>
 *   <li>{@link #packetWithScript} / {@link #packetWithoutScript}: a whole pipeline packet (decode, flow
 *       lookup, stages) with and without that script; the difference is the callback as the pipeline
 *       pays it.</li>
 * </ul>
 * The packet is a DNS query in off-heap memory; {@code engine} picks LuaJC or the interpreter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SimplecounterCallBenchmark {
    static final String SCRIPT = """
        local G = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F90}"
        TrisulPlugin = {
          id = { name = "bench", description = "one counter update per UDP packet" },
          simplecounter = {
            protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
            onpacket = function(engine, layer)
              engine:update_counter(G, "dns", 0, 1)
            end,
          },
        }
        """;

    @Param({"luajc", "interpreter"})
    public String engine;

    private Path directory;
    private PipelineHarness withScript;
    private PipelineHarness withoutScript;
    private ScriptStage stage;
    private ScriptInstance instance;
    private LuaValue onpacket;
    private final PacketView packet = new PacketView();
    private int udpLayer;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("trawl-bench");
        final Path script = directory.resolve("bench.lua");
        Files.writeString(script, SCRIPT);
        final TrawlContext context = context(directory.resolve("with"), List.of(script));
        final ScriptStageFactory factory = new ScriptStageFactory(context, QUIET, List.of());
        withScript = new PipelineHarness(context);
        stage = (ScriptStage) factory.create(withScript.pipeline());
        withScript.pipeline().addStage(stage);
        instance = stage.instances().getFirst();
        onpacket = instance.callback(ScriptType.SIMPLECOUNTER, "onpacket");
        withoutScript = new PipelineHarness(context(directory.resolve("without"), List.of()));

        final byte[] frame = new PacketBuilder().udp(Endpoint.of("192.168.1.20", 40000), Endpoint.of("192.168.1.10", 53),
            new byte[40]);
        final MemorySegment memory = Arena.ofAuto().allocate(frame.length);
        MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, 0, frame.length);
        packet.wrap(memory, 0, frame.length, frame.length, 1_700_000_000_000_000_000L, LinkType.ETHERNET);
        udpLayer = 2; // Ethernet, IPv4, UDP
    }

    private TrawlContext context(final Path out, final List<Path> scripts) {
        final TrawlContext context = new TrawlContext();
        context.set(TrawlSettings.OUT, out, "bench");
        context.set(TrawlSettings.SCRIPTS, scripts, "bench");
        context.set(TrawlSettings.SCRIPTS_COMPILE, engine, "bench");
        context.set(TrawlSettings.FLOW_LOG, false, "bench");
        context.set(TrawlSettings.FLOW_MAX, 1024, "bench");
        return context.conclude();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        withScript.close();
        withoutScript.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public boolean callback() {
        return instance.call("simplecounter.onpacket", onpacket, instance.engine(), new LayerValue(stage, udpLayer));
    }

    @Benchmark
    public void packetWithScript() {
        withScript.onPacket(packet);
    }

    @Benchmark
    public void packetWithoutScript() {
        withoutScript.onPacket(packet);
    }

    static final RunConsole QUIET = new RunConsole() {
        @Override
        public void info(final String line) {
        }

        @Override
        public void warn(final String line) {
            System.err.println(line);
        }

        @Override
        public void scriptOutput(final String line) {
        }
    };
}

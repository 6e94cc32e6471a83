package io.trawl.pipeline;

import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.counters.PipelineCounter;
import io.trawl.pipeline.decode.DecodeResult;
import io.trawl.pipeline.decode.DecodedPacket;
import io.trawl.pipeline.decode.PacketDecoder;
import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowKeyFormat;
import io.trawl.pipeline.flow.FlowListener;
import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.output.JsonFieldName;
import io.trawl.pipeline.output.JsonLinesFile;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;

/**
 * One fast-path thread's work: poll the input (a source queue or a hand-off ring), decode each packet,
 * track its flow, run the stages, and between batches do the stages' duties (completion queues) and
 * expire idle flows.
 *
 * <p>Life cycle: RUNNING until the input ends (or a stop is requested), then INPUT_ENDED until every
 * pipeline's input has ended (so all flows end against the same final packet clock), then DRAINING until
 * every stage reports no pending work (T.async jobs), then DONE.
 *
 * <p>Threading: all state belongs to the pipeline thread. Counters are published for other threads;
 * {@link #addStage} is called before the thread starts.
 */
public final class Pipeline implements Agent, PacketHandler, FlowListener {
    private enum Phase { RUNNING, INPUT_ENDED, DRAINING, DONE }

    private static final int SWEEP_EVERY_PACKETS = 4096;
    private static final int SWEEP_SLOTS = 2048;
    private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;
    /**
     * Flows from which a poll's packets are batched (see {@link #onPacket}): below it the flow table's hot
     * records stay in the CPU caches, fetching them together gains nothing, and batching costs ~10 ns a
     * packet (measured on DPDK with 346 flows); at 100,000 flows it halves the cost of a packet.
     */
    static final int BATCH_FROM_FLOWS = 4096;

    private final int index;
    private final ReceiveQueue input;
    private final boolean pollsSourceDirectly;
    private final boolean liveInput;
    private final int batchSize;
    private final RunCoordinator coordinator;
    private final PipelineCounters counters;
    private final PacketDecoder decoder = new PacketDecoder();
    /**
     * Packets of the current poll held back so that their flow-table memory is fetched together (see
     * {@link #onPacket}); null when the input's packet memory is not valid until its next poll.
     */
    private final PacketView[] batchViews;
    private final PacketDecoder[] batchDecoders;
    private final DecodeResult[] batchResults;
    private final int[] batchHashes;
    private int batched;
    /** Whether the current poll's packets are batched: memory allows it and the flow table is large. */
    private boolean batching;
    private final FlowTable flows;
    private final PacketContext context = new PacketContext();
    private final JsonLinesFile flowLog;
    private final StringBuilder keyScratch = new StringBuilder(96);
    private final TrawlContext configuration;
    private PipelineStage[] stages = new PipelineStage[0];
    private final long[] decodeResults = new long[DecodeResult.count()];

    private final IntArrayList pendingTerminations = new IntArrayList();
    private final LongArrayList pendingTerminationSerials = new LongArrayList();
    private Phase phase = Phase.RUNNING;
    private int packetsSinceSweep;
    private long lastSweepClock = Long.MIN_VALUE;
    private long lastPacketWallNanos;

    Pipeline(final int index, final ReceiveQueue input, final boolean pollsSourceDirectly, final boolean liveInput,
             final TrawlContext configuration, final RunCoordinator coordinator, final PipelineCounters counters,
             final JsonLinesFile flowLog) {
        this.index = index;
        this.input = input;
        this.pollsSourceDirectly = pollsSourceDirectly;
        this.liveInput = liveInput;
        this.configuration = configuration;
        this.batchSize = configuration.get(TrawlSettings.PIPELINE_BATCH);
        this.coordinator = coordinator;
        this.counters = counters;
        this.flowLog = flowLog;
        this.flows = new FlowTable(configuration.get(TrawlSettings.FLOW_MAX),
            seconds(configuration.get(TrawlSettings.FLOW_TIMEOUT_TCP)),
            seconds(configuration.get(TrawlSettings.FLOW_TIMEOUT_UDP)),
            seconds(configuration.get(TrawlSettings.FLOW_TIMEOUT_OTHER)),
            seconds(Math.min(30.0, configuration.get(TrawlSettings.FLOW_TIMEOUT_TCP))), this);
        context.flows = flows;
        context.decoded = decoder.decoded();
        if (input.packetMemoryValidUntilNextPoll()) {
            batchViews = new PacketView[batchSize];
            batchDecoders = new PacketDecoder[batchSize];
            for (int i = 0; i < batchSize; i++) {
                batchViews[i] = new PacketView();
                batchDecoders[i] = new PacketDecoder();
            }
            batchResults = new DecodeResult[batchSize];
            batchHashes = new int[batchSize];
        } else {
            batchViews = null;
            batchDecoders = null;
            batchResults = null;
            batchHashes = null;
        }
    }

    private static long seconds(final double seconds) {
        return (long) (seconds * 1e9);
    }

    /** Adds a stage. Only before the pipeline thread starts. */
    public void addStage(final PipelineStage stage) {
        final List<PipelineStage> list = new ArrayList<>(List.of(stages));
        list.add(stage);
        stages = list.toArray(new PipelineStage[0]);
    }

    /** This pipeline's index, 0-based. */
    public int index() {
        return index;
    }

    /** The configuration of the run (concluded, read-only). */
    public TrawlContext configuration() {
        return configuration;
    }

    /** True when the input is live (a NIC, not a file): packet time then follows wall time. */
    public boolean isLiveInput() {
        return liveInput;
    }

    /** The flow table (pipeline thread only). */
    public FlowTable flows() {
        return flows;
    }

    /** The counters (published values readable from any thread). */
    public PipelineCounters counters() {
        return counters;
    }

    @Override
    public int doWork() {
        int work = 0;
        final long now = System.nanoTime();
        for (final PipelineStage stage : stages) {
            work += stage.doDuty(now);
        }
        if (!pendingTerminations.isEmpty()) {
            applyTerminations();
        }
        switch (phase) {
            case RUNNING -> work += run(now);
            case INPUT_ENDED -> {
                if (coordinator.allInputsEnded()) {
                    flows.endAll(coordinator.finalPacketClock());
                    for (final PipelineStage stage : stages) {
                        stage.onEndOfInput();
                    }
                    phase = Phase.DRAINING;
                    work++;
                }
            }
            case DRAINING -> {
                boolean drained = true;
                for (final PipelineStage stage : stages) {
                    drained &= stage.isDrained();
                }
                if (drained) {
                    if (flowLog != null) {
                        flowLog.flush();
                    }
                    counters.publish();
                    phase = Phase.DONE;
                    coordinator.pipelineDone(index);
                    work++;
                }
            }
            case DONE -> {
            }
        }
        return work;
    }

    private int run(final long now) {
        for (final PipelineStage stage : stages) {
            if (stage.holdsInput()) {
                return 0;
            }
        }
        if (pollsSourceDirectly && coordinator.stopRequested()) {
            endInput();
            return 1;
        }
        batching = batchViews != null && flows.size() >= BATCH_FROM_FLOWS;
        final int polled = input.poll(this, batchSize);
        if (batched > 0) {
            processBatch();
        }
        if (polled == ReceiveQueue.END_OF_INPUT) {
            endInput();
            return 1;
        }
        if (polled > 0) {
            lastPacketWallNanos = now;
            packetsSinceSweep += polled;
            if (packetsSinceSweep >= SWEEP_EVERY_PACKETS || flows.clock() - lastSweepClock >= SWEEP_EVERY_NANOS) {
                sweep(flows.clock());
            }
        } else if (liveInput && lastPacketWallNanos != 0 && now - lastPacketWallNanos >= SWEEP_EVERY_NANOS) {
            // A quiet live link: let packet time advance with wall time so idle flows still end.
            sweep(flows.clock() + (now - lastPacketWallNanos));
        }
        counters.set(PipelineCounter.FLOWS_ACTIVE, flows.size());
        counters.set(PipelineCounter.FLOW_TABLE_FULL, flows.tableFullDrops());
        counters.publish();
        return polled;
    }

    private void sweep(final long clock) {
        packetsSinceSweep = 0;
        lastSweepClock = clock;
        flows.sweep(clock, SWEEP_SLOTS);
    }

    private void endInput() {
        counters.publish();
        phase = Phase.INPUT_ENDED;
        coordinator.inputEnded(index, flows.clock());
    }

    /**
     * One packet from the input. When the input's packet memory stays valid until its next poll (a mapped
     * file, DPDK mbufs), the packet is only decoded here and its flow hash computed; the poll's packets are
     * then finished
     * together in {@link #processBatch()}, in order. With many flows nearly every packet's flow is a cache
     * miss, and touching a whole batch's flow memory before using any of it lets those misses overlap
     * instead of being paid one after another. Only from {@link #BATCH_FROM_FLOWS} flows on; decided per
     * poll. Stages see exactly what they would see unbatched.
     */
    @Override
    public void onPacket(final PacketView packet) {
        if (!batching) {
            process(packet, decoder.decoded(), decoder.decode(packet));
            return;
        }
        final int i = batched;
        final PacketView view = batchViews[i].wrap(packet.memory(), packet.offset(), packet.captureLength(),
            packet.wireLength(), packet.timestampNanos(), packet.linkType());
        final PacketDecoder batchDecoder = batchDecoders[i];
        final DecodeResult result = batchDecoder.decode(view);
        batchResults[i] = result;
        batchHashes[i] = result == DecodeResult.OK ? flows.symmetricHash(batchDecoder.decoded()) : 0;
        batched = i + 1;
        if (batched == batchViews.length) {
            processBatch();
        }
    }

    /** Finishes the held-back packets in arrival order (pipeline thread, before the poll's duties). */
    private void processBatch() {
        final int n = batched;
        batched = 0;
        // Tight loops of independent loads: the CPU keeps many cache misses in flight at once. One loop
        // per method, so the JIT compiles each once instead of recompiling one method per loop.
        loadIndexEntries(n);
        loadRecords(n);
        processBatched(n);
    }

    private void loadIndexEntries(final int n) {
        final FlowTable table = flows;
        final int[] hashes = batchHashes;
        for (int i = 0; i < n; i++) {
            table.loadIndexEntry(hashes[i]);
        }
    }

    private void loadRecords(final int n) {
        final FlowTable table = flows;
        final int[] hashes = batchHashes;
        for (int i = 0; i < n; i++) {
            table.loadRecord(hashes[i]);
        }
    }

    private void processBatched(final int n) {
        for (int i = 0; i < n; i++) {
            process(batchViews[i], batchDecoders[i].decoded(), batchResults[i]);
        }
    }

    private void process(final PacketView packet, final DecodedPacket decoded, final DecodeResult result) {
        final PipelineCounters c = counters;
        c.increment(PipelineCounter.PACKETS);
        c.add(PipelineCounter.BYTES, packet.captureLength());
        decodeResults[result.ordinal()]++;
        final PacketContext ctx = context;
        ctx.packet = packet;
        ctx.decoded = decoded;
        ctx.result = result;
        ctx.flow = -1;
        ctx.direction = 0;
        if (result == DecodeResult.OK) {
            if (decoded.isFragment()) {
                c.increment(PipelineCounter.FRAGMENTS);
            }
            final int flow = flows.track(decoded, packet.timestampNanos(), packet.wireLength());
            ctx.flow = flow;
            ctx.direction = flows.lastDirection();
        } else if (result.isError()) {
            c.increment(PipelineCounter.DECODE_ERRORS);
        } else if (result == DecodeResult.NOT_IP) {
            c.increment(PipelineCounter.NOT_IP);
        } else {
            c.increment(PipelineCounter.UNSUPPORTED_LINK_TYPE);
        }
        final PipelineStage[] s = stages;
        for (int i = 0; i < s.length; i++) {
            s[i].onPacket(ctx);
        }
        if (!pendingTerminations.isEmpty()) {
            applyTerminations();
        }
    }

    /**
     * Ends {@code flow} once every stage has seen the current packet (a script's {@code terminate_flow}),
     * or at the next duty cycle when called outside packet processing. Pipeline thread only.
     */
    public void terminateFlowAfterPacket(final int flow) {
        if (flows.isLive(flow)) {
            pendingTerminations.addInt(flow);
            pendingTerminationSerials.addLong(flows.serial(flow));
        }
    }

    private void applyTerminations() {
        for (int i = 0; i < pendingTerminations.size(); i++) {
            final int flow = pendingTerminations.getInt(i);
            // the handle may have ended and been reused since the request: the serial tells
            if (flows.isLive(flow) && flows.serial(flow) == pendingTerminationSerials.getLong(i)) {
                flows.terminate(flow);
            }
        }
        pendingTerminations.clear();
        pendingTerminationSerials.clear();
    }

    /**
     * Allocates a counter in the run's counters file (scripts: type ids 400-499). Main thread, before the
     * pipeline starts (from {@link PipelineStageFactory#create}).
     */
    public AtomicCounter newCounter(final String label, final int typeId) {
        return counters.newCounter("pipeline " + index + ": " + label, typeId);
    }

    @Override
    public void onFlowStart(final FlowTable table, final int flow) {
        counters.increment(PipelineCounter.FLOWS_CREATED);
        for (final PipelineStage stage : stages) {
            stage.onFlowStart(table, flow);
        }
    }

    @Override
    public void onFlowEnd(final FlowTable table, final int flow, final FlowEndReason reason) {
        counters.increment(PipelineCounter.FLOWS_ENDED);
        for (final PipelineStage stage : stages) {
            stage.onFlowEnd(table, flow, reason);
        }
        if (flowLog != null) {
            writeFlow(table, flow, reason);
        }
    }

    private static final JsonFieldName FLOW = JsonFieldName.of("flow");
    private static final JsonFieldName A = JsonFieldName.of("a");
    private static final JsonFieldName A_PORT = JsonFieldName.of("a_port");
    private static final JsonFieldName Z = JsonFieldName.of("z");
    private static final JsonFieldName Z_PORT = JsonFieldName.of("z_port");
    private static final JsonFieldName PROTOCOL = JsonFieldName.of("protocol");
    private static final JsonFieldName FIRST_TS = JsonFieldName.of("first_ts");
    private static final JsonFieldName LAST_TS = JsonFieldName.of("last_ts");
    private static final JsonFieldName PACKETS_AZ = JsonFieldName.of("packets_az");
    private static final JsonFieldName BYTES_AZ = JsonFieldName.of("bytes_az");
    private static final JsonFieldName PACKETS_ZA = JsonFieldName.of("packets_za");
    private static final JsonFieldName BYTES_ZA = JsonFieldName.of("bytes_za");
    private static final JsonFieldName END = JsonFieldName.of("end");
    private static final JsonFieldName PIPELINE = JsonFieldName.of("pipeline");

    private void writeFlow(final FlowTable table, final int flow, final FlowEndReason reason) {
        // The key and IPv4 addresses are written as bytes straight into the line: flows end in bulk at the
        // end of a replay, often before the JIT has compiled this, so every step per flow counts.
        final JsonLinesFile out = flowLog.begin().name(FLOW);
        byte[] line = out.valueBuffer(FlowKeyFormat.MAX_KEY_LENGTH + 2);
        int at = out.valueStart();
        line[at++] = '"';
        at = FlowKeyFormat.writeKey(line, at, table, flow);
        line[at++] = '"';
        out.valueEnd(at);
        if (table.ipVersion(flow) == 4) {
            writeIpv4(out.name(A), table.addressALow(flow));
            out.field(A_PORT, table.portA(flow));
            writeIpv4(out.name(Z), table.addressZLow(flow));
        } else {
            final StringBuilder address = keyScratch;
            address.setLength(0);
            FlowKeyFormat.appendReadableAddress(address, table.ipVersion(flow), table.addressAHigh(flow), table.addressALow(flow));
            out.field(A, address).field(A_PORT, table.portA(flow));
            address.setLength(0);
            FlowKeyFormat.appendReadableAddress(address, table.ipVersion(flow), table.addressZHigh(flow), table.addressZLow(flow));
            out.field(Z, address);
        }
        out.field(Z_PORT, table.portZ(flow))
            .field(PROTOCOL, table.protocol(flow))
            .fieldSeconds(FIRST_TS, table.firstSeenNanos(flow))
            .fieldSeconds(LAST_TS, table.lastSeenNanos(flow))
            .field(PACKETS_AZ, table.packetsAToZ(flow))
            .field(BYTES_AZ, table.bytesAToZ(flow))
            .field(PACKETS_ZA, table.packetsZToA(flow))
            .field(BYTES_ZA, table.bytesZToA(flow))
            .field(END, reason.key())
            .field(PIPELINE, index);
        for (final PipelineStage stage : stages) {
            stage.appendFlowFields(table, flow, out);
        }
        out.end();
    }

    private static void writeIpv4(final JsonLinesFile out, final long address) {
        final byte[] line = out.valueBuffer(FlowKeyFormat.MAX_IPV4_LENGTH + 2);
        int at = out.valueStart();
        line[at++] = '"';
        at = FlowKeyFormat.writeReadableIpv4(line, at, address);
        line[at++] = '"';
        out.valueEnd(at);
    }

    @Override
    public void onClose() {
        for (final PipelineStage stage : stages) {
            stage.onClose();
        }
        if (flowLog != null) {
            flowLog.close();
        }
    }

    @Override
    public String roleName() {
        return "pipeline-" + index;
    }

    /** Decode outcomes by {@link DecodeResult} ordinal; read after the pipeline stopped. */
    long[] decodeResults() {
        return decodeResults;
    }

    /** True once the pipeline has finished its work. */
    boolean isDone() {
        return phase == Phase.DONE;
    }
}

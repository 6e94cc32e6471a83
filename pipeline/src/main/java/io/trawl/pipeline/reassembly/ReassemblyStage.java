package io.trawl.pipeline.reassembly;

import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PacketContext;
import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.decode.DecodeResult;
import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowTable;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The pipeline stage that runs TCP reassembly for the flows its {@link StreamConsumer}s want and fans the
 * streams out to them. Consumers per flow are remembered as a bit mask (up to 64 consumers), asked in list
 * order at each new TCP flow.
 *
 * <p>{@link Hooks} let the layer that owns the consumers (the Lua scripts) stop a flow's reassembly
 * ({@code engine:disable_reassembly}) and know which packet the deliveries belong to. A stop request is
 * honoured at once: the rest of the chunk being delivered and everything after it is withheld from
 * every consumer, and at the flow's next packet (or its end) the reassembler drops what it buffered and
 * ends both directions incomplete. Consumers still get {@link StreamConsumer#onFlowEnd} for the flow.
 */
public final class ReassemblyStage implements PipelineStage, StreamListener {
    /** What the owner of the consumers can add to a pipeline's stage. Pipeline thread. */
    public interface Hooks {
        /** No hooks. */
        Hooks NONE = new Hooks() {
        };

        /** True when reassembly of {@code flow} must stop (asked per packet and per delivered chunk). */
        default boolean stopRequested(final int flow) {
            return false;
        }

        /** The deliveries that follow, until {@link #packetEnd}, come from {@code packet}. */
        default void packetStart(final PacketContext packet) {
        }

        /** The packet announced by {@link #packetStart} is done. */
        default void packetEnd() {
        }
    }

    private final FlowTable flows;
    private final TcpReassembler reassembler;
    private final StreamConsumer[] consumers;
    private final Hooks hooks;
    private final long[] wantedBy;

    ReassemblyStage(final Pipeline pipeline, final List<StreamConsumer> consumers, final Hooks hooks,
                    final long pipelineCap) {
        if (consumers.size() > 64) {
            throw new IllegalArgumentException("at most 64 stream consumers per pipeline");
        }
        this.flows = pipeline.flows();
        this.consumers = consumers.toArray(new StreamConsumer[0]);
        this.hooks = hooks;
        this.wantedBy = new long[flows.capacity()];
        this.reassembler = new TcpReassembler(flows, pipeline.configuration().get(TrawlSettings.REASSEMBLY_MEMCAP_FLOW),
            pipelineCap, this);
    }

    /** The reassembler (for tests and diagnostics). */
    public TcpReassembler reassembler() {
        return reassembler;
    }

    /**
     * Stops reassembling a flow for every consumer: buffered bytes are dropped, open directions end
     * incomplete, and the consumers that followed the flow still get its {@link StreamConsumer#onFlowEnd}.
     * Not from inside a delivery (use {@link Hooks#stopRequested} there).
     */
    public void disable(final int flow) {
        reassembler.stopFlow(flow);
    }

    @Override
    public void onFlowStart(final FlowTable table, final int flow) {
        if (table.protocol(flow) != 6) {
            return;
        }
        long mask = 0;
        final long now = table.lastSeenNanos(flow);
        for (int i = 0; i < consumers.length; i++) {
            if (consumers[i].wantsFlow(table, flow, now)) {
                mask |= 1L << i;
            }
        }
        wantedBy[flow] = mask;
        if (mask != 0) {
            reassembler.startFlow(flow);
        }
    }

    @Override
    public void onPacket(final PacketContext packet) {
        final int flow = packet.flow();
        if (flow >= 0 && packet.result() == DecodeResult.OK && packet.decoded().isTcp() && reassembler.isActive(flow)) {
            if (hooks.stopRequested(flow)) {
                reassembler.stopFlow(flow);
                return;
            }
            hooks.packetStart(packet);
            reassembler.onSegment(flow, packet.direction(), packet.decoded(), packet.timestampNanos());
            hooks.packetEnd();
        }
    }

    @Override
    public void onFlowEnd(final FlowTable table, final int flow, final FlowEndReason reason) {
        final long mask = wantedBy[flow];
        if (mask == 0) {
            return;
        }
        if (hooks.stopRequested(flow)) {
            reassembler.stopFlow(flow);
        } else {
            reassembler.onFlowEnd(flow, table.lastSeenNanos(flow));
        }
        for (int i = 0; i < consumers.length; i++) {
            if ((mask & (1L << i)) != 0) {
                consumers[i].onFlowEnd(table, flow, reason);
            }
        }
        wantedBy[flow] = 0;
    }

    @Override
    public void onData(final int flow, final boolean fromClient, final long streamOffset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        final long mask = wantedBy[flow];
        for (int i = 0; i < consumers.length; i++) {
            if ((mask & (1L << i)) != 0) {
                if (hooks.stopRequested(flow)) {
                    return; // a consumer (a script) stopped the flow during this chunk
                }
                consumers[i].onData(flow, fromClient, streamOffset, memory, memoryOffset, length, timestampNanos);
            }
        }
    }

    @Override
    public void onGap(final int flow, final boolean fromClient, final long streamOffset, final long missing) {
        final long mask = wantedBy[flow];
        if (hooks.stopRequested(flow)) {
            return;
        }
        for (int i = 0; i < consumers.length; i++) {
            if ((mask & (1L << i)) != 0) {
                consumers[i].onGap(flow, fromClient, streamOffset, missing);
            }
        }
    }

    @Override
    public void onStreamEnd(final int flow, final boolean fromClient, final boolean complete) {
        final long mask = wantedBy[flow];
        final boolean whole = complete && !hooks.stopRequested(flow);
        for (int i = 0; i < consumers.length; i++) {
            if ((mask & (1L << i)) != 0) {
                consumers[i].onStreamEnd(flow, fromClient, whole);
            }
        }
    }

    @Override
    public void onEndOfInput() {
        for (final StreamConsumer consumer : consumers) {
            consumer.onEndOfInput();
        }
    }

    @Override
    public void onClose() {
        for (final StreamConsumer consumer : consumers) {
            consumer.close();
        }
        reassembler.close();
    }

    /**
     * Creates one stage per pipeline, with consumers made per pipeline by {@code consumers}, and reports
     * {@code reassembly} in summary.json.
     */
    public static final class Factory implements PipelineStageFactory {
        private final Function<Pipeline, List<StreamConsumer>> consumers;
        private final Function<Pipeline, Hooks> hooks;
        private final List<ReassemblyStage> stages = new ArrayList<>();

        public Factory(final Function<Pipeline, List<StreamConsumer>> consumers) {
            this(consumers, pipeline -> Hooks.NONE);
        }

        /** With {@link Hooks} per pipeline, made after that pipeline's consumers. */
        public Factory(final Function<Pipeline, List<StreamConsumer>> consumers, final Function<Pipeline, Hooks> hooks) {
            this.consumers = consumers;
            this.hooks = hooks;
        }

        @Override
        public PipelineStage create(final Pipeline pipeline) {
            final long total = pipeline.configuration().get(TrawlSettings.REASSEMBLY_MEMCAP);
            final List<StreamConsumer> made = consumers.apply(pipeline);
            final ReassemblyStage stage = new ReassemblyStage(pipeline, made, hooks.apply(pipeline),
                Math.max(1L << 20, total / pipeline.configuration().pipelines()));
            stages.add(stage);
            return stage;
        }

        /** The stage of each pipeline, by pipeline index. */
        public List<ReassemblyStage> stages() {
            return stages;
        }

        @Override
        public void contributeSummary(final Map<String, Object> summary) {
            final ReassemblyCounters total = new ReassemblyCounters();
            for (final ReassemblyStage stage : stages) {
                total.add(stage.reassembler.counters());
            }
            summary.put("reassembly", total.toMap());
        }
    }
}

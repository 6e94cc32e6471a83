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
 * streams out to them. Consumers per flow are remembered as a bit mask (up to 64 consumers).
 */
public final class ReassemblyStage implements PipelineStage, StreamListener {
    private final FlowTable flows;
    private final TcpReassembler reassembler;
    private final StreamConsumer[] consumers;
    private final long[] wantedBy;

    ReassemblyStage(final Pipeline pipeline, final List<StreamConsumer> consumers, final long pipelineCap) {
        if (consumers.size() > 64) {
            throw new IllegalArgumentException("at most 64 stream consumers per pipeline");
        }
        this.flows = pipeline.flows();
        this.consumers = consumers.toArray(new StreamConsumer[0]);
        this.wantedBy = new long[flows.capacity()];
        this.reassembler = new TcpReassembler(flows, pipeline.configuration().get(TrawlSettings.REASSEMBLY_MEMCAP_FLOW),
            pipelineCap, this);
    }

    /** The reassembler (for {@code engine:disable_reassembly} and tests). */
    public TcpReassembler reassembler() {
        return reassembler;
    }

    /** Stops reassembling a flow for every consumer. */
    public void disable(final int flow) {
        reassembler.stopFlow(flow);
        wantedBy[flow] = 0;
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
            reassembler.onSegment(flow, packet.direction(), packet.decoded(), packet.timestampNanos());
        }
    }

    @Override
    public void onFlowEnd(final FlowTable table, final int flow, final FlowEndReason reason) {
        final long mask = wantedBy[flow];
        if (mask == 0) {
            return;
        }
        reassembler.onFlowEnd(flow, table.lastSeenNanos(flow));
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
                consumers[i].onData(flow, fromClient, streamOffset, memory, memoryOffset, length, timestampNanos);
            }
        }
    }

    @Override
    public void onGap(final int flow, final boolean fromClient, final long streamOffset, final long missing) {
        final long mask = wantedBy[flow];
        for (int i = 0; i < consumers.length; i++) {
            if ((mask & (1L << i)) != 0) {
                consumers[i].onGap(flow, fromClient, streamOffset, missing);
            }
        }
    }

    @Override
    public void onStreamEnd(final int flow, final boolean fromClient, final boolean complete) {
        final long mask = wantedBy[flow];
        for (int i = 0; i < consumers.length; i++) {
            if ((mask & (1L << i)) != 0) {
                consumers[i].onStreamEnd(flow, fromClient, complete);
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
        private final List<ReassemblyStage> stages = new ArrayList<>();

        public Factory(final Function<Pipeline, List<StreamConsumer>> consumers) {
            this.consumers = consumers;
        }

        @Override
        public PipelineStage create(final Pipeline pipeline) {
            final long total = pipeline.configuration().get(TrawlSettings.REASSEMBLY_MEMCAP);
            final ReassemblyStage stage = new ReassemblyStage(pipeline, consumers.apply(pipeline),
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

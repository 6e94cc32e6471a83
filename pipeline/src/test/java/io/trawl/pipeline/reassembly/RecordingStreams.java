package io.trawl.pipeline.reassembly;

import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowKeyFormat;
import io.trawl.pipeline.flow.FlowTable;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A stream consumer that records every stream it is given, keyed by flow key and direction. */
public final class RecordingStreams implements StreamConsumer {
    /** One direction of one connection as delivered. */
    public static final class Stream {
        public final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        public final List<long[]> gaps = new ArrayList<>();
        public Boolean complete;
        public long expectedOffset;
        public boolean offsetsContiguous = true;
    }

    private final Map<String, Stream> streams;
    private final FlowTable flows;
    private final Map<Integer, String> keys = new LinkedHashMap<>();
    public final List<String> endedFlows = Collections.synchronizedList(new ArrayList<>());

    public RecordingStreams(final Pipeline pipeline, final Map<String, Stream> shared) {
        this.flows = pipeline.flows();
        this.streams = shared;
    }

    /** A map suitable for sharing between the pipelines' recorders. */
    public static Map<String, Stream> sharedMap() {
        return new ConcurrentHashMap<>();
    }

    private Stream stream(final int flow, final boolean fromClient) {
        final String key = keys.computeIfAbsent(flow, f -> FlowKeyFormat.key(flows, f) + "@" + flows.serial(f));
        return streams.computeIfAbsent(key + (fromClient ? " c2s" : " s2c"), k -> new Stream());
    }

    @Override
    public void onData(final int flow, final boolean fromClient, final long streamOffset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        final Stream stream = stream(flow, fromClient);
        if (streamOffset != stream.expectedOffset) {
            stream.offsetsContiguous = false;
        }
        stream.expectedOffset = streamOffset + length;
        stream.bytes.writeBytes(memory.asSlice(memoryOffset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public void onGap(final int flow, final boolean fromClient, final long streamOffset, final long missing) {
        final Stream stream = stream(flow, fromClient);
        stream.gaps.add(new long[] {streamOffset, missing});
        if (streamOffset != stream.expectedOffset) {
            stream.offsetsContiguous = false;
        }
        stream.expectedOffset = streamOffset + missing;
        stream.bytes.writeBytes(new byte[(int) missing]); // holes as zeros, like tcpflow's sparse files
    }

    @Override
    public void onStreamEnd(final int flow, final boolean fromClient, final boolean complete) {
        stream(flow, fromClient).complete = complete;
    }

    @Override
    public void onFlowEnd(final FlowTable table, final int flow, final FlowEndReason reason) {
        endedFlows.add(FlowKeyFormat.key(table, flow) + " " + reason);
        keys.remove(flow);
    }
}

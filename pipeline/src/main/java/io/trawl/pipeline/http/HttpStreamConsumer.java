package io.trawl.pipeline.http;

import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.reassembly.StreamConsumer;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Runs an {@link HttpFlowParser} over the reassembled streams of every flow its listeners want, and hands
 * what it finds to them in order (filters first, then the file extractor, then body consumers).
 *
 * <p>Threading: one instance per pipeline.
 */
public final class HttpStreamConsumer implements StreamConsumer, HttpListener {
    private final HttpListener[] listeners;
    private final HttpFlowParser[] parsers;
    private final ByteBuffer decodeBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final MemorySegment decodeSegment = MemorySegment.ofBuffer(decodeBuffer);
    private long transactions;

    public HttpStreamConsumer(final int flowCapacity, final List<HttpListener> listeners) {
        this.listeners = listeners.toArray(new HttpListener[0]);
        this.parsers = new HttpFlowParser[flowCapacity];
    }

    @Override
    public boolean wantsFlow(final FlowTable flows, final int flow, final long timestampNanos) {
        boolean wanted = false;
        for (final HttpListener listener : listeners) {
            wanted |= listener.wantsFlow(flows, flow, timestampNanos);
        }
        return wanted;
    }

    private HttpFlowParser parser(final int flow) {
        HttpFlowParser parser = parsers[flow];
        if (parser == null) {
            parser = new HttpFlowParser(flow, this, decodeBuffer, decodeSegment);
            parsers[flow] = parser;
        }
        return parser;
    }

    @Override
    public void onData(final int flow, final boolean fromClient, final long streamOffset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        final HttpFlowParser parser = parser(flow);
        if (!parser.isDead()) {
            parser.onData(fromClient, memory, memoryOffset, length, timestampNanos);
        }
    }

    @Override
    public void onGap(final int flow, final boolean fromClient, final long streamOffset, final long missing) {
        parser(flow).onGap(fromClient, missing);
    }

    @Override
    public void onStreamEnd(final int flow, final boolean fromClient, final boolean complete) {
        final HttpFlowParser parser = parsers[flow];
        if (parser != null) {
            parser.onStreamEnd(fromClient, complete);
        }
    }

    @Override
    public void onFlowEnd(final FlowTable flows, final int flow, final FlowEndReason reason) {
        final HttpFlowParser parser = parsers[flow];
        if (parser != null) {
            parser.close();
            parsers[flow] = null;
        }
    }

    /** Transactions (responses) seen by this pipeline. */
    public long transactions() {
        return transactions;
    }

    // ---- fan-out ----------------------------------------------------------------------------------

    @Override
    public void onRequest(final int flow, final HttpTransaction transaction, final long timestampNanos) {
        for (final HttpListener listener : listeners) {
            listener.onRequest(flow, transaction, timestampNanos);
        }
    }

    @Override
    public void onResponse(final int flow, final HttpTransaction transaction, final long timestampNanos) {
        transactions++;
        for (final HttpListener listener : listeners) {
            listener.onResponse(flow, transaction, timestampNanos);
        }
    }

    @Override
    public void onBody(final int flow, final HttpTransaction transaction, final long offset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        for (final HttpListener listener : listeners) {
            listener.onBody(flow, transaction, offset, memory, memoryOffset, length, timestampNanos);
        }
    }

    @Override
    public void onBodyEnd(final int flow, final HttpTransaction transaction, final long timestampNanos) {
        for (final HttpListener listener : listeners) {
            listener.onBodyEnd(flow, transaction, timestampNanos);
        }
    }
}

package io.trawl.pipeline.http;

import java.lang.foreign.MemorySegment;

/** Receives what {@link HttpFlowParser} finds, on the pipeline thread. Memory arguments are valid only during the call. */
public interface HttpListener {
    /** Whether this listener wants the HTTP of a new TCP flow (the flow is parsed if any listener does). */
    default boolean wantsFlow(final io.trawl.pipeline.flow.FlowTable flows, final int flow, final long timestampNanos) {
        return true;
    }

    /** A request header was parsed. */
    default void onRequest(final int flow, final HttpTransaction transaction, final long timestampNanos) {
    }

    /** A final (non-1xx) response header was parsed and paired with its request. */
    default void onResponse(final int flow, final HttpTransaction transaction, final long timestampNanos) {
    }

    /** Decoded (de-chunked, decompressed) response body bytes at {@code offset} within the body. */
    default void onBody(final int flow, final HttpTransaction transaction, final long offset, final MemorySegment memory,
                        final long memoryOffset, final int length, final long timestampNanos) {
    }

    /** The response body is over (also for responses without a body: length 0). */
    default void onBodyEnd(final int flow, final HttpTransaction transaction, final long timestampNanos) {
    }
}

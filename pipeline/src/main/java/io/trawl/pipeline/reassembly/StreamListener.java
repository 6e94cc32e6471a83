package io.trawl.pipeline.reassembly;

import java.lang.foreign.MemorySegment;

/**
 * Receives reassembled TCP streams, on the pipeline thread. Directions are named from the connection's
 * point of view: {@code fromClient} is true for the bytes the client (the SYN sender; when the handshake
 * was not seen, the endpoint with the higher port) sent to the server.
 */
public interface StreamListener {
    /**
     * New in-order bytes: {@code length} bytes at {@code streamOffset} (0 = first byte after the SYN, or the
     * first byte seen when the connection was picked up midstream). The memory is valid only during the
     * call.
     */
    void onData(int flow, boolean fromClient, long streamOffset, MemorySegment memory, long memoryOffset, int length,
                long timestampNanos);

    /** {@code missing} bytes at {@code streamOffset} will never arrive; delivery continues after them. */
    default void onGap(final int flow, final boolean fromClient, final long streamOffset, final long missing) {
    }

    /**
     * The direction is over (FIN reached with no hole, or the flow ended). {@code complete} is false when
     * the direction ended with a gap, a reset or an idle timeout before a FIN.
     */
    default void onStreamEnd(final int flow, final boolean fromClient, final boolean complete) {
    }
}

package io.trawl.capture;

/**
 * One independent stream of packets of a {@link CaptureSource}: a file, a NIC RX queue, an AF_XDP socket.
 *
 * <p>Threading: exactly one thread polls a queue for its whole life (single consumer); different queues
 * of one source may be polled by different threads at once.
 */
public interface ReceiveQueue {
    /** Returned by {@link #poll} when the queue will never deliver another packet. */
    int END_OF_INPUT = -1;

    /**
     * Delivers up to {@code limit} packets that are ready now to {@code handler}, in arrival order.
     * Never blocks for long: with nothing ready it returns 0 and the caller's idle strategy decides what to
     * do. (Live sources configured to sleep in the kernel when idle, such as {@code afxdp:} and
     * {@code afpacket:} in their {@code poll} wait mode, may first wait up to about a millisecond for
     * packets; that is their idle strategy.)
     *
     * @return packets delivered (0 if none were ready), or {@link #END_OF_INPUT}
     */
    int poll(PacketHandler handler, int limit);

    /**
     * True when packet bytes stay valid and unchanged after {@link #poll} returns, until the source is
     * closed (a mapped file). Then a dispatcher may hand packets on to other threads by reference
     * instead of copying them.
     */
    boolean packetMemoryOutlivesPoll();

    /**
     * True when packet bytes stay valid and unchanged after {@link #poll} returns until the next
     * {@link #poll} (or {@link CaptureSource#close()}) on this queue, so the polling thread may finish a
     * poll's packets after it returned (a pipeline decodes a poll's packets first and then fetches their
     * flows together). Implied by {@link #packetMemoryOutlivesPoll()}.
     */
    default boolean packetMemoryValidUntilNextPoll() {
        return packetMemoryOutlivesPoll();
    }
}

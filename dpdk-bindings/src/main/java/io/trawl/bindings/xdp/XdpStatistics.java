package io.trawl.bindings.xdp;

/**
 * {@code XDP_STATISTICS} of one AF_XDP socket: the kernel's counts since the socket was created.
 *
 * @param rxDropped          packets dropped because no UMEM frame was free (fill ring empty) or the packet
 *                           was larger than a frame
 * @param rxInvalidDescriptors invalid frame addresses found in the fill ring (a user-space bug)
 * @param rxRingFull         packets dropped because the RX ring was full (user space too slow)
 * @param fillRingEmpty      times the kernel found the fill ring empty (not a packet count: overlaps rxDropped)
 */
public record XdpStatistics(long rxDropped, long rxInvalidDescriptors, long rxRingFull, long fillRingEmpty) {
    /** {@code sizeof(struct xdp_statistics)}. */
    static final int SIZE = 48;
    static final int RX_DROPPED = 0;
    static final int RX_INVALID_DESCS = 8;
    static final int RX_RING_FULL = 24;
    static final int RX_FILL_RING_EMPTY_DESCS = 32;

    /** Packets lost before user space saw them. */
    public long packetsLost() {
        return rxDropped + rxRingFull;
    }
}

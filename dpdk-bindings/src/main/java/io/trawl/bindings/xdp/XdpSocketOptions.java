package io.trawl.bindings.xdp;

/**
 * How to build one AF_XDP socket and its UMEM.
 *
 * @param frameSize       bytes per UMEM frame, 2048 or 4096 (a packet must fit in it minus 256 bytes of headroom)
 * @param frameCount      frames in the UMEM
 * @param fillRingSize    entries of the fill ring (power of two)
 * @param rxRingSize      entries of the RX ring (power of two)
 * @param zeroCopy        bind with {@code XDP_ZEROCOPY} (driver support needed) instead of {@code XDP_COPY}
 * @param busyPoll        configure {@code SO_PREFER_BUSY_POLL}/{@code SO_BUSY_POLL} so that
 *                        {@code recvfrom(MSG_DONTWAIT)} runs the driver's NAPI in the caller's thread
 * @param busyPollBudget  packets per busy-poll ({@code SO_BUSY_POLL_BUDGET})
 */
public record XdpSocketOptions(int frameSize, int frameCount, int fillRingSize, int rxRingSize, boolean zeroCopy,
                               boolean busyPoll, int busyPollBudget) {
    public XdpSocketOptions {
        if (frameSize != 2048 && frameSize != 4096) {
            throw new IllegalArgumentException("frame size must be 2048 or 4096, got " + frameSize);
        }
        requirePowerOfTwo("fill ring size", fillRingSize);
        requirePowerOfTwo("RX ring size", rxRingSize);
        if (frameCount < 1) {
            throw new IllegalArgumentException("frame count must be positive, got " + frameCount);
        }
    }

    private static void requirePowerOfTwo(final String what, final int value) {
        if (value < 1 || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(what + " must be a power of two, got " + value);
        }
    }

    /** Bytes of UMEM. */
    public long umemBytes() {
        return (long) frameSize * frameCount;
    }

    /** The same options binding in copy mode. */
    public XdpSocketOptions withCopy() {
        return new XdpSocketOptions(frameSize, frameCount, fillRingSize, rxRingSize, false, busyPoll, busyPollBudget);
    }
}

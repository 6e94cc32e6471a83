package io.trawl.bindings.packet;

/**
 * How to build one TPACKET_V3 receive ring.
 *
 * @param blockSize          bytes per block: a power of two, at least 4096; a packet must fit in one block
 * @param blockCount         blocks in the ring
 * @param blockTimeoutMillis the kernel hands a block that is not full to user space after this long
 *                           ({@code tp_retire_blk_tov}), bounding latency at low rates
 */
public record PacketRingOptions(int blockSize, int blockCount, int blockTimeoutMillis) {
    public PacketRingOptions {
        if (blockSize < 4096 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two of at least 4096, got " + blockSize);
        }
        if (blockCount < 1) {
            throw new IllegalArgumentException("block count must be positive, got " + blockCount);
        }
        if (blockTimeoutMillis < 1) {
            throw new IllegalArgumentException("block timeout must be at least 1 ms, got " + blockTimeoutMillis);
        }
    }

    /** Bytes of the whole ring. */
    public long ringBytes() {
        return (long) blockSize * blockCount;
    }
}

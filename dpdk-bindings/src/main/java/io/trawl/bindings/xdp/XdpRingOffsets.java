package io.trawl.bindings.xdp;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Where the parts of one ring lie in its mapping, as the kernel reports them ({@code struct
 * xdp_ring_offset}: {@code u64 producer, consumer, desc, flags}). Never hard-coded: kernels differ.
 */
record XdpRingOffsets(long producer, long consumer, long descriptors, long flags) {
    /** {@code struct xdp_mmap_offsets}: rx, tx, fill, completion rings, 32 bytes each. */
    static final int MMAP_OFFSETS_SIZE = 128;
    static final int RX = 0;
    static final int TX = 32;
    static final int FILL = 64;
    static final int COMPLETION = 96;

    /** Reads the offsets of the ring at {@code ringOffset} in a {@code struct xdp_mmap_offsets}. */
    static XdpRingOffsets read(final MemorySegment mmapOffsets, final int ringOffset) {
        return new XdpRingOffsets(mmapOffsets.get(JAVA_LONG, ringOffset), mmapOffsets.get(JAVA_LONG, ringOffset + 8),
            mmapOffsets.get(JAVA_LONG, ringOffset + 16), mmapOffsets.get(JAVA_LONG, ringOffset + 24));
    }
}

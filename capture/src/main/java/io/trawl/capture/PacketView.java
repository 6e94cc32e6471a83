package io.trawl.capture;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One captured packet, as a flyweight over memory the source owns: {@code memory} from {@code offset}
 * for {@link #captureLength()} bytes. Sources reuse one instance per queue; it is valid only during
 * {@link PacketHandler#onPacket(PacketView)} unless the queue says its memory outlives the poll.
 *
 * <p>For sources whose memory is not one Java-visible region (DPDK mbufs, UMEM), {@code memory} is the
 * whole address space ({@link #NATIVE_MEMORY}) and {@code offset} is the absolute address; readers use
 * the same accessors either way.
 *
 * <p>Threading: owned by the thread polling the queue.
 */
public final class PacketView {
    /** A segment spanning the whole address space: sources with raw native addresses read through it. */
    public static final MemorySegment NATIVE_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final ValueLayout.OfShort U16_BE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32_BE =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64_BE =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment memory = MemorySegment.NULL;
    private long offset;
    private int captureLength;
    private int wireLength;
    private long timestampNanos;
    private int linkType;

    /** Points this view at a packet. Called by sources only. */
    public PacketView wrap(final MemorySegment memory, final long offset, final int captureLength,
                           final int wireLength, final long timestampNanos, final int linkType) {
        if (this.memory != memory) {
            // Sources wrap the same segment packet after packet: skip the reference store and its GC barrier.
            this.memory = memory;
        }
        this.offset = offset;
        this.captureLength = captureLength;
        this.wireLength = wireLength;
        this.timestampNanos = timestampNanos;
        this.linkType = linkType;
        return this;
    }

    /** The memory the packet lives in (the mapped file, or {@link #NATIVE_MEMORY}). */
    public MemorySegment memory() {
        return memory;
    }

    /** Offset of the first packet byte within {@link #memory()}. */
    public long offset() {
        return offset;
    }

    /** Bytes captured (available to read). */
    public int captureLength() {
        return captureLength;
    }

    /** Bytes the packet had on the wire (at least {@link #captureLength()} for a sane source). */
    public int wireLength() {
        return wireLength;
    }

    /** Packet time, nanoseconds since the Unix epoch (file time in replay, never wall time). */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** The link-layer header type, a {@link LinkType} constant. */
    public int linkType() {
        return linkType;
    }

    /** Unsigned byte at {@code index} (0-based from the packet start). No bounds check against caplen. */
    public int u8(final int index) {
        return memory.get(ValueLayout.JAVA_BYTE, offset + index) & 0xFF;
    }

    /** Unsigned big-endian 16-bit value at {@code index}. */
    public int u16(final int index) {
        return memory.get(U16_BE, offset + index) & 0xFFFF;
    }

    /** Big-endian 32-bit value at {@code index}. */
    public int i32(final int index) {
        return memory.get(U32_BE, offset + index);
    }

    /**
     * Big-endian 64-bit value at {@code index}: eight header bytes in one read (decoders take several
     * fields out of it).
     */
    public long i64(final int index) {
        return memory.get(U64_BE, offset + index);
    }

    /** Copies the captured bytes to a new array. For tests and slow paths only: it allocates. */
    public byte[] toByteArray() {
        return memory.asSlice(offset, captureLength).toArray(ValueLayout.JAVA_BYTE);
    }
}

package io.trawl.bindings.xdp;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The RX ring of an AF_XDP socket, consumed by user space: the kernel produces {@code struct xdp_desc}
 * ({@code u64 addr; u32 len; u32 options}, 16 bytes), one per received packet, whose bytes lie in the
 * UMEM at {@code addr}.
 *
 * <p>Use: {@code n = available(limit)}; read {@link #address(int)}/{@link #length(int)} for
 * {@code i < n}; then {@link #release(int) release(n)}. Threading: one consumer thread.
 */
public final class XdpRxRing extends XdpRing {
    static final int DESCRIPTOR_SIZE = 16;

    private int cachedProducer;
    private int cachedConsumer;

    XdpRxRing(final MemorySegment mapping, final XdpRingOffsets offsets, final int size) {
        super(mapping, offsets, size);
        cachedConsumer = consumerAcquire();
        cachedProducer = cachedConsumer;
    }

    /**
     * Descriptors ready to read, at most {@code limit}. Loads the kernel's producer index (acquire) only
     * when the cached one shows nothing ready.
     */
    public int available(final int limit) {
        int ready = cachedProducer - cachedConsumer;
        if (ready == 0) {
            // acquire: the descriptors the kernel wrote before publishing this index are visible
            cachedProducer = producerAcquire();
            ready = cachedProducer - cachedConsumer;
        }
        return Math.min(ready, limit);
    }

    /** UMEM offset of the packet in the {@code i}-th ready descriptor. */
    public long address(final int i) {
        return mapping.get(JAVA_LONG, descriptorsOffset + (long) ((cachedConsumer + i) & mask) * DESCRIPTOR_SIZE);
    }

    /** Length in bytes of the packet in the {@code i}-th ready descriptor. */
    public int length(final int i) {
        return mapping.get(JAVA_INT, descriptorsOffset + (long) ((cachedConsumer + i) & mask) * DESCRIPTOR_SIZE + 8);
    }

    /** Gives {@code count} read descriptors back to the kernel. */
    public void release(final int count) {
        cachedConsumer += count;
        // release: our reads of the descriptors happen before the kernel may overwrite the slots
        U32.setRelease(mapping, consumerOffset, cachedConsumer);
    }
}

package io.trawl.bindings.xdp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A single-producer/single-consumer ring shared with the kernel through an {@code mmap} of an AF_XDP
 * socket: a {@code u32} producer index, a {@code u32} consumer index, a {@code u32} flags word and
 * {@code size} descriptors; indices run freely and wrap at 2^32, a slot is {@code index & (size - 1)}.
 * Where each part lies comes from the kernel ({@code XDP_MMAP_OFFSETS}).
 *
 * <p>Memory ordering (the kernel's side is {@code smp_load_acquire}/{@code smp_store_release}): the side
 * that produces writes descriptors, then publishes them with a release store of the producer index; the
 * side that consumes reads the producer index with an acquire load before reading descriptors, and hands
 * slots back with a release store of the consumer index. Each side caches the other side's index and
 * reloads it only when the cache says the ring is empty (consumer) or full (producer), as Netty's io_uring
 * queues do.
 *
 * <p>Threading: each ring of a socket has exactly one user-space thread at a time.
 */
abstract class XdpRing {
    static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

    final MemorySegment mapping;
    final long producerOffset;
    final long consumerOffset;
    final long flagsOffset;
    final long descriptorsOffset;
    final int size;
    final int mask;

    XdpRing(final MemorySegment mapping, final XdpRingOffsets offsets, final int size) {
        this.mapping = mapping;
        this.producerOffset = offsets.producer();
        this.consumerOffset = offsets.consumer();
        this.flagsOffset = offsets.flags();
        this.descriptorsOffset = offsets.descriptors();
        this.size = size;
        this.mask = size - 1;
    }

    /** Number of descriptor slots (a power of two). */
    public final int size() {
        return size;
    }

    final int producerAcquire() {
        return (int) U32.getAcquire(mapping, producerOffset);
    }

    final int consumerAcquire() {
        return (int) U32.getAcquire(mapping, consumerOffset);
    }
}

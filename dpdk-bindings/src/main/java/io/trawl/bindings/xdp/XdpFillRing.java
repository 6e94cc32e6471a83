package io.trawl.bindings.xdp;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The FILL ring of a UMEM, produced by user space: each {@code u64} entry hands one free frame (its UMEM
 * offset) to the kernel to receive into.
 *
 * <p>Use: {@code n = freeSlots()}; {@link #put(int, long)} for {@code i < n}; then
 * {@link #submit(int) submit(n)}. Threading: one producer thread.
 */
public final class XdpFillRing extends XdpRing {
    /** {@code XDP_RING_NEED_WAKEUP} in the ring's flags word. */
    static final int NEED_WAKEUP = 1;
    static final int ENTRY_SIZE = 8;

    private int cachedProducer;
    private int cachedConsumer;

    XdpFillRing(final MemorySegment mapping, final XdpRingOffsets offsets, final int size) {
        super(mapping, offsets, size);
        cachedProducer = producerAcquire();
        cachedConsumer = consumerAcquire();
    }

    /** Slots free to fill now. Loads the kernel's consumer index (acquire) only when the cache says full. */
    public int freeSlots() {
        int free = size - (cachedProducer - cachedConsumer);
        if (free == 0) {
            // acquire: the kernel has finished reading the entries it consumed
            cachedConsumer = consumerAcquire();
            free = size - (cachedProducer - cachedConsumer);
        }
        return free;
    }

    /** Like {@link #freeSlots()}, but always reloads the kernel's consumer index. */
    public int freeSlotsRefreshed() {
        cachedConsumer = consumerAcquire();
        return size - (cachedProducer - cachedConsumer);
    }

    /** Writes frame {@code address} into the {@code i}-th free slot (not yet visible to the kernel). */
    public void put(final int i, final long address) {
        mapping.set(JAVA_LONG, descriptorsOffset + (long) ((cachedProducer + i) & mask) * ENTRY_SIZE, address);
    }

    /** Publishes the first {@code count} written slots to the kernel. */
    public void submit(final int count) {
        cachedProducer += count;
        // release: the entries are written before the kernel can see the new producer index
        U32.setRelease(mapping, producerOffset, cachedProducer);
    }

    /** True when the kernel asks to be woken (a syscall) to look at this ring ({@code XDP_USE_NEED_WAKEUP}). */
    public boolean needsWakeup() {
        return ((int) U32.getAcquire(mapping, flagsOffset) & NEED_WAKEUP) != 0;
    }
}

package io.trawl.async.pipeline;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.agrona.collections.LongArrayQueue;

/**
 * Off-heap memory for copybuffer bytes, owned by one pipeline: bytes are copied in once at call time and
 * the slot is freed when the job's completion comes back to the same pipeline. Size classes of 2, 16 and
 * 64 KiB are carved from 1 MiB slabs and recycled through free lists; larger buffers get their own
 * allocation. Workers only read the slots (after the queue hand-off).
 *
 * <p>Threading: the owning pipeline allocates and frees; memory is shared-arena so workers may read it.
 */
public final class StagingPool {
    private static final int[] CLASS_SIZES = {2048, 16 * 1024, 64 * 1024};
    private static final long SLAB = 1L << 20;

    /** A staged slot: memory and offset, and the handle to free it. */
    public record Slot(MemorySegment memory, long offset, long handle) {
    }

    private final Arena arena = Arena.ofShared();
    private final LongArrayQueue[] free;
    private final java.util.ArrayList<MemorySegment> slabs = new java.util.ArrayList<>();
    private final java.util.HashMap<Long, Arena> large = new java.util.HashMap<>();
    private final java.util.HashMap<Long, MemorySegment> largeSegments = new java.util.HashMap<>();
    private MemorySegment current;
    private long currentUsed = SLAB;
    private long nextLargeHandle = -2;
    private long stagedBytes;

    public StagingPool() {
        this(8L << 20);
    }

    /**
     * @param preallocateBytes memory carved into the smallest size class up front (on the creating thread),
     *                         so the first copybuffer calls do not pay for fresh pages on the fast path
     */
    public StagingPool(final long preallocateBytes) {
        free = new LongArrayQueue[CLASS_SIZES.length];
        for (int i = 0; i < free.length; i++) {
            free[i] = new LongArrayQueue(Long.MIN_VALUE);
        }
        for (long carved = 0; carved + CLASS_SIZES[0] <= preallocateBytes; carved += CLASS_SIZES[0]) {
            free[0].offerLong(carve(CLASS_SIZES[0]));
        }
    }

    /** Copies {@code length} bytes into a new slot. */
    public Slot stage(final MemorySegment memory, final long offset, final int length) {
        final int sizeClass = sizeClass(length);
        final Slot slot;
        if (sizeClass < 0) {
            final Arena own = Arena.ofShared();
            final MemorySegment segment = own.allocate(length, 64);
            final long handle = nextLargeHandle--;
            large.put(handle, own);
            largeSegments.put(handle, segment);
            slot = new Slot(segment, 0, handle);
        } else {
            final long reusable = free[sizeClass].pollLong();
            final long slabAndOffset = reusable != Long.MIN_VALUE ? reusable : carve(CLASS_SIZES[sizeClass]);
            final int slab = (int) (slabAndOffset >>> 32);
            final long at = slabAndOffset & 0xFFFF_FFFFL;
            slot = new Slot(slabs.get(slab), at, (slabAndOffset << 2) | sizeClass);
        }
        MemorySegment.copy(memory, offset, slot.memory(), slot.offset(), length);
        stagedBytes += length;
        return slot;
    }

    private long carve(final int size) {
        if (currentUsed + size > SLAB) {
            current = arena.allocate(SLAB, 4096);
            slabs.add(current);
            currentUsed = 0;
        }
        final long at = currentUsed;
        currentUsed += size;
        return ((long) (slabs.size() - 1) << 32) | at;
    }

    /** Frees a slot of {@code length} bytes. */
    public void free(final long handle, final int length) {
        stagedBytes -= length;
        if (handle < 0) {
            final Arena own = large.remove(handle);
            largeSegments.remove(handle);
            if (own != null) {
                own.close();
            }
            return;
        }
        final int sizeClass = (int) (handle & 3);
        free[sizeClass].offerLong(handle >>> 2);
    }

    /** Bytes staged and not yet freed. */
    public long stagedBytes() {
        return stagedBytes;
    }

    private static int sizeClass(final int length) {
        for (int i = 0; i < CLASS_SIZES.length; i++) {
            if (length <= CLASS_SIZES[i]) {
                return i;
            }
        }
        return -1;
    }

    /** Releases all memory (after every job finished). */
    public void close() {
        for (final Arena own : large.values()) {
            own.close();
        }
        large.clear();
        arena.close();
    }
}

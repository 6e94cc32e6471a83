package io.trawl.pipeline.reassembly;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap storage for out-of-order TCP segments: fixed-size chunks with a free list, and list nodes
 * (stream offset, length, next) kept in plain arrays, node i owning chunk i. A segment longer than a chunk
 * takes several nodes. Chunks come from slabs of 4 MiB allocated on first need, up to the cap, so an idle
 * pipeline holds almost nothing.
 *
 * <p>Threading: one pipeline thread.
 */
final class SegmentStore {
    static final int CHUNK = 2048;
    static final int NONE = -1;

    static final int SLAB_CHUNKS = 2048;
    private static final int SLAB_SHIFT = 11;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] slabs;
    private int slabCount;
    private final int chunks;
    private final long[] nodeOffset;
    private final int[] nodeLength;
    private final int[] nodeNext;
    private int freeHead;
    private int freeCount;

    SegmentStore(final long capacityBytes) {
        final long slabsWanted = Math.max(1, capacityBytes / ((long) CHUNK * SLAB_CHUNKS));
        this.slabs = new MemorySegment[(int) Math.min(slabsWanted, Integer.MAX_VALUE / SLAB_CHUNKS)];
        this.chunks = slabs.length * SLAB_CHUNKS;
        this.nodeOffset = new long[chunks];
        this.nodeLength = new int[chunks];
        this.nodeNext = new int[chunks];
        freeHead = NONE;
        freeCount = 0;
    }

    /** Adds a slab's chunks to the free list; false when the cap is reached. */
    private boolean grow() {
        if (slabCount == slabs.length) {
            return false;
        }
        final int slab = slabCount++;
        slabs[slab] = arena.allocate((long) SLAB_CHUNKS * CHUNK, 4096);
        final int first = slab * SLAB_CHUNKS;
        for (int i = first + SLAB_CHUNKS - 1; i >= first; i--) {
            nodeNext[i] = freeHead;
            freeHead = i;
        }
        freeCount += SLAB_CHUNKS;
        return true;
    }

    /** Nodes needed to hold {@code length} bytes. */
    static int nodesFor(final int length) {
        return (length + CHUNK - 1) / CHUNK;
    }

    /** Nodes that can still be allocated (free now, plus slabs not yet allocated). */
    int freeNodes() {
        return freeCount + (slabs.length - slabCount) * SLAB_CHUNKS;
    }

    /** Takes a node holding a copy of {@code length <= CHUNK} bytes; the caller checked {@link #freeNodes()}. */
    int allocate(final long streamOffset, final MemorySegment memory, final long memoryOffset, final int length) {
        if (freeHead == NONE && !grow()) {
            throw new IllegalStateException("segment store exhausted; callers check freeNodes() first");
        }
        final int node = freeHead;
        freeHead = nodeNext[node];
        freeCount--;
        nodeOffset[node] = streamOffset;
        nodeLength[node] = length;
        nodeNext[node] = NONE;
        MemorySegment.copy(memory, memoryOffset, region(node), dataOffset(node), length);
        return node;
    }

    void free(final int node) {
        nodeNext[node] = freeHead;
        freeHead = node;
        freeCount++;
    }

    long offset(final int node) {
        return nodeOffset[node];
    }

    int length(final int node) {
        return nodeLength[node];
    }

    long end(final int node) {
        return nodeOffset[node] + nodeLength[node];
    }

    int next(final int node) {
        return nodeNext[node];
    }

    void setNext(final int node, final int next) {
        nodeNext[node] = next;
    }

    /** Drops the first {@code bytes} of a node's data (they were delivered or are superseded). */
    void trimFront(final int node, final int bytes) {
        final long base = dataOffset(node);
        final MemorySegment region = region(node);
        MemorySegment.copy(region, base + bytes, region, base, nodeLength[node] - bytes);
        nodeOffset[node] += bytes;
        nodeLength[node] -= bytes;
    }

    /** The slab holding a node's bytes. */
    MemorySegment region(final int node) {
        return slabs[node >>> SLAB_SHIFT];
    }

    /** Where a node's bytes start in {@link #region(int)}. */
    long dataOffset(final int node) {
        return (long) (node & (SLAB_CHUNKS - 1)) * CHUNK;
    }

    /** Off-heap bytes allocated so far (whole slabs; never more than the capacity given). */
    long allocatedBytes() {
        return (long) slabCount * SLAB_CHUNKS * CHUNK;
    }

    void close() {
        arena.close();
    }
}

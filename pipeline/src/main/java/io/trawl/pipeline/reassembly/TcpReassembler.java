package io.trawl.pipeline.reassembly;

import io.trawl.pipeline.decode.DecodedPacket;
import io.trawl.pipeline.flow.FlowTable;

import java.lang.foreign.MemorySegment;

/**
 * Reassembles the TCP streams of the flows it was asked to follow ({@link #startFlow}). Each flow has two
 * streams, indexed {@code flow * 2 + flow-table direction}; stream offsets are 64-bit and computed from
 * 32-bit sequence numbers relative to the next expected byte, so sequence wrap-around is invisible.
 *
 * <p>Per segment: bytes at or before the next expected offset are delivered at once from packet memory
 * (their already-delivered prefix is an overlap and is skipped); bytes ahead of it are copied into the
 * {@link SegmentStore}, trimmed against what is buffered there (first seen wins; differing overlapping
 * bytes count as conflicts), and delivered as soon as the hole before them closes. When a flow's buffered
 * bytes would exceed the per-flow cap, or the pipeline's store is full, the stream gives up on its
 * holes: everything buffered is delivered with the holes reported as gaps, and the cause is counted. At
 * FIN the stream ends once every byte before the FIN arrived; at RST, idle timeout or end of input the
 * remaining bytes are flushed with gaps.
 *
 * <p>Threading: the pipeline thread. No allocation per segment.
 */
public final class TcpReassembler {
    private static final int INITIALIZED = 1;
    private static final int SYN_SEEN = 1 << 1;
    private static final int FIN_SEEN = 1 << 2;
    private static final int ENDED = 1 << 3;
    private static final int MIDSTREAM = 1 << 4;
    private static final int HAD_GAP = 1 << 5;
    private static final int NONE = SegmentStore.NONE;

    private final FlowTable flows;
    private final StreamListener listener;
    private final SegmentStore store;
    private final long flowCap;
    private final ReassemblyCounters counters = new ReassemblyCounters();

    private final boolean[] active;
    private final boolean[] clientIsZ;
    private final long[] base;
    private final long[] next;
    private final long[] finOffset;
    private final int[] state;
    private final int[] pendingHead;
    private final long[] pendingBytes;
    /** Out-of-order bytes buffered now, all flows. */
    private long buffered;
    private long timestampNanos;

    /**
     * @param flows          the pipeline's flow table (capacity, client side of each flow)
     * @param flowCapBytes   most out-of-order bytes buffered per flow (both directions together)
     * @param pipelineCapBytes most out-of-order bytes buffered by this pipeline
     */
    public TcpReassembler(final FlowTable flows, final long flowCapBytes, final long pipelineCapBytes,
                          final StreamListener listener) {
        this.flows = flows;
        this.listener = listener;
        this.flowCap = flowCapBytes;
        this.store = new SegmentStore(pipelineCapBytes);
        final int capacity = flows.capacity();
        active = new boolean[capacity];
        clientIsZ = new boolean[capacity];
        base = new long[capacity * 2];
        next = new long[capacity * 2];
        finOffset = new long[capacity * 2];
        state = new int[capacity * 2];
        pendingHead = new int[capacity * 2];
        pendingBytes = new long[capacity];
    }

    /** Starts following {@code flow}; its client is the SYN sender (else the A end, the higher port). */
    public void startFlow(final int flow) {
        if (active[flow]) {
            return;
        }
        active[flow] = true;
        clientIsZ[flow] = flows.clientIsZ(flow);
        pendingBytes[flow] = 0;
        for (int s = flow * 2; s < flow * 2 + 2; s++) {
            base[s] = 0;
            next[s] = 0;
            finOffset[s] = -1;
            state[s] = 0;
            pendingHead[s] = NONE;
        }
        counters.flows++;
    }

    /** True when {@code flow} is being reassembled. */
    public boolean isActive(final int flow) {
        return flow >= 0 && active[flow];
    }

    /**
     * Stops following {@code flow} ({@code engine:disable_reassembly}): buffered bytes are dropped, each
     * direction that had started and not yet ended ends incomplete ({@link StreamListener#onStreamEnd} with
     * {@code complete = false}), and nothing more is delivered.
     */
    public void stopFlow(final int flow) {
        if (!active[flow]) {
            return;
        }
        counters.disabled++;
        for (int s = flow * 2; s < flow * 2 + 2; s++) {
            freePending(s);
            final int st = state[s];
            state[s] = st | ENDED;
            if ((st & INITIALIZED) != 0 && (st & ENDED) == 0) {
                listener.onStreamEnd(flow, fromClient(flow, s), false);
            }
        }
        active[flow] = false;
    }

    /** True when the client→server direction of {@code flow} is the flow table's A→Z direction. */
    public boolean clientIsA(final int flow) {
        return !clientIsZ[flow];
    }

    /** One TCP packet of an active flow, in flow-table {@code direction}. */
    public void onSegment(final int flow, final int direction, final DecodedPacket d, final long timestamp) {
        if (!active[flow]) {
            return;
        }
        timestampNanos = timestamp;
        final int s = flow * 2 + direction;
        int st = state[s];
        if ((st & ENDED) != 0) {
            return;
        }
        final int flags = d.tcpFlags();
        final int length = d.payloadLength();
        long dataSeq = d.tcpSequence();
        if ((flags & 0x02) != 0) {
            dataSeq = (dataSeq + 1) & 0xFFFF_FFFFL;
            if ((st & INITIALIZED) == 0) {
                base[s] = dataSeq;
                st |= INITIALIZED | SYN_SEEN;
            }
        }
        if ((st & INITIALIZED) == 0) {
            if (length == 0 && (flags & 0x01) == 0) {
                return; // a bare ACK says nothing about where this direction's data starts
            }
            base[s] = dataSeq;
            st |= INITIALIZED | MIDSTREAM;
        }
        state[s] = st;
        final long reference = (base[s] + next[s]) & 0xFFFF_FFFFL;
        final long offset = next[s] + (int) (dataSeq - reference);
        if (offset < 0) {
            counters.beforeStart++;
            return;
        }
        if (length > 0) {
            data(flow, s, offset, d.packet().memory(), d.packet().offset() + d.payloadOffset(), length);
        }
        if ((flags & 0x01) != 0 && (state[s] & FIN_SEEN) == 0) {
            state[s] |= FIN_SEEN;
            finOffset[s] = offset + length;
        }
        if ((flags & 0x04) != 0) {
            endStream(flow, flow * 2, false);
            endStream(flow, flow * 2 + 1, false);
            return;
        }
        if ((state[s] & FIN_SEEN) != 0 && next[s] >= finOffset[s] && pendingHead[s] == NONE) {
            endStream(flow, s, true);
        }
    }

    private void data(final int flow, final int s, final long offset, final MemorySegment memory, final long memoryOffset,
                      final int length) {
        final long end = offset + length;
        final long expected = next[s];
        if (end <= expected) {
            counters.overlaps++; // a retransmission of delivered bytes
            return;
        }
        if (offset <= expected) {
            if (offset < expected) {
                counters.overlaps++;
            }
            compareOverlap(s, offset, memory, memoryOffset, end);
            // Deliver the segment's new bytes, letting buffered bytes (seen first) win where they overlap.
            while (next[s] < end) {
                final int head = pendingHead[s];
                if (head != NONE && store.offset(head) <= next[s]) {
                    drainPending(flow, s);
                    continue;
                }
                final long from = next[s];
                final long limit = head == NONE ? end : Math.min(end, store.offset(head));
                deliver(flow, s, from, memory, memoryOffset + (from - offset), (int) (limit - from));
            }
            drainPending(flow, s);
            return;
        }
        counters.outOfOrder++;
        buffer(flow, s, offset, memory, memoryOffset, length);
    }

    /** Buffers the parts of a segment not covered by what is already buffered. */
    private void buffer(final int flow, final int s, final long offset, final MemorySegment memory,
                        final long memoryOffset, final int length) {
        final long end = offset + length;
        final int needed = SegmentStore.nodesFor(length);
        if (pendingBytes[flow] + length > flowCap) {
            counters.memcapFlow++;
            flushWithGaps(flow, s);
            jumpAndDeliver(flow, s, offset, memory, memoryOffset, length);
            return;
        }
        if (store.freeNodes() < needed + 1) {
            counters.memcapGlobal++;
            flushWithGaps(flow, s);
            jumpAndDeliver(flow, s, offset, memory, memoryOffset, length);
            return;
        }
        compareOverlap(s, offset, memory, memoryOffset, end);
        int previous = NONE;
        int node = pendingHead[s];
        long cursor = offset;
        while (cursor < end) {
            while (node != NONE && store.end(node) <= cursor) {
                previous = node;
                node = store.next(node);
            }
            final long gapEnd = node == NONE ? end : Math.min(end, store.offset(node));
            if (gapEnd > cursor) {
                // Insert [cursor, gapEnd) before `node`, in chunks.
                while (cursor < gapEnd) {
                    final int piece = (int) Math.min(SegmentStore.CHUNK, gapEnd - cursor);
                    final int fresh = store.allocate(cursor, memory, memoryOffset + (cursor - offset), piece);
                    store.setNext(fresh, node);
                    if (previous == NONE) {
                        pendingHead[s] = fresh;
                    } else {
                        store.setNext(previous, fresh);
                    }
                    previous = fresh;
                    pendingBytes[flow] += piece;
                    buffered += piece;
                    cursor += piece;
                }
            } else {
                counters.overlaps++;
                cursor = Math.min(end, store.end(node)); // covered by a buffered node: first seen wins
            }
        }
        if (buffered > counters.bufferedPeak) {
            counters.bufferedPeak = buffered;
        }
    }

    /** Counts a conflict when a segment's bytes differ from buffered bytes for the same offsets. */
    private void compareOverlap(final int s, final long offset, final MemorySegment memory, final long memoryOffset,
                                final long end) {
        for (int node = pendingHead[s]; node != NONE && store.offset(node) < end; node = store.next(node)) {
            final long from = Math.max(offset, store.offset(node));
            final long to = Math.min(end, store.end(node));
            if (from < to) {
                final long mismatch = MemorySegment.mismatch(memory, memoryOffset + (from - offset), memoryOffset + (to - offset),
                    store.region(node), store.dataOffset(node) + (from - store.offset(node)),
                    store.dataOffset(node) + (to - store.offset(node)));
                if (mismatch >= 0) {
                    counters.overlapConflicts++;
                    return;
                }
            }
        }
    }

    /** Delivers buffered bytes that became contiguous with the next expected offset. */
    private void drainPending(final int flow, final int s) {
        int head = pendingHead[s];
        while (head != NONE && store.offset(head) <= next[s]) {
            final long expected = next[s];
            if (store.end(head) > expected) {
                final int skip = (int) (expected - store.offset(head));
                deliver(flow, s, expected, store.region(head), store.dataOffset(head) + skip, store.length(head) - skip);
            }
            final int following = store.next(head);
            pendingBytes[flow] -= store.length(head);
            buffered -= store.length(head);
            store.free(head);
            head = following;
        }
        pendingHead[s] = head;
    }

    /** Delivers everything buffered, reporting the holes before and between the pieces as gaps. */
    private void flushWithGaps(final int flow, final int s) {
        while (pendingHead[s] != NONE) {
            final int head = pendingHead[s];
            if (store.offset(head) > next[s]) {
                gap(flow, s, store.offset(head) - next[s]);
            }
            drainPending(flow, s);
        }
    }

    /** After a forced flush: skips to a segment that is still ahead and delivers it. */
    private void jumpAndDeliver(final int flow, final int s, final long offset, final MemorySegment memory,
                                final long memoryOffset, final int length) {
        final long expected = next[s];
        if (offset > expected) {
            gap(flow, s, offset - expected);
        }
        final long from = next[s];
        final long end = offset + length;
        if (end > from) {
            deliver(flow, s, from, memory, memoryOffset + (from - offset), (int) (end - from));
        }
    }

    private void gap(final int flow, final int s, final long missing) {
        counters.gaps++;
        counters.gapBytes += missing;
        state[s] |= HAD_GAP;
        listener.onGap(flow, fromClient(flow, s), next[s], missing);
        next[s] += missing;
    }

    private void deliver(final int flow, final int s, final long offset, final MemorySegment memory, final long memoryOffset,
                         final int length) {
        counters.bytes += length;
        next[s] = offset + length;
        listener.onData(flow, fromClient(flow, s), offset, memory, memoryOffset, length, timestampNanos);
    }

    private boolean fromClient(final int flow, final int s) {
        final boolean aToZ = (s & 1) == FlowTable.A_TO_Z;
        return aToZ != clientIsZ[flow];
    }

    private void endStream(final int flow, final int s, final boolean reachedFin) {
        int st = state[s];
        if ((st & ENDED) != 0) {
            return;
        }
        if ((st & INITIALIZED) == 0) {
            state[s] = st | ENDED;
            return;
        }
        flushWithGaps(flow, s);
        if ((st & FIN_SEEN) != 0 && next[s] < finOffset[s]) {
            gap(flow, s, finOffset[s] - next[s]);
        }
        st = state[s];
        state[s] = st | ENDED;
        final boolean complete = reachedFin && (st & HAD_GAP) == 0;
        listener.onStreamEnd(flow, fromClient(flow, s), complete);
    }

    /** The flow ends (FIN/RST aftermath, idle timeout, end of input): both streams end, flushed with gaps. */
    public void onFlowEnd(final int flow, final long timestamp) {
        if (!active[flow]) {
            return;
        }
        timestampNanos = timestamp;
        for (int s = flow * 2; s < flow * 2 + 2; s++) {
            final boolean finReached = (state[s] & FIN_SEEN) != 0;
            endStream(flow, s, finReached);
        }
        active[flow] = false;
    }

    private void freePending(final int s) {
        int node = pendingHead[s];
        while (node != NONE) {
            final int following = store.next(node);
            pendingBytes[s >> 1] -= store.length(node);
            buffered -= store.length(node);
            store.free(node);
            node = following;
        }
        pendingHead[s] = NONE;
    }

    /** Stream offset of the next byte expected in a direction (for tests and diagnostics). */
    public long nextOffset(final int flow, final int direction) {
        return next[flow * 2 + direction];
    }

    /** Out-of-order bytes buffered for a flow now. */
    public long bufferedBytes(final int flow) {
        return pendingBytes[flow];
    }

    /** Out-of-order bytes buffered now, all flows of this pipeline. */
    public long bufferedBytes() {
        return buffered;
    }

    public ReassemblyCounters counters() {
        counters.storeBytes = store.allocatedBytes();
        return counters;
    }

    /** Releases the off-heap store. */
    public void close() {
        store.close();
    }
}

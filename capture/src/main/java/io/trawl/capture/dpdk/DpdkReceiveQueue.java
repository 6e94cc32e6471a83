package io.trawl.capture.dpdk;

import io.trawl.bindings.dpdk.Eal;
import io.trawl.bindings.dpdk.EthRxQueue;
import io.trawl.bindings.dpdk.Mbuf;
import io.trawl.bindings.dpdk.MbufDynamicFields;
import io.trawl.capture.LinkType;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One RX queue of a {@link DpdkSource}: each poll takes bursts of mbufs and hands each packet to the handler
 * as a {@link PacketView} over the mbuf's data (no copy). The mbufs of a poll are held until the next poll
 * (or {@link #releaseHeld()}) and then freed together with {@code rte_pktmbuf_free_bulk}, so the polling
 * thread may finish a poll's packets after the poll returned ({@link #packetMemoryValidUntilNextPoll()}): a
 * pipeline decodes them first and then fetches all their flows at once. A poll holds at most the mbuf
 * array's capacity. A packet spread over several segments (jumbo frames with scatter) is gathered into
 * per-queue memory first, which also stays valid until the next poll.
 *
 * <p>Threading: one polling thread, registered with EAL on its first poll. The published counters may be
 * read from any thread.
 */
final class DpdkReceiveQueue implements ReceiveQueue {
    /** A file-replaying pcap PMD has reached the end of its file after this many empty bursts in a row. */
    static final int EMPTY_BURSTS_AT_END_OF_FILE = 2;
    private static final int GATHER_CAPACITY = 256 * 1024;
    private static final long GATHER_CHUNK = 1L << 20;
    private static final long NANOS_PER_MICRO = 1000;
    private static final long NOT_READ = Long.MIN_VALUE;

    private final EthRxQueue rx;
    private final int burst;
    private final boolean captureTime;
    private final int timestampOffset;
    private final long timestampFlag;
    private final boolean finite;
    private final AtomicLong budget;
    private final PacketView view = new PacketView();
    private final EpochNanoClock wallClock = new OffsetEpochNanoClock();

    private Thread poller;
    private boolean ended;
    private int emptyBursts;
    private long delivered;
    private long multiSegmentPackets;
    /** Mbufs of the last poll, at indexes 0..held-1 of the array, freed by the next poll. */
    private int held;
    private MemorySegment gather;
    private long gatherUsed;
    /** Gather chunks filled earlier in this poll: their packets are still in use until the next poll. */
    private final ArrayList<MemorySegment> retiredGather = new ArrayList<>();
    // Written by the poller with release stores (a plain mov on x86, no fence), read with acquire loads.
    private long deliveredPublished;
    private long multiSegmentPacketsPublished;
    private static final VarHandle DELIVERED_PUBLISHED;
    private static final VarHandle MULTI_SEGMENT_PUBLISHED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            DELIVERED_PUBLISHED = lookup.findVarHandle(DpdkReceiveQueue.class, "deliveredPublished", long.class);
            MULTI_SEGMENT_PUBLISHED = lookup.findVarHandle(DpdkReceiveQueue.class, "multiSegmentPacketsPublished", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * @param timestamps where the capture time lives in each mbuf, or null to stamp packets with the wall clock
     * @param finite     the queue ends when the device runs dry (a pcap PMD replaying a file)
     * @param budget     packets left for all queues of the source, or null for no limit
     */
    DpdkReceiveQueue(final EthRxQueue rx, final int burst, final MbufDynamicFields.RxTimestamp timestamps,
                     final boolean finite, final AtomicLong budget) {
        this.rx = rx;
        this.burst = burst;
        this.captureTime = timestamps != null;
        this.timestampOffset = timestamps == null ? 0 : timestamps.fieldOffset();
        this.timestampFlag = timestamps == null ? 0 : timestamps.flagMask();
        this.finite = finite;
        this.budget = budget;
    }

    @Override
    public int poll(final PacketHandler handler, final int limit) {
        releaseHeld();
        if (ended) {
            return END_OF_INPUT;
        }
        if (Thread.currentThread() != poller) {
            Eal.registerCurrentThread();
            poller = Thread.currentThread();
        }
        int count = 0;
        final int room = Math.min(limit, rx.capacity());
        while (count < room) {
            int wanted = Math.min(burst, room - count);
            if (budget != null) {
                wanted = reserve(wanted);
                if (wanted == 0) {
                    ended = true;
                    break;
                }
            }
            final int received = rx.receive(count, wanted);
            if (budget != null && received < wanted) {
                budget.addAndGet(wanted - received);
            }
            if (received == 0) {
                if (finite && ++emptyBursts >= EMPTY_BURSTS_AT_END_OF_FILE) {
                    ended = true;
                }
                break;
            }
            emptyBursts = 0;
            held = count + received; // freed by the next poll even if the handler throws
            deliver(handler, count, received);
            count += received;
            if (received < wanted) {
                break;
            }
        }
        if (count > 0) {
            delivered += count;
            DELIVERED_PUBLISHED.setRelease(this, delivered); // once per poll, not per packet
        }
        return count == 0 && ended ? END_OF_INPUT : count;
    }

    private int reserve(final int wanted) {
        while (true) {
            final long left = budget.get();
            if (left <= 0) {
                return 0;
            }
            final int take = (int) Math.min(left, wanted);
            if (budget.compareAndSet(left, left - take)) {
                return take;
            }
        }
    }

    /**
     * Frees the mbufs the last poll held (the next poll does it first). For the owner after its last poll,
     * or {@link DpdkSource#close()} once the polling thread has stopped.
     */
    void releaseHeld() {
        if (held > 0) {
            final int count = held;
            held = 0;
            rx.free(count);
        }
        gatherUsed = 0;
        if (!retiredGather.isEmpty()) {
            retiredGather.clear();
        }
    }

    private void deliver(final PacketHandler handler, final int first, final int received) {
        final EthRxQueue queue = rx;
        final PacketView packet = view;
        // One wall-clock read per burst, and only when a packet has no capture time of its own.
        long burstTime = captureTime ? NOT_READ : wallClock.nanoTime();
        final int end = first + received;
        for (int i = first; i < end; i++) {
            final long mbuf = queue.mbuf(i);
            long time = burstTime;
            if (captureTime) {
                if ((Mbuf.offloadFlags(mbuf) & timestampFlag) != 0) {
                    time = Mbuf.dynamicField64(mbuf, timestampOffset) * NANOS_PER_MICRO;
                } else {
                    if (burstTime == NOT_READ) {
                        burstTime = wallClock.nanoTime();
                    }
                    time = burstTime;
                }
            }
            final long lengths = Mbuf.lengths(mbuf);
            final int length = Mbuf.packetLengthOf(lengths);
            final int segmentLength = Mbuf.dataLengthOf(lengths);
            if (segmentLength == length) {
                // One segment holds the whole packet (a chained packet's first segment is shorter).
                packet.wrap(PacketView.NATIVE_MEMORY, Mbuf.dataAddress(mbuf), length, length, time, LinkType.ETHERNET);
            } else {
                final long at = gatherRoom();
                packet.wrap(PacketView.NATIVE_MEMORY, gather.address() + at, gatherSegments(mbuf, at), length, time,
                    LinkType.ETHERNET);
            }
            handler.onPacket(packet);
        }
    }

    /** Offset in {@link #gather} with room for one gathered packet in this poll. */
    private long gatherRoom() {
        if (gather == null || gatherUsed + GATHER_CAPACITY > gather.byteSize()) {
            if (gather != null && gatherUsed > 0) {
                retiredGather.add(gather); // holds packets of this poll
            }
            gather = Arena.ofAuto().allocate(GATHER_CHUNK, 64);
            gatherUsed = 0;
        }
        return gatherUsed;
    }

    /** Copies every segment of a chained mbuf into the gather memory at {@code at}; returns the bytes copied. */
    private int gatherSegments(final long first, final long at) {
        final MemorySegment into = gather;
        int copied = 0;
        for (long segment = first; segment != 0 && copied < GATHER_CAPACITY; segment = Mbuf.next(segment)) {
            final int length = Math.min(Mbuf.dataLength(segment), GATHER_CAPACITY - copied);
            MemorySegment.copy(PacketView.NATIVE_MEMORY, Mbuf.dataAddress(segment), into, at + copied, length);
            copied += length;
        }
        gatherUsed = at + ((copied + 63) & ~63);
        multiSegmentPackets++;
        MULTI_SEGMENT_PUBLISHED.setRelease(this, multiSegmentPackets);
        return copied;
    }

    /** Mbuf memory is returned to its pool by the next poll: a dispatcher handing packets to other threads must copy. */
    @Override
    public boolean packetMemoryOutlivesPoll() {
        return false;
    }

    @Override
    public boolean packetMemoryValidUntilNextPoll() {
        return true;
    }

    long deliveredPublished() {
        return (long) DELIVERED_PUBLISHED.getAcquire(this);
    }

    long multiSegmentPacketsPublished() {
        return (long) MULTI_SEGMENT_PUBLISHED.getAcquire(this);
    }
}

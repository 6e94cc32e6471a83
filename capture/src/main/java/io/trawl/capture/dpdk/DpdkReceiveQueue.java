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
import java.util.concurrent.atomic.AtomicLong;

/**
 * One RX queue of a {@link DpdkSource}: each poll takes bursts of mbufs, hands each packet to the handler
 * as a {@link PacketView} over the mbuf's data (no copy), then frees the burst with
 * {@code rte_pktmbuf_free_bulk}. A packet spread over several segments (jumbo frames with scatter) is
 * gathered into a per-queue buffer first.
 *
 * <p>Threading: one polling thread, registered with EAL on its first poll. The published counters may be
 * read from any thread.
 */
final class DpdkReceiveQueue implements ReceiveQueue {
    /** A file-replaying pcap PMD has reached the end of its file after this many empty bursts in a row. */
    static final int EMPTY_BURSTS_AT_END_OF_FILE = 2;
    private static final int GATHER_CAPACITY = 256 * 1024;
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
    private MemorySegment gather;
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
        if (ended) {
            return END_OF_INPUT;
        }
        if (Thread.currentThread() != poller) {
            Eal.registerCurrentThread();
            poller = Thread.currentThread();
        }
        int count = 0;
        while (count < limit) {
            int wanted = Math.min(burst, limit - count);
            if (budget != null) {
                wanted = reserve(wanted);
                if (wanted == 0) {
                    ended = true;
                    break;
                }
            }
            final int received = rx.receive(wanted);
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
            deliver(handler, received);
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

    private void deliver(final PacketHandler handler, final int received) {
        final EthRxQueue queue = rx;
        final PacketView packet = view;
        // One wall-clock read per burst, and only when a packet has no capture time of its own.
        long burstTime = captureTime ? NOT_READ : wallClock.nanoTime();
        try {
            for (int i = 0; i < received; i++) {
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
                    packet.wrap(PacketView.NATIVE_MEMORY, gather().address(), gatherSegments(mbuf), length, time,
                        LinkType.ETHERNET);
                }
                handler.onPacket(packet);
            }
        } finally {
            queue.free(received);
        }
    }

    private MemorySegment gather() {
        if (gather == null) {
            gather = Arena.ofAuto().allocate(GATHER_CAPACITY, 64);
        }
        return gather;
    }

    /** Copies every segment of a chained mbuf into the gather buffer; returns the bytes copied. */
    private int gatherSegments(final long first) {
        final MemorySegment into = gather();
        int copied = 0;
        for (long segment = first; segment != 0 && copied < GATHER_CAPACITY; segment = Mbuf.next(segment)) {
            final int length = Math.min(Mbuf.dataLength(segment), GATHER_CAPACITY - copied);
            MemorySegment.copy(PacketView.NATIVE_MEMORY, Mbuf.dataAddress(segment), into, copied, length);
            copied += length;
        }
        multiSegmentPackets++;
        MULTI_SEGMENT_PUBLISHED.setRelease(this, multiSegmentPackets);
        return copied;
    }

    /** Mbuf memory is returned to its pool after each burst: a dispatcher must copy. */
    @Override
    public boolean packetMemoryOutlivesPoll() {
        return false;
    }

    long deliveredPublished() {
        return (long) DELIVERED_PUBLISHED.getAcquire(this);
    }

    long multiSegmentPacketsPublished() {
        return (long) MULTI_SEGMENT_PUBLISHED.getAcquire(this);
    }
}

package io.trawl.capture.afxdp;

import io.trawl.bindings.linux.Linux;
import io.trawl.bindings.xdp.XdpRxRing;
import io.trawl.bindings.xdp.XdpSocket;
import io.trawl.capture.LinkType;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

/**
 * One AF_XDP socket as a {@link ReceiveQueue}: packets are delivered in place from the UMEM (no copy), and
 * their frames go back to the fill ring after the whole batch was handled, so a packet's bytes stay valid
 * for the handler and anything it does synchronously (a {@code copybuffer}).
 *
 * <p>Idle behaviour: with nothing in the RX ring, {@code poll} mode sleeps in {@code poll()} up to
 * {@value #POLL_TIMEOUT_MILLIS} ms (woken by the kernel when a packet arrives), so an idle capture thread
 * costs nothing. While traffic flows (the last wait found packets), an emptied ring instead makes the
 * thread sleep before looking again, so the next packets are handled as one batch after one wakeup
 * instead of one wakeup each (what TPACKET_V3 blocks and NIC interrupt moderation do); the first packet
 * after a quiet spell is still delivered at once. The sleep adapts to the arrival rate, aiming to find a
 * quarter of the RX ring filled, between {@value #MIN_COALESCE_NANOS} ns and the configured maximum
 * (which bounds the added latency and, against a sudden burst, must stay below ring size / line rate). {@code busy-poll} mode calls
 * {@code recvfrom(MSG_DONTWAIT)} once, which runs the driver's receive work on this thread when
 * {@code SO_BUSY_POLL} is in effect, and returns at once.
 *
 * <p>Threading: one polling thread (single consumer of the RX ring, single producer of the fill ring).
 * Packet timestamps are wall-clock receive times (AF_XDP has no kernel timestamp), one per batch.
 */
final class AfXdpReceiveQueue implements ReceiveQueue {
    static final int POLL_TIMEOUT_MILLIS = 1;
    static final long MIN_COALESCE_NANOS = 20_000;

    private final XdpSocket socket;
    private final XdpRxRing rx;
    private final MemorySegment umem;
    private final boolean busyPoll;
    private final long maxCoalesceNanos;
    private final int coalesceTarget;
    private long coalesceNanos;
    private final boolean zeroCopy;
    private final long[] frames;
    private final int[] lengths;
    private long prefetchSink;
    private final MemorySegment pollFd;
    private final PacketView view = new PacketView();
    private final long epochNanosAtStart;
    private final long nanoTimeAtStart;
    private volatile boolean closed;
    private boolean trafficFlowing;

    AfXdpReceiveQueue(final XdpSocket socket, final int rxRingSize, final boolean busyPoll, final int coalesceMicros) {
        this.socket = socket;
        this.rx = socket.rxRing();
        this.umem = socket.umem();
        this.busyPoll = busyPoll;
        this.maxCoalesceNanos = coalesceMicros * 1_000L;
        this.coalesceNanos = Math.min(MIN_COALESCE_NANOS, maxCoalesceNanos);
        this.coalesceTarget = Math.max(1, rxRingSize / 4);
        this.zeroCopy = socket.zeroCopy();
        this.frames = new long[rxRingSize];
        this.lengths = new int[rxRingSize];
        this.pollFd = Arena.ofAuto().allocate(Linux.POLLFD_SIZE, 4);
        pollFd.set(ValueLayout.JAVA_INT, 0, socket.fd());
        pollFd.set(ValueLayout.JAVA_SHORT, 4, Linux.POLLIN);
        final java.time.Instant now = java.time.Instant.now();
        this.nanoTimeAtStart = System.nanoTime();
        this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public int poll(final PacketHandler handler, final int limit) {
        if (closed) {
            return END_OF_INPUT;
        }
        socket.refill();
        int ready = rx.available(limit);
        if (ready == 0) {
            if (busyPoll) {
                socket.wakeUp();
            } else if (trafficFlowing && maxCoalesceNanos > 0) {
                LockSupport.parkNanos(coalesceNanos);
                adaptCoalescing(rx.available(Integer.MAX_VALUE));
            } else {
                pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                Linux.poll(pollFd, 1, POLL_TIMEOUT_MILLIS);
            }
            ready = rx.available(limit);
            trafficFlowing = ready > 0;
            if (ready == 0) {
                return 0;
            }
        }
        final long timestamp = epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
        final long[] batch = frames;
        final int[] lengths = this.lengths;
        final PacketView packet = view;
        // First pass: descriptors, and one independent load of each packet's first bytes, so the CPU fetches
        // the batch's packets (written by another core, one frame apart) in parallel rather than one by one.
        int touched = 0;
        for (int i = 0; i < ready; i++) {
            final long address = rx.address(i);
            batch[i] = address;
            lengths[i] = rx.length(i);
            touched += umem.get(ValueLayout.JAVA_BYTE, address);
        }
        prefetchSink += touched;
        rx.release(ready);
        int handled = 0;
        try {
            for (; handled < ready; handled++) {
                handler.onPacket(packet.wrap(umem, batch[handled], lengths[handled], lengths[handled], timestamp,
                    LinkType.ETHERNET));
            }
        } finally {
            // The handler is done with every packet of the batch: now the frames may be reused.
            socket.recycle(batch, ready);
            if (zeroCopy && socket.needsWakeup()) {
                socket.wakeUp();
            }
        }
        return ready;
    }

    /** After a coalescing sleep found {@code found} packets: move the sleep towards finding the target. */
    private void adaptCoalescing(final int found) {
        coalesceNanos = nextCoalesceNanos(coalesceNanos, found, coalesceTarget, maxCoalesceNanos);
    }

    /**
     * The next coalescing sleep: halfway towards the sleep that would have found {@code target} packets at
     * the rate just seen, at most doubling per step, within {@code [MIN_COALESCE_NANOS, max]}.
     */
    static long nextCoalesceNanos(final long current, final int found, final int target, final long max) {
        final long ideal = found == 0 ? max : current * target / found;
        final long next = Math.min((current + ideal) / 2, current * 2);
        return Math.max(Math.min(MIN_COALESCE_NANOS, max), Math.min(max, next));
    }

    @Override
    public boolean packetMemoryOutlivesPoll() {
        return false;
    }

    /** After this, {@link #poll} reports {@link #END_OF_INPUT}; called before the socket closes. */
    void markClosed() {
        closed = true;
    }
}

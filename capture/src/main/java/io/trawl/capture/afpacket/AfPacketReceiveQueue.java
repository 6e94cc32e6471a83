package io.trawl.capture.afpacket;

import io.trawl.bindings.linux.Linux;
import io.trawl.bindings.packet.PacketRingSocket;
import io.trawl.capture.LinkType;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One TPACKET_V3 socket as a {@link ReceiveQueue}: packets are delivered in place from the ring's blocks
 * (no copy); a block goes back to the kernel right after the handler returned for its last packet. A poll
 * may stop in the middle of a block (its limit reached) and continue there next time.
 *
 * <p>VLAN tags: the kernel strips a packet's outer 802.1Q/802.1ad tag and reports it beside the packet;
 * like libpcap, the tag is written back in place (the MAC addresses move 4 bytes into the headroom the
 * kernel leaves before each packet), so pipelines see the frame as it was on the wire.
 *
 * <p>Idle behaviour: {@code poll} mode sleeps in {@code poll()} up to {@value #POLL_TIMEOUT_MILLIS} ms when
 * no block is ready; {@code busy-poll} mode returns 0 at once.
 *
 * <p>Threading: one polling thread.
 */
final class AfPacketReceiveQueue implements ReceiveQueue {
    static final int POLL_TIMEOUT_MILLIS = 1;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int ETHERTYPE_8021Q = 0x8100;
    private static final int MAC_ADDRESSES = 12;
    private static final int VLAN_TAG = 4;

    private final PacketRingSocket socket;
    private final MemorySegment ring;
    private final int linkType;
    private final boolean busyPoll;
    private final int blockCount;
    private final MemorySegment pollFd;
    private final PacketView view = new PacketView();
    private volatile boolean closed;
    private int block;
    private int remainingInBlock;
    private long packet;

    AfPacketReceiveQueue(final PacketRingSocket socket, final int linkType, final boolean busyPoll) {
        this.socket = socket;
        this.ring = socket.ring();
        this.linkType = linkType;
        this.busyPoll = busyPoll;
        this.blockCount = socket.blockCount();
        this.pollFd = Arena.ofAuto().allocate(Linux.POLLFD_SIZE, 4);
        pollFd.set(ValueLayout.JAVA_INT, 0, socket.fd());
        pollFd.set(ValueLayout.JAVA_SHORT, 4, (short) (Linux.POLLIN | Linux.POLLERR));
    }

    @Override
    public int poll(final PacketHandler handler, final int limit) {
        if (closed) {
            return END_OF_INPUT;
        }
        int delivered = deliver(handler, limit);
        if (delivered == 0 && !busyPoll) {
            pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            Linux.poll(pollFd, 1, POLL_TIMEOUT_MILLIS);
            delivered = deliver(handler, limit);
        }
        return delivered;
    }

    private int deliver(final PacketHandler handler, final int limit) {
        final PacketRingSocket s = socket;
        int delivered = 0;
        while (delivered < limit) {
            if (remainingInBlock == 0) {
                if (!s.blockReadyAcquire(block)) {
                    break;
                }
                remainingInBlock = s.blockPacketCount(block);
                packet = s.firstPacket(block);
                if (remainingInBlock == 0) {
                    releaseCurrentBlock();
                    continue;
                }
            }
            final long header = packet;
            long data = s.packetData(header);
            int captureLength = s.packetCaptureLength(header);
            int wireLength = s.packetWireLength(header);
            final int status = s.packetStatus(header);
            if ((status & PacketRingSocket.TP_STATUS_VLAN_VALID) != 0 && linkType == LinkType.ETHERNET) {
                final int tpid = (status & PacketRingSocket.TP_STATUS_VLAN_TPID_VALID) != 0
                    ? s.packetVlanTpid(header) : ETHERTYPE_8021Q;
                MemorySegment.copy(ring, data, ring, data - VLAN_TAG, MAC_ADDRESSES);
                ring.set(U16_BE, data - VLAN_TAG + MAC_ADDRESSES, (short) tpid);
                ring.set(U16_BE, data - VLAN_TAG + MAC_ADDRESSES + 2, (short) s.packetVlanTci(header));
                data -= VLAN_TAG;
                captureLength += VLAN_TAG;
                wireLength += VLAN_TAG;
            }
            try {
                handler.onPacket(view.wrap(ring, data, captureLength, wireLength, s.packetTimestampNanos(header), linkType));
            } finally {
                delivered++;
                if (--remainingInBlock == 0) {
                    // The handler is done with the block's last packet: the kernel may refill it.
                    releaseCurrentBlock();
                } else {
                    packet = s.nextPacket(header);
                }
            }
        }
        return delivered;
    }

    private void releaseCurrentBlock() {
        socket.releaseBlock(block);
        block = block + 1 == blockCount ? 0 : block + 1;
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

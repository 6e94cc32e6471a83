package io.trawl.capture.afpacket;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.NetworkInterfaces;
import io.trawl.bindings.packet.PacketRingOptions;
import io.trawl.bindings.packet.PacketRingSocket;
import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.LiveCaptureSource;
import io.trawl.capture.LinkType;
import io.trawl.capture.ReceiveQueue;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live capture with AF_PACKET and TPACKET_V3 rings: {@code afpacket:IFACE} opens one socket per pipeline,
 * all in one {@code PACKET_FANOUT_HASH} group, so the kernel spreads packets over them by a symmetric flow
 * hash (both directions of a flow reach the same pipeline) and each pipeline polls its own ring.
 *
 * <p>Packets are read in place in the ring blocks; timestamps are the kernel's receive times. Packets the
 * host itself sends are not captured. {@link #drops()} reports {@code afpacket_ring_full}, the kernel's
 * {@code tp_drops} (a full ring: trawl too slow).
 *
 * <p>Fanout starts when the second socket joins: packets arriving in the microseconds before that all go
 * to the first socket.
 *
 * <p>Threading: as {@link CaptureSource}; each queue has one polling thread.
 */
public final class AfPacketSource extends LiveCaptureSource {
    private final List<PacketRingSocket> sockets;
    private final AfPacketReceiveQueue[] queues;

    private AfPacketSource(final List<PacketRingSocket> sockets, final AfPacketReceiveQueue[] queues, final String description) {
        super(description, queues);
        this.sockets = List.copyOf(sockets);
        this.queues = queues;
    }

    private static AfPacketReceiveQueue[] receiveQueues(final List<PacketRingSocket> sockets, final int linkType,
                                                        final boolean busyPoll) {
        final AfPacketReceiveQueue[] queues = new AfPacketReceiveQueue[sockets.size()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new AfPacketReceiveQueue(sockets.get(i), linkType, busyPoll);
        }
        return queues;
    }

    /**
     * Opens {@code socketCount} fanned-out sockets on {@code interfaceName}, in the calling thread's
     * network namespace.
     *
     * @throws ConfigException  when the interface does not exist or has an unsupported link type
     * @throws CaptureException when the kernel refuses (capability missing, ring too large...)
     */
    public static AfPacketSource open(final String interfaceName, final int socketCount, final PacketRingOptions ring,
                                      final boolean busyPoll) {
        final int ifindex;
        final int linkType;
        try {
            ifindex = NetworkInterfaces.index(interfaceName);
            linkType = linkType(interfaceName, NetworkInterfaces.hardwareType(interfaceName));
        } catch (final NativeException e) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "afpacket:" + interfaceName + ": " + e.getMessage());
        }
        final List<PacketRingSocket> sockets = new ArrayList<>();
        try {
            int group = socketCount > 1 ? PacketRingSocket.NEW_FANOUT_GROUP : PacketRingSocket.NO_FANOUT;
            for (int i = 0; i < socketCount; i++) {
                final PacketRingSocket socket = PacketRingSocket.open(interfaceName, ifindex, ring, group);
                sockets.add(socket);
                if (group == PacketRingSocket.NEW_FANOUT_GROUP) {
                    group = socket.fanoutGroup();
                }
            }
        } catch (final NativeException e) {
            for (final PacketRingSocket socket : sockets) {
                socket.close();
            }
            throw new CaptureException("afpacket:" + interfaceName + ": " + e.getMessage(), e);
        }
        final String text = "afpacket:" + interfaceName + " (TPACKET_V3, " + socketCount + " socket"
            + (socketCount > 1 ? "s in a PACKET_FANOUT_HASH group" : "") + ", " + ring.blockCount() + " x "
            + (ring.blockSize() >> 10) + " KiB blocks each, " + (busyPoll ? "busy-poll" : "poll()") + " when idle, "
            + LinkType.describe(linkType) + ")";
        return new AfPacketSource(sockets, receiveQueues(sockets, linkType, busyPoll), text);
    }

    private static int linkType(final String interfaceName, final int hardwareType) {
        return switch (hardwareType) {
            case NetworkInterfaces.ARPHRD_ETHER, NetworkInterfaces.ARPHRD_LOOPBACK -> LinkType.ETHERNET;
            case NetworkInterfaces.ARPHRD_NONE -> LinkType.RAW;
            default -> throw new ConfigException(TrawlSettings.SOURCE.key(), "afpacket:" + interfaceName
                + ": hardware type " + hardwareType + " is not supported (Ethernet, loopback and raw-IP devices are)");
        };
    }

    @Override
    protected Map<String, Long> readDrops() {
        long drops = 0;
        for (final PacketRingSocket socket : sockets) {
            drops += socket.statistics()[1];
        }
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("afpacket_ring_full", drops);
        return out;
    }

    @Override
    protected Map<String, Long> readStatistics() {
        long freezes = 0;
        long seen = 0;
        for (final PacketRingSocket socket : sockets) {
            final long[] statistics = socket.statistics();
            seen += statistics[0];
            freezes += statistics[2];
        }
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("afpacket_sockets", (long) sockets.size());
        out.put("afpacket_kernel_packets", seen);
        out.put("afpacket_queue_freezes", freezes);
        return out;
    }

    /** Closes every socket and unmaps the rings. */
    @Override
    protected void release() {
        for (final AfPacketReceiveQueue queue : queues) {
            queue.markClosed();
        }
        for (final PacketRingSocket socket : sockets) {
            socket.close();
        }
    }
}

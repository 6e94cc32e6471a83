package io.trawl.bindings.packet;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.Capabilities;
import io.trawl.bindings.linux.Capabilities.Capability;
import io.trawl.bindings.linux.Errno;
import io.trawl.bindings.linux.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_PACKET socket with a TPACKET_V3 receive ring: the kernel fills blocks with packets and hands each
 * whole block to user space, which reads the packets in place and hands the block back.
 *
 * <pre>
 * block (blockSize bytes, at ring + index * blockSize)
 *   0  u32 version            4 u32 offset_to_priv
 *   8  u32 block_status        TP_STATUS_KERNEL (0) or TP_STATUS_USER (1) | flags: who owns the block
 *  12  u32 num_pkts           16 u32 offset_to_first_pkt   20 u32 blk_len   24 u64 seq_num ...
 * packet (struct tpacket3_hdr, at block + offset_to_first_pkt, then + tp_next_offset)
 *   0  u32 tp_next_offset      4 u32 tp_sec    8 u32 tp_nsec   12 u32 tp_snaplen   16 u32 tp_len
 *  20  u32 tp_status          24 u16 tp_mac   26 u16 tp_net   28 u32 tp_rxhash    32 u32 tp_vlan_tci
 *  36  u16 tp_vlan_tpid
 * </pre>
 *
 * <p>Ownership of a block passes with {@code block_status}: user space reads it with an acquire load
 * ({@link #blockReadyAcquire(int)}) before touching the block, and returns the block with a release store
 * of {@code TP_STATUS_KERNEL} ({@link #releaseBlock(int)}) after its last read of it.
 *
 * <p>Threading: opened and closed by one thread; one thread reads the ring in between.
 * {@link #statistics()} may be called from any thread. Close only after the reading thread stopped.
 */
public final class PacketRingSocket implements AutoCloseable {
    static final int SOL_PACKET = 263;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_FANOUT = 18;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int TPACKET_V3 = 2;
    static final int ETH_P_ALL = 0x0003;
    static final int PACKET_FANOUT_HASH = 0;
    static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    /** {@code struct tpacket_req3}: seven {@code u32}. */
    static final int REQ3_SIZE = 28;
    /** {@code struct sockaddr_ll}. */
    static final int SOCKADDR_LL_SIZE = 20;
    /** {@code struct tpacket_stats_v3}: {@code tp_packets, tp_drops, tp_freeze_q_cnt}. */
    static final int STATS_V3_SIZE = 12;
    /** Frame size given to the kernel for its sanity checks; V3 packs packets of any size into blocks. */
    static final int NOMINAL_FRAME_SIZE = 2048;

    static final int BLOCK_STATUS = 8;
    static final int BLOCK_NUM_PACKETS = 12;
    static final int BLOCK_FIRST_PACKET = 16;
    static final int TP_NEXT_OFFSET = 0;
    static final int TP_SEC = 4;
    static final int TP_NSEC = 8;
    static final int TP_SNAPLEN = 12;
    static final int TP_LEN = 16;
    static final int TP_STATUS = 20;
    static final int TP_MAC = 24;
    static final int TP_VLAN_TCI = 32;
    static final int TP_VLAN_TPID = 36;
    /** {@code TP_STATUS_USER}: the block belongs to user space. */
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_KERNEL = 0;
    /** In a packet's {@code tp_status}: the kernel removed a VLAN tag, its TCI is in {@code tp_vlan_tci}. */
    public static final int TP_STATUS_VLAN_VALID = 0x10;
    /** In a packet's {@code tp_status}: {@code tp_vlan_tpid} holds the removed tag's TPID. */
    public static final int TP_STATUS_VLAN_TPID_VALID = 0x40;

    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

    private final String interfaceName;
    private final PacketRingOptions options;
    private final Arena arena;
    private volatile int fd;
    private MemorySegment ring;
    private long packetsSeen;
    private long drops;
    private long freezes;

    private PacketRingSocket(final String interfaceName, final PacketRingOptions options, final int fd) {
        this.interfaceName = interfaceName;
        this.options = options;
        this.fd = fd;
        this.arena = Arena.ofShared();
    }

    /**
     * Opens a TPACKET_V3 socket on {@code ifindex}, receiving every protocol, ignoring packets the host
     * sends, and (when {@code fanoutGroup >= 0}, or {@code fanoutGroup == NEW_FANOUT_GROUP}) joining a
     * {@code PACKET_FANOUT_HASH} group: the kernel then spreads packets over the group's sockets by a
     * symmetric flow hash, both directions of a flow to the same socket.
     *
     * @param fanoutGroup {@link #NO_FANOUT}, {@link #NEW_FANOUT_GROUP} (a fresh group id chosen by the kernel;
     *                    read it with {@link #fanoutGroup()}), or the id of a group to join
     * @throws NativeException with errno and what to do (missing CAP_NET_RAW, ring too large, interface down)
     */
    public static PacketRingSocket open(final String interfaceName, final int ifindex, final PacketRingOptions options,
                                        final int fanoutGroup) {
        Linux.ensureAvailable();
        final int fd = Linux.socket(Linux.AF_PACKET, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            final int errno = -fd;
            throw new NativeException("cannot create an AF_PACKET socket: " + Errno.describe(errno)
                + (errno == Errno.EPERM || errno == Errno.EACCES
                ? ". " + Capabilities.explainPermissionDenied("AF_PACKET capture", Capability.CAP_NET_RAW) : ""), errno);
        }
        final PacketRingSocket socket = new PacketRingSocket(interfaceName, options, fd);
        try {
            socket.setInt(PACKET_VERSION, TPACKET_V3, "select TPACKET_V3");
            // Packets this host sends on the interface are not captured (kernel 4.20+; older ones refuse: ignored).
            Linux.setsockoptInt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
            socket.createRing();
            socket.bind(ifindex);
            if (fanoutGroup != NO_FANOUT) {
                socket.joinFanout(fanoutGroup);
            }
            return socket;
        } catch (final RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** {@code fanoutGroup} argument: do not join a fanout group. */
    public static final int NO_FANOUT = -1;
    /** {@code fanoutGroup} argument: create a new group with an id the kernel picks. */
    public static final int NEW_FANOUT_GROUP = -2;

    private void setInt(final int option, final int value, final String what) {
        final int rc = Linux.setsockoptInt(fd, SOL_PACKET, option, value);
        if (rc < 0) {
            throw new NativeException("cannot " + what + " on the AF_PACKET socket for " + interfaceName + ": "
                + Errno.describe(-rc), -rc);
        }
    }

    private void createRing() {
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment req = local.allocate(REQ3_SIZE, 4);
            req.set(JAVA_INT, 0, options.blockSize());
            req.set(JAVA_INT, 4, options.blockCount());
            req.set(JAVA_INT, 8, NOMINAL_FRAME_SIZE);
            req.set(JAVA_INT, 12, options.blockSize() / NOMINAL_FRAME_SIZE * options.blockCount());
            req.set(JAVA_INT, 16, options.blockTimeoutMillis());
            final int rc = Linux.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req);
            if (rc < 0) {
                throw new NativeException("cannot create the TPACKET_V3 ring of " + interfaceName + " ("
                    + options.blockCount() + " blocks of " + options.blockSize() + " bytes): " + Errno.describe(-rc)
                    + (rc == -Errno.ENOMEM ? "; lower afpacket.blocks or afpacket.block_size" : ""), -rc);
            }
        }
        final long length = options.ringBytes();
        final long address = Linux.mmap(length, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED | Linux.MAP_POPULATE,
            fd, 0);
        if (address < 0) {
            throw new NativeException("cannot map the TPACKET_V3 ring of " + interfaceName + " (" + length + " bytes): "
                + Errno.describe((int) -address), (int) -address);
        }
        ring = MemorySegment.ofAddress(address).reinterpret(length, arena, segment -> Linux.munmap(address, length));
    }

    private void bind(final int ifindex) {
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment address = local.allocate(SOCKADDR_LL_SIZE, 4);
            address.set(JAVA_SHORT, 0, (short) Linux.AF_PACKET);
            address.set(JAVA_SHORT, 2, Short.reverseBytes((short) ETH_P_ALL)); // network byte order
            address.set(JAVA_INT, 4, ifindex);
            final int rc = Linux.bind(fd, address);
            if (rc < 0) {
                throw new NativeException("cannot bind the AF_PACKET socket to " + interfaceName + ": " + Errno.describe(-rc)
                    + (rc == -Errno.ENETDOWN ? "; bring it up: ip link set dev " + interfaceName + " up" : ""), -rc);
            }
        }
    }

    private void joinFanout(final int group) {
        final boolean fresh = group == NEW_FANOUT_GROUP;
        final int argument = (fresh ? 0 : group & 0xFFFF) | ((PACKET_FANOUT_HASH | (fresh ? PACKET_FANOUT_FLAG_UNIQUEID : 0)) << 16);
        setInt(PACKET_FANOUT, argument, "join PACKET_FANOUT_HASH group " + (fresh ? "(new)" : group));
    }

    /** The id of the fanout group this socket belongs to ({@code getsockopt(PACKET_FANOUT)}), or -1. */
    public int fanoutGroup() {
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment value = local.allocate(JAVA_INT);
            final int rc = Linux.getsockopt(fd, SOL_PACKET, PACKET_FANOUT, value);
            return rc < 0 ? -1 : value.get(JAVA_INT, 0) & 0xFFFF;
        }
    }

    // ---- reading the ring (one thread) ----------------------------------------------------------------

    /** The mapped ring: blocks, and the packets inside them. */
    public MemorySegment ring() {
        return ring;
    }

    /** Blocks in the ring. */
    public int blockCount() {
        return options.blockCount();
    }

    /** Byte offset of block {@code block} in {@link #ring()}. */
    public long blockOffset(final int block) {
        return (long) block * options.blockSize();
    }

    /** True when block {@code block} belongs to user space (acquire: its contents are then visible). */
    public boolean blockReadyAcquire(final int block) {
        return ((int) U32.getAcquire(ring, blockOffset(block) + BLOCK_STATUS) & TP_STATUS_USER) != 0;
    }

    /** Packets in a ready block. */
    public int blockPacketCount(final int block) {
        return ring.get(JAVA_INT, blockOffset(block) + BLOCK_NUM_PACKETS);
    }

    /** Ring offset of the first packet header of a ready block. */
    public long firstPacket(final int block) {
        return blockOffset(block) + ring.get(JAVA_INT, blockOffset(block) + BLOCK_FIRST_PACKET);
    }

    /** Ring offset of the packet header after the one at {@code packet} (same block). */
    public long nextPacket(final long packet) {
        return packet + ring.get(JAVA_INT, packet + TP_NEXT_OFFSET);
    }

    /** Hands block {@code block} back to the kernel; no read of it may follow. */
    public void releaseBlock(final int block) {
        // release: every read of the block happens before the kernel may refill it
        U32.setRelease(ring, blockOffset(block) + BLOCK_STATUS, TP_STATUS_KERNEL);
    }

    /** Ring offset of the packet's first link-layer byte. */
    public long packetData(final long packet) {
        return packet + (ring.get(JAVA_SHORT, packet + TP_MAC) & 0xFFFF);
    }

    /** Bytes captured of the packet. */
    public int packetCaptureLength(final long packet) {
        return ring.get(JAVA_INT, packet + TP_SNAPLEN);
    }

    /** Bytes the packet had on the wire. */
    public int packetWireLength(final long packet) {
        return ring.get(JAVA_INT, packet + TP_LEN);
    }

    /** Kernel receive time of the packet, nanoseconds since the epoch. */
    public long packetTimestampNanos(final long packet) {
        return (ring.get(JAVA_INT, packet + TP_SEC) & 0xFFFFFFFFL) * 1_000_000_000L + ring.get(JAVA_INT, packet + TP_NSEC);
    }

    /** The packet's {@code tp_status} ({@link #TP_STATUS_VLAN_VALID}...). */
    public int packetStatus(final long packet) {
        return ring.get(JAVA_INT, packet + TP_STATUS);
    }

    /** The VLAN TCI the kernel stripped (valid with {@link #TP_STATUS_VLAN_VALID}). */
    public int packetVlanTci(final long packet) {
        return ring.get(JAVA_INT, packet + TP_VLAN_TCI) & 0xFFFF;
    }

    /** The TPID of the stripped tag (valid with {@link #TP_STATUS_VLAN_TPID_VALID}; else 0x8100). */
    public int packetVlanTpid(final long packet) {
        return ring.get(JAVA_SHORT, packet + TP_VLAN_TPID) & 0xFFFF;
    }

    /** The socket descriptor, to {@code poll}. */
    public int fd() {
        return fd;
    }

    /** The interface name. */
    public String interfaceName() {
        return interfaceName;
    }

    /**
     * The kernel's counts since the socket opened. {@code PACKET_STATISTICS} resets on each read, so the
     * counts are accumulated here. Any thread.
     *
     * @return {@code {packets seen (including drops), packets dropped (ring full), times the queue froze}}
     */
    public synchronized long[] statistics() {
        final int socketFd = fd;
        if (socketFd >= 0) {
            try (Arena local = Arena.ofConfined()) {
                final MemorySegment stats = local.allocate(STATS_V3_SIZE, 4);
                if (Linux.getsockopt(socketFd, SOL_PACKET, PACKET_STATISTICS, stats) >= 0) {
                    packetsSeen += stats.get(JAVA_INT, 0) & 0xFFFFFFFFL;
                    drops += stats.get(JAVA_INT, 4) & 0xFFFFFFFFL;
                    freezes += stats.get(JAVA_INT, 8) & 0xFFFFFFFFL;
                }
            }
        }
        return new long[] {packetsSeen, drops, freezes};
    }

    /** Closes the socket and unmaps the ring (final statistics are read first). Idempotent. */
    @Override
    public void close() {
        if (fd < 0) {
            return;
        }
        statistics();
        synchronized (this) {
            Linux.close(fd);
            fd = -1;
        }
        arena.close();
    }
}

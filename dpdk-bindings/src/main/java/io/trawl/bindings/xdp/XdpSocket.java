package io.trawl.bindings.xdp;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.Capabilities;
import io.trawl.bindings.linux.Capabilities.Capability;
import io.trawl.bindings.linux.Errno;
import io.trawl.bindings.linux.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One AF_XDP socket bound to one RX queue of an interface, with its own UMEM (frames packets are received
 * into), fill ring and RX ring, built with raw system calls (no libxdp, no libbpf).
 *
 * <p>Receiving: the kernel takes free frames from the {@linkplain #fillRing() fill ring}, writes a packet
 * into one and posts a descriptor on the {@linkplain #rxRing() RX ring}; the packet bytes stay in place in
 * {@link #umem()} until the frame is {@linkplain #recycle(long[], int) recycled} into the fill ring. Frames
 * that do not fit in the fill ring wait in a private free list and are {@linkplain #refill() refilled}
 * later, so every frame is always in exactly one place: fill ring, kernel, RX ring, caller, free list.
 *
 * <p>Threading: opened and closed by one thread; between those, exactly one thread uses the rings,
 * {@link #recycle}, {@link #refill} and {@link #wakeUp}. {@link #statistics()} may be called from any
 * thread. Close only after the receiving thread stopped: the mappings are released then.
 */
public final class XdpSocket implements AutoCloseable {
    static final int SOL_XDP = 283;
    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_COPY = 2;
    static final int XDP_ZEROCOPY = 4;
    static final int XDP_USE_NEED_WAKEUP = 8;
    static final long XDP_PGOFF_RX_RING = 0;
    static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;
    /** {@code struct xdp_umem_reg}: {@code u64 addr, len; u32 chunk_size, headroom, flags, tx_metadata_len}. */
    static final int UMEM_REG_SIZE = 32;
    static final int UMEM_REG_CHUNK_SIZE = 16;
    /** {@code struct sockaddr_xdp}: {@code u16 family, flags; u32 ifindex, queue_id, shared_umem_fd}. */
    static final int SOCKADDR_XDP_SIZE = 16;
    /** The completion ring is mandatory even for receive-only sockets; nothing is ever posted to it here. */
    static final int COMPLETION_RING_SIZE = 64;
    private static final int BIND_BUSY_RETRIES = 100;
    private static final long BIND_BUSY_PAUSE_NANOS = 10_000_000L;
    private static final int BUSY_POLL_MICROS = 20;

    private final String interfaceName;
    private final int queue;
    private final XdpSocketOptions options;
    private final Arena arena;
    private final MemorySegment umem;
    private final long frameMask;
    private final long[] freeFrames;
    private int freeCount;
    private volatile int fd;
    private volatile XdpStatistics lastStatistics = new XdpStatistics(0, 0, 0, 0);
    private XdpRxRing rxRing;
    private XdpFillRing fillRing;

    private XdpSocket(final String interfaceName, final int queue, final XdpSocketOptions options, final int fd,
                      final Arena arena, final MemorySegment umem) {
        this.interfaceName = interfaceName;
        this.queue = queue;
        this.options = options;
        this.fd = fd;
        this.arena = arena;
        this.umem = umem;
        this.frameMask = ~((long) options.frameSize() - 1);
        this.freeFrames = new long[options.frameCount()];
    }

    /** True when this kernel has AF_XDP sockets ({@code CONFIG_XDP_SOCKETS}); false also without permission to test. */
    public static boolean kernelSupportsAfXdp() {
        if (!Linux.isAvailable()) {
            return false;
        }
        final int fd = Linux.socket(Linux.AF_XDP, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            Linux.close(fd);
            return true;
        }
        return fd != -Errno.EAFNOSUPPORT;
    }

    /**
     * Creates the socket, its UMEM and rings, binds it to {@code queue} of {@code ifindex} and fills the
     * fill ring. The caller then registers {@link #fd()} in the interface's {@link XdpRedirectProgram}.
     *
     * @throws NativeException with the errno and what to do: missing capability, UMEM over the locked-memory
     *                         limit, queue out of range or busy, zero-copy unsupported
     */
    public static XdpSocket open(final String interfaceName, final int ifindex, final int queue,
                                 final XdpSocketOptions options) {
        Linux.ensureAvailable();
        final int fd = Linux.socket(Linux.AF_XDP, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw socketFailure(-fd);
        }
        final Arena arena = Arena.ofShared();
        XdpSocket socket = null;
        try {
            final MemorySegment umem = mapUmem(arena, options.umemBytes(), interfaceName);
            socket = new XdpSocket(interfaceName, queue, options, fd, arena, umem);
            socket.registerUmem();
            socket.createRings();
            socket.configureBusyPoll();
            socket.bind(ifindex);
            socket.prefill();
            return socket;
        } catch (final RuntimeException e) {
            if (socket != null) {
                socket.close();
            } else {
                Linux.close(fd);
                arena.close();
            }
            throw e;
        }
    }

    private static NativeException socketFailure(final int errno) {
        final String what = "cannot create an AF_XDP socket: " + Errno.describe(errno) + ". ";
        return switch (errno) {
            case Errno.EAFNOSUPPORT -> new NativeException(what + "This kernel has no AF_XDP (CONFIG_XDP_SOCKETS); "
                + "use --source afpacket:IFACE instead", errno);
            case Errno.EPERM, Errno.EACCES -> new NativeException(what
                + Capabilities.explainPermissionDenied("AF_XDP capture", Capability.CAP_NET_RAW, Capability.CAP_NET_ADMIN,
                Capability.CAP_BPF), errno);
            default -> new NativeException(what.strip(), errno);
        };
    }

    private static MemorySegment map(final Arena arena, final long length, final int prot, final int flags,
                                     final int fd, final long offset, final String what) {
        final long address = Linux.mmap(length, prot, flags, fd, offset);
        if (address < 0) {
            final int errno = (int) -address;
            throw new NativeException("cannot map " + what + " (" + length + " bytes): " + Errno.describe(errno)
                + (errno == Errno.ENOMEM ? "; lower afxdp.frames or the ring sizes" : ""), errno);
        }
        return MemorySegment.ofAddress(address).reinterpret(length, arena, segment -> Linux.munmap(address, length));
    }

    /**
     * Anonymous memory for the UMEM, asked to be backed by transparent huge pages: every packet lies in a
     * different frame, so with 4 KiB pages nearly every packet costs a TLB miss; 2 MiB pages remove them.
     * The mapping is over-allocated by one huge page and trimmed so that the UMEM starts 2 MiB-aligned.
     * Without THP ({@code madvise} refused) the UMEM simply stays on small pages. Pages are faulted in
     * (and pinned) by {@code XDP_UMEM_REG}.
     */
    private static MemorySegment mapUmem(final Arena arena, final long length, final String interfaceName) {
        final long hugePage = 2L << 20;
        final long reserved = length + hugePage;
        final long address = Linux.mmap(reserved, Linux.PROT_READ | Linux.PROT_WRITE,
            Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS, -1, 0);
        if (address < 0) {
            final int errno = (int) -address;
            throw new NativeException("cannot map the UMEM of " + interfaceName + " (" + length + " bytes): "
                + Errno.describe(errno) + (errno == Errno.ENOMEM ? "; lower afxdp.frames" : ""), errno);
        }
        final long aligned = (address + hugePage - 1) & -hugePage;
        if (aligned > address) {
            Linux.munmap(address, aligned - address);
        }
        final long tail = address + reserved - (aligned + length);
        if (tail > 0) {
            Linux.munmap(aligned + length, tail);
        }
        Linux.madvise(aligned, length, Linux.MADV_HUGEPAGE);
        return MemorySegment.ofAddress(aligned).reinterpret(length, arena, segment -> Linux.munmap(aligned, length));
    }

    private void registerUmem() {
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment reg = local.allocate(UMEM_REG_SIZE, 8);
            reg.set(JAVA_LONG, 0, umem.address());
            reg.set(JAVA_LONG, 8, umem.byteSize());
            reg.set(JAVA_INT, UMEM_REG_CHUNK_SIZE, options.frameSize());
            final int rc = Linux.setsockopt(fd, SOL_XDP, XDP_UMEM_REG, reg);
            if (rc < 0) {
                final int errno = -rc;
                final String hint = switch (errno) {
                    case Errno.ENOBUFS, Errno.ENOMEM, Errno.EPERM -> "the UMEM (" + (umem.byteSize() >> 20)
                        + " MiB) is over this process's locked-memory limit (" + memlockLimit() + ") and the process "
                        + "lacks CAP_IPC_LOCK: run as root, grant CAP_IPC_LOCK, raise the limit (ulimit -l, systemd "
                        + "LimitMEMLOCK=) or lower afxdp.frames";
                    case Errno.EINVAL -> "the kernel refused frame size " + options.frameSize() + " (use 2048 or 4096)";
                    default -> "";
                };
                throw new NativeException("cannot register the UMEM of " + interfaceName + " queue " + queue + ": "
                    + Errno.describe(errno) + (hint.isEmpty() ? "" : "; " + hint), errno);
            }
        }
    }

    private static String memlockLimit() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    final String[] parts = line.substring(17).trim().split("\\s+");
                    return "unlimited".equals(parts[0]) ? "unlimited" : (Long.parseLong(parts[0]) >> 20) + " MiB";
                }
            }
        } catch (final IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }

    private void setRingSize(final int option, final int entries, final String name) {
        try (Arena local = Arena.ofConfined()) {
            final int rc = Linux.setsockopt(fd, SOL_XDP, option, local.allocateFrom(JAVA_INT, entries));
            if (rc < 0) {
                throw new NativeException("cannot size the " + name + " ring of " + interfaceName + " to " + entries
                    + " entries: " + Errno.describe(-rc), -rc);
            }
        }
    }

    private void createRings() {
        setRingSize(XDP_UMEM_FILL_RING, options.fillRingSize(), "fill");
        setRingSize(XDP_UMEM_COMPLETION_RING, COMPLETION_RING_SIZE, "completion");
        setRingSize(XDP_RX_RING, options.rxRingSize(), "RX");
        final XdpRingOffsets rx;
        final XdpRingOffsets fill;
        final XdpRingOffsets completion;
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment offsets = local.allocate(XdpRingOffsets.MMAP_OFFSETS_SIZE, 8);
            final int rc = Linux.getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, offsets);
            if (rc < 0) {
                throw new NativeException("cannot read the ring offsets of " + interfaceName + ": " + Errno.describe(-rc), -rc);
            }
            rx = XdpRingOffsets.read(offsets, XdpRingOffsets.RX);
            fill = XdpRingOffsets.read(offsets, XdpRingOffsets.FILL);
            completion = XdpRingOffsets.read(offsets, XdpRingOffsets.COMPLETION);
        }
        final int prot = Linux.PROT_READ | Linux.PROT_WRITE;
        final int flags = Linux.MAP_SHARED | Linux.MAP_POPULATE;
        final MemorySegment rxMap = map(arena, rx.descriptors() + (long) options.rxRingSize() * XdpRxRing.DESCRIPTOR_SIZE,
            prot, flags, fd, XDP_PGOFF_RX_RING, "the RX ring");
        final MemorySegment fillMap = map(arena, fill.descriptors() + (long) options.fillRingSize() * XdpFillRing.ENTRY_SIZE,
            prot, flags, fd, XDP_UMEM_PGOFF_FILL_RING, "the fill ring");
        // Mapped only so the kernel's view is complete; a receive-only socket never uses it.
        map(arena, completion.descriptors() + (long) COMPLETION_RING_SIZE * 8, prot, flags, fd,
            XDP_UMEM_PGOFF_COMPLETION_RING, "the completion ring");
        rxRing = new XdpRxRing(rxMap, rx, options.rxRingSize());
        fillRing = new XdpFillRing(fillMap, fill, options.fillRingSize());
    }

    private void configureBusyPoll() {
        if (!options.busyPoll()) {
            return;
        }
        // Best effort: kernels before 5.11 lack the options; busy-polling then just means spinning on the ring.
        Linux.setsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_PREFER_BUSY_POLL, 1);
        Linux.setsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_BUSY_POLL, BUSY_POLL_MICROS);
        Linux.setsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_BUSY_POLL_BUDGET, options.busyPollBudget());
    }

    private void bind(final int ifindex) {
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment address = local.allocate(SOCKADDR_XDP_SIZE, 4);
            address.set(JAVA_SHORT, 0, (short) Linux.AF_XDP);
            address.set(JAVA_SHORT, 2, (short) ((options.zeroCopy() ? XDP_ZEROCOPY : XDP_COPY) | XDP_USE_NEED_WAKEUP));
            address.set(JAVA_INT, 4, ifindex);
            address.set(JAVA_INT, 8, queue);
            int rc = Linux.bind(fd, address);
            // A socket on this queue that just closed releases it asynchronously: EBUSY for a few ms.
            for (int retry = 0; rc == -Errno.EBUSY && retry < BIND_BUSY_RETRIES; retry++) {
                LockSupport.parkNanos(BIND_BUSY_PAUSE_NANOS);
                rc = Linux.bind(fd, address);
            }
            if (rc < 0) {
                throw bindFailure(-rc);
            }
        }
    }

    private NativeException bindFailure(final int errno) {
        final String what = "cannot bind an AF_XDP socket to " + interfaceName + " queue " + queue + " ("
            + (options.zeroCopy() ? "zero-copy" : "copy") + " mode): " + Errno.describe(errno) + "; ";
        final String hint = switch (errno) {
            case Errno.EOPNOTSUPP -> options.zeroCopy()
                ? "the driver of " + interfaceName + " has no AF_XDP zero-copy (veth never has); use copy mode "
                + "(afxdp.bind_mode: copy) or auto"
                : "the driver refused AF_XDP";
            case Errno.EINVAL -> "queue " + queue + " does not exist on " + interfaceName
                + " (`ethtool -l " + interfaceName + "` lists the queues), or the rings are not powers of two";
            case Errno.EBUSY -> "another AF_XDP socket (another trawl?) still holds this queue";
            case Errno.ENETDOWN -> interfaceName + " is down: `ip link set dev " + interfaceName + " up`";
            default -> "see `dmesg`";
        };
        return new NativeException(what + hint, errno);
    }

    private void prefill() {
        final long frameSize = options.frameSize();
        for (int i = options.frameCount() - 1; i >= 0; i--) {
            freeFrames[freeCount++] = i * frameSize;
        }
        refill();
    }

    /**
     * Moves frames from the private free list to the fill ring, as far as it has room.
     *
     * @return frames moved
     */
    public int refill() {
        if (freeCount == 0) {
            return 0;
        }
        int room = fillRing.freeSlots();
        if (room < freeCount) {
            room = fillRing.freeSlotsRefreshed();
        }
        final int moved = Math.min(room, freeCount);
        for (int i = 0; i < moved; i++) {
            fillRing.put(i, freeFrames[--freeCount]);
        }
        if (moved > 0) {
            fillRing.submit(moved);
        }
        return moved;
    }

    /**
     * Gives frames back: into the fill ring as far as it has room, the rest into the free list. An address
     * may point anywhere inside its frame (RX descriptors point past the headroom); the frame start is used.
     */
    public void recycle(final long[] addresses, final int count) {
        final long mask = frameMask;
        for (int i = 0; i < count; i++) {
            freeFrames[freeCount++] = addresses[i] & mask;
        }
        refill();
    }

    /** True when the kernel needs a syscall ({@link #wakeUp()} or {@code poll}) to see new fill ring entries. */
    public boolean needsWakeup() {
        return fillRing.needsWakeup();
    }

    /**
     * {@code recvfrom(MSG_DONTWAIT)}: wakes a driver waiting for fill ring entries, and runs a busy-poll of
     * the queue's NAPI context when {@link XdpSocketOptions#busyPoll()} is set.
     */
    public void wakeUp() {
        Linux.recvfromDontWait(fd);
    }

    /** The socket descriptor (to register in the XSKMAP, or to {@code poll}). */
    public int fd() {
        return fd;
    }

    /** The RX queue index this socket is bound to. */
    public int queue() {
        return queue;
    }

    /** The interface name. */
    public String interfaceName() {
        return interfaceName;
    }

    /** True when bound in zero-copy mode. */
    public boolean zeroCopy() {
        return options.zeroCopy();
    }

    /** All packet memory: RX descriptor addresses are offsets into it. */
    public MemorySegment umem() {
        return umem;
    }

    /** The RX ring (receiving thread only). */
    public XdpRxRing rxRing() {
        return rxRing;
    }

    /** The fill ring (receiving thread only). */
    public XdpFillRing fillRing() {
        return fillRing;
    }

    /**
     * The kernel's counters for this socket; any thread. Once the socket is closed (or should the kernel
     * refuse to answer), the last values read.
     */
    public XdpStatistics statistics() {
        final int socketFd = fd;
        if (socketFd < 0) {
            return lastStatistics;
        }
        try (Arena local = Arena.ofConfined()) {
            final MemorySegment stats = local.allocate(XdpStatistics.SIZE, 8);
            if (Linux.getsockopt(socketFd, SOL_XDP, XDP_STATISTICS, stats) < 0) {
                return lastStatistics;
            }
            final XdpStatistics statistics = new XdpStatistics(stats.get(JAVA_LONG, XdpStatistics.RX_DROPPED),
                stats.get(JAVA_LONG, XdpStatistics.RX_INVALID_DESCS), stats.get(JAVA_LONG, XdpStatistics.RX_RING_FULL),
                stats.get(JAVA_LONG, XdpStatistics.RX_FILL_RING_EMPTY_DESCS));
            lastStatistics = statistics;
            return statistics;
        }
    }

    /** Closes the socket and unmaps rings and UMEM. Idempotent; only after the receiving thread stopped. */
    @Override
    public void close() {
        if (fd < 0) {
            return;
        }
        statistics();
        final int socketFd = fd;
        fd = -1;
        Linux.close(socketFd);
        arena.close();
    }
}

package io.trawl.bindings.xdp;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.Capabilities;
import io.trawl.bindings.linux.Capabilities.Capability;
import io.trawl.bindings.linux.Errno;
import io.trawl.bindings.linux.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The XDP side of AF_XDP capture on one interface: an XSKMAP (RX queue index → AF_XDP socket), a
 * six-instruction program that redirects every packet of a queue to the socket registered for it (and
 * passes it to the kernel stack when none is), and a {@code BPF_LINK_CREATE} attachment.
 *
 * <p>The attachment is a BPF link owned by this process: closing it, or the process dying for any reason
 * (SIGKILL included), detaches the program. Nothing is left on the interface, unlike netlink
 * ({@code IFLA_XDP}) attachments, which outlive their creator and make the next start fail.
 *
 * <pre>
 *   r2 = *(u32 *)(r1 + 16)          ; ctx-&gt;rx_queue_index
 *   r1 = map_fd (ld_imm64, src=BPF_PSEUDO_MAP_FD)
 *   r3 = 2                          ; XDP_PASS when the queue has no socket
 *   call bpf_redirect_map           ; helper 51
 *   exit
 * </pre>
 *
 * <p>Thread safety: created and closed by one thread; {@link #register} from that thread too.
 */
public final class XdpRedirectProgram implements AutoCloseable {
    /** {@code XDP_FLAGS_*}: where the program runs. */
    public enum AttachMode {
        /** Generic XDP, after the kernel built an skb: works on every device, copies. */
        SKB(2),
        /** Native XDP in the driver: needs driver support; the prerequisite for zero-copy. */
        DRV(4);

        private final int flag;

        AttachMode(final int flag) {
            this.flag = flag;
        }

        /** The {@code XDP_FLAGS_*} bit. */
        public int flag() {
            return flag;
        }
    }

    /** {@code offsetof(struct xdp_md, rx_queue_index)}. */
    static final int XDP_MD_RX_QUEUE_INDEX = 16;
    static final int XDP_PASS = 2;
    private static final int VERIFIER_LOG_BYTES = 64 * 1024;

    private final String interfaceName;
    private final AttachMode mode;
    private int mapFd;
    private int programFd;
    private int linkFd;

    private XdpRedirectProgram(final String interfaceName, final AttachMode mode, final int mapFd,
                               final int programFd, final int linkFd) {
        this.interfaceName = interfaceName;
        this.mode = mode;
        this.mapFd = mapFd;
        this.programFd = programFd;
        this.linkFd = linkFd;
    }

    /**
     * The program's bytes for a given map descriptor: five instructions in six 8-byte slots
     * ({@code code, dst:4|src:4, off:16, imm:32}, little-endian).
     */
    static byte[] instructions(final int mapFd) {
        final ByteBuffer insns = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        insns.put((byte) 0x61).put((byte) 0x12).putShort((short) XDP_MD_RX_QUEUE_INDEX).putInt(0); // ldxw r2, [r1+16]
        insns.put((byte) 0x18).put((byte) 0x11).putShort((short) 0).putInt(mapFd);                 // lddw r1, map
        insns.put((byte) 0x00).put((byte) 0x00).putShort((short) 0).putInt(0);                     //   (upper half)
        insns.put((byte) 0xb7).put((byte) 0x03).putShort((short) 0).putInt(XDP_PASS);              // mov r3, 2
        insns.put((byte) 0x85).put((byte) 0x00).putShort((short) 0).putInt(Bpf.BPF_FUNC_REDIRECT_MAP); // call
        insns.put((byte) 0x95).put((byte) 0x00).putShort((short) 0).putInt(0);                     // exit
        return insns.array();
    }

    /**
     * Creates the map, loads the program and attaches it to {@code ifindex} in {@code mode}.
     *
     * @param queueSlots map entries: every RX queue index a socket may be registered for must be below it
     * @throws NativeException naming the interface, the errno, and what to do (missing capability, another
     *                         XDP program attached, mode unsupported by the driver, verifier log)
     */
    public static XdpRedirectProgram attach(final String interfaceName, final int ifindex, final int queueSlots,
                                            final AttachMode mode) {
        final int mapFd = Bpf.createXskMap(Math.max(1, queueSlots), "trawl_xsks");
        if (mapFd < 0) {
            throw failure("cannot create the XSKMAP for " + interfaceName, -mapFd);
        }
        int programFd = Bpf.loadXdpProgram(instructions(mapFd), "trawl_xsk", MemorySegment.NULL);
        if (programFd < 0 && programFd != -Errno.EPERM) {
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment log = arena.allocate(VERIFIER_LOG_BYTES);
                programFd = Bpf.loadXdpProgram(instructions(mapFd), "trawl_xsk", log);
                if (programFd < 0) {
                    Linux.close(mapFd);
                    throw new NativeException("the kernel refused trawl's XDP redirect program for " + interfaceName
                        + ": " + Errno.describe(-programFd) + "; verifier log:\n" + log.getString(0).strip(), -programFd);
                }
            }
        }
        if (programFd < 0) {
            Linux.close(mapFd);
            throw failure("cannot load the XDP program for " + interfaceName, -programFd);
        }
        final int linkFd = Bpf.linkXdp(programFd, ifindex, mode.flag());
        if (linkFd < 0) {
            Linux.close(programFd);
            Linux.close(mapFd);
            throw attachFailure(interfaceName, mode, -linkFd);
        }
        return new XdpRedirectProgram(interfaceName, mode, mapFd, programFd, linkFd);
    }

    private static NativeException failure(final String what, final int errno) {
        if (errno == Errno.EPERM) {
            return new NativeException(what + ": " + Errno.describe(errno) + ". "
                + Capabilities.explainPermissionDenied("Loading XDP programs", Capability.CAP_BPF,
                Capability.CAP_NET_ADMIN), errno);
        }
        return new NativeException(what + ": " + Errno.describe(errno), errno);
    }

    private static NativeException attachFailure(final String interfaceName, final AttachMode mode, final int errno) {
        final String what = "cannot attach trawl's XDP program to " + interfaceName + " in " + mode.name().toLowerCase(java.util.Locale.ROOT)
            + " mode: " + Errno.describe(errno) + ". ";
        final String hint = switch (errno) {
            case Errno.EBUSY, Errno.EEXIST -> interfaceName + " already has an XDP program attached (another trawl, "
                + "or a tool): `ip link show dev " + interfaceName + "` shows it; a netlink-attached one is removed with "
                + "`ip link set dev " + interfaceName + " xdp off`, a link-attached one goes when its process ends";
            case Errno.EOPNOTSUPP -> mode == AttachMode.DRV
                ? "the driver of " + interfaceName + " has no native XDP; use skb mode (afxdp.xdp_mode: skb)"
                : "this kernel cannot attach XDP to " + interfaceName;
            case Errno.EPERM -> Capabilities.explainPermissionDenied("Attaching XDP programs", Capability.CAP_BPF,
                Capability.CAP_NET_ADMIN);
            case Errno.EINVAL, Errno.ERANGE -> "the driver refused native XDP with the current settings (MTU too large "
                + "for XDP, or LRO/GRO settings); lower the MTU or use skb mode";
            default -> "see `dmesg` for the driver's reason";
        };
        return new NativeException(what + hint, errno);
    }

    /**
     * Sends the packets of RX queue {@code queue} to the AF_XDP socket {@code xskFd} (already bound).
     *
     * @throws NativeException when the kernel refuses (queue beyond the map, socket not bound)
     */
    public void register(final int queue, final int xskFd) {
        final int rc = Bpf.updateElement(mapFd, queue, xskFd);
        if (rc < 0) {
            throw new NativeException("cannot register the AF_XDP socket of " + interfaceName + " queue " + queue
                + " in the XSKMAP: " + Errno.describe(-rc), -rc);
        }
    }

    /** Stops redirecting queue {@code queue} (its packets go to the kernel stack again). */
    public void unregister(final int queue) {
        Bpf.deleteElement(mapFd, queue);
    }

    /** Where the program runs. */
    public AttachMode mode() {
        return mode;
    }

    /** Detaches the program (closes the link) and frees program and map. Idempotent. */
    @Override
    public void close() {
        if (linkFd >= 0) {
            Linux.close(linkFd);
            linkFd = -1;
        }
        if (programFd >= 0) {
            Linux.close(programFd);
            programFd = -1;
        }
        if (mapFd >= 0) {
            Linux.close(mapFd);
            mapFd = -1;
        }
    }
}

package io.trawl.bindings.xdp;

import io.trawl.bindings.linux.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code bpf(2)} commands AF_XDP needs, building {@code union bpf_attr} by hand (no libbpf). Every
 * method returns the kernel's result or {@code -errno}; {@link XdpRedirectProgram} turns failures into
 * messages. Offsets are checked against {@code <linux/bpf.h>} by a test.
 */
final class Bpf {
    static final int BPF_MAP_CREATE = 0;
    static final int BPF_MAP_UPDATE_ELEM = 2;
    static final int BPF_MAP_DELETE_ELEM = 3;
    static final int BPF_PROG_LOAD = 5;
    static final int BPF_LINK_CREATE = 28;
    static final int BPF_MAP_TYPE_XSKMAP = 17;
    static final int BPF_PROG_TYPE_XDP = 6;
    static final int BPF_XDP = 37;
    static final int BPF_FUNC_REDIRECT_MAP = 51;

    /** Bytes of {@code bpf_attr} passed; every field used lies below, the rest stays zero. */
    static final int ATTR_SIZE = 128;
    // BPF_MAP_CREATE
    static final int MAP_TYPE = 0;
    static final int MAP_KEY_SIZE = 4;
    static final int MAP_VALUE_SIZE = 8;
    static final int MAP_MAX_ENTRIES = 12;
    static final int MAP_NAME = 28;
    // BPF_MAP_*_ELEM
    static final int ELEM_MAP_FD = 0;
    static final int ELEM_KEY = 8;
    static final int ELEM_VALUE = 16;
    static final int ELEM_FLAGS = 24;
    // BPF_PROG_LOAD
    static final int PROG_TYPE = 0;
    static final int PROG_INSN_CNT = 4;
    static final int PROG_INSNS = 8;
    static final int PROG_LICENSE = 16;
    static final int PROG_LOG_LEVEL = 24;
    static final int PROG_LOG_SIZE = 28;
    static final int PROG_LOG_BUF = 32;
    static final int PROG_NAME = 48;
    // BPF_LINK_CREATE
    static final int LINK_PROG_FD = 0;
    static final int LINK_TARGET_IFINDEX = 4;
    static final int LINK_ATTACH_TYPE = 8;
    static final int LINK_FLAGS = 12;
    /** {@code BPF_OBJ_NAME_LEN}. */
    static final int OBJECT_NAME_LENGTH = 16;

    private Bpf() {
    }

    /** {@code BPF_MAP_CREATE} of an XSKMAP (key: RX queue index, value: AF_XDP socket). */
    static int createXskMap(final int maxEntries, final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, MAP_TYPE, BPF_MAP_TYPE_XSKMAP);
            attr.set(JAVA_INT, MAP_KEY_SIZE, 4);
            attr.set(JAVA_INT, MAP_VALUE_SIZE, 4);
            attr.set(JAVA_INT, MAP_MAX_ENTRIES, maxEntries);
            putName(attr, MAP_NAME, name);
            return Linux.bpf(BPF_MAP_CREATE, attr);
        }
    }

    /** {@code BPF_MAP_UPDATE_ELEM} of a 4-byte key and value. */
    static int updateElement(final int mapFd, final int key, final int value) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, ELEM_MAP_FD, mapFd);
            attr.set(JAVA_LONG, ELEM_KEY, arena.allocateFrom(JAVA_INT, key).address());
            attr.set(JAVA_LONG, ELEM_VALUE, arena.allocateFrom(JAVA_INT, value).address());
            attr.set(JAVA_LONG, ELEM_FLAGS, 0L);
            return Linux.bpf(BPF_MAP_UPDATE_ELEM, attr);
        }
    }

    /** {@code BPF_MAP_DELETE_ELEM} of a 4-byte key. */
    static int deleteElement(final int mapFd, final int key) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, ELEM_MAP_FD, mapFd);
            attr.set(JAVA_LONG, ELEM_KEY, arena.allocateFrom(JAVA_INT, key).address());
            return Linux.bpf(BPF_MAP_DELETE_ELEM, attr);
        }
    }

    /**
     * {@code BPF_PROG_LOAD} of an XDP program.
     *
     * @param log where the verifier writes its log (level 1), or {@link MemorySegment#NULL} for none
     */
    static int loadXdpProgram(final byte[] instructions, final String name, final MemorySegment log) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            final MemorySegment insns = arena.allocate(instructions.length, 8);
            MemorySegment.copy(instructions, 0, insns, JAVA_BYTE, 0, instructions.length);
            attr.set(JAVA_INT, PROG_TYPE, BPF_PROG_TYPE_XDP);
            attr.set(JAVA_INT, PROG_INSN_CNT, instructions.length / 8);
            attr.set(JAVA_LONG, PROG_INSNS, insns.address());
            attr.set(JAVA_LONG, PROG_LICENSE, arena.allocateFrom("GPL").address());
            if (log.address() != 0) {
                attr.set(JAVA_INT, PROG_LOG_LEVEL, 1);
                attr.set(JAVA_INT, PROG_LOG_SIZE, (int) log.byteSize());
                attr.set(JAVA_LONG, PROG_LOG_BUF, log.address());
            }
            putName(attr, PROG_NAME, name);
            return Linux.bpf(BPF_PROG_LOAD, attr);
        }
    }

    /**
     * {@code BPF_LINK_CREATE} attaching an XDP program to an interface. The attachment lives as long as the
     * returned link descriptor: closing it, or the process dying, detaches the program.
     *
     * @param flags {@code XDP_FLAGS_SKB_MODE} or {@code XDP_FLAGS_DRV_MODE}
     */
    static int linkXdp(final int programFd, final int ifindex, final int flags) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, LINK_PROG_FD, programFd);
            attr.set(JAVA_INT, LINK_TARGET_IFINDEX, ifindex);
            attr.set(JAVA_INT, LINK_ATTACH_TYPE, BPF_XDP);
            attr.set(JAVA_INT, LINK_FLAGS, flags);
            return Linux.bpf(BPF_LINK_CREATE, attr);
        }
    }

    private static void putName(final MemorySegment attr, final long offset, final String name) {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, attr, JAVA_BYTE, offset, Math.min(bytes.length, OBJECT_NAME_LENGTH - 1));
    }
}

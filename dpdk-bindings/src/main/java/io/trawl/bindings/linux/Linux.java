package io.trawl.bindings.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux system calls behind AF_XDP and AF_PACKET capture, through glibc, as {@code static final}
 * FFM downcall handles: sockets ({@code socket}, {@code bind}, {@code setsockopt}, {@code getsockopt},
 * {@code recvfrom}, {@code ioctl}), memory ({@code mmap}, {@code munmap}, {@code madvise}), waiting ({@code poll}),
 * {@code bpf(2)} (through {@code syscall}, glibc has no wrapper), interface names
 * ({@code if_nametoindex}, {@code if_nameindex}) and network namespaces ({@code open}, {@code setns}).
 *
 * <p>Error convention, as the raw kernel interface: every call returns its non-negative result, or
 * {@code -errno} on failure. errno is captured by the downcall itself
 * ({@link Linker.Option#captureCallState(String...)}), into a per-thread segment allocated once, so the
 * calls allocate nothing and may be used on packet threads ({@link #poll}, {@link #recvfromDontWait}).
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class Linux {
    // ---- constants of <sys/socket.h>, <sys/mman.h>, <fcntl.h>, <poll.h>, <sched.h> (x86_64) ------------
    public static final int AF_PACKET = 17;
    public static final int AF_XDP = 44;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_BUSY_POLL = 46;
    public static final int SO_PREFER_BUSY_POLL = 69;
    public static final int SO_BUSY_POLL_BUDGET = 70;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MADV_HUGEPAGE = 14;
    public static final short POLLIN = 0x001;
    public static final short POLLERR = 0x008;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    /** {@code bpf} is system call 321 on x86_64. */
    public static final long SYS_BPF = 321;

    /** {@code struct pollfd}: {@code int fd; short events; short revents;}. */
    public static final int POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** One errno segment per thread, never freed before the thread's end (an automatic arena). */
    private static final ThreadLocal<MemorySegment> STATE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static final Throwable UNAVAILABILITY_CAUSE;
    private static final MethodHandle SOCKET;
    private static final MethodHandle CLOSE;
    private static final MethodHandle BIND;
    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle GETSOCKOPT;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle POLL;
    private static final MethodHandle RECVFROM;
    private static final MethodHandle IOCTL;
    private static final MethodHandle SYSCALL_BPF;
    private static final MethodHandle IF_NAMETOINDEX;
    private static final MethodHandle IF_NAMEINDEX;
    private static final MethodHandle IF_FREENAMEINDEX;
    private static final MethodHandle OPEN;
    private static final MethodHandle SETNS;

    static {
        final MethodHandle[] h = new MethodHandle[17];
        Throwable cause = null;
        try {
            final SymbolLookup libc = LINKER.defaultLookup();
            h[0] = errnoHandle(libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            h[1] = errnoHandle(libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            h[2] = errnoHandle(libc, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
            h[3] = errnoHandle(libc, "setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
            h[4] = errnoHandle(libc, "getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            h[5] = errnoHandle(libc, "mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
            h[6] = errnoHandle(libc, "munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
            h[7] = errnoHandle(libc, "poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            h[8] = errnoHandle(libc, "recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
            h[9] = LINKER.downcallHandle(find(libc, "ioctl"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
            h[10] = LINKER.downcallHandle(find(libc, "syscall"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
            h[11] = errnoHandle(libc, "if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[12] = errnoHandle(libc, "if_nameindex", FunctionDescriptor.of(ADDRESS));
            h[13] = LINKER.downcallHandle(find(libc, "if_freenameindex"), FunctionDescriptor.ofVoid(ADDRESS));
            h[14] = LINKER.downcallHandle(find(libc, "open"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
            h[15] = errnoHandle(libc, "setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            h[16] = errnoHandle(libc, "madvise", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        } catch (final Throwable t) {
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
        SOCKET = h[0];
        CLOSE = h[1];
        BIND = h[2];
        SETSOCKOPT = h[3];
        GETSOCKOPT = h[4];
        MMAP = h[5];
        MUNMAP = h[6];
        POLL = h[7];
        RECVFROM = h[8];
        IOCTL = h[9];
        SYSCALL_BPF = h[10];
        IF_NAMETOINDEX = h[11];
        IF_NAMEINDEX = h[12];
        IF_FREENAMEINDEX = h[13];
        OPEN = h[14];
        SETNS = h[15];
        MADVISE = h[16];
    }

    private Linux() {
    }

    private static MethodHandle errnoHandle(final SymbolLookup lookup, final String name,
                                            final FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(lookup, name), descriptor, CAPTURE_ERRNO);
    }

    private static MemorySegment find(final SymbolLookup lookup, final String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** True when every binding here linked (Linux, glibc, native access enabled). */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false, or null. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws when the bindings did not link, saying why and what to do. */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new IllegalStateException("Linux socket bindings are unavailable: " + UNAVAILABILITY_CAUSE
                + " (trawl needs Linux with glibc and the JVM flag --enable-native-access=ALL-UNNAMED)",
                UNAVAILABILITY_CAUSE);
        }
    }

    private static int errno(final MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int intResult(final int rc, final MemorySegment state) {
        return rc < 0 ? -errno(state) : rc;
    }

    /** {@code socket(domain, type, protocol)}: the new descriptor or {@code -errno}. */
    public static int socket(final int domain, final int type, final int protocol) {
        ensureAvailable();
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) SOCKET.invokeExact(state, domain, type, protocol), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code close(fd)}: 0 or {@code -errno}. */
    public static int close(final int fd) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) CLOSE.invokeExact(state, fd), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code bind(fd, address, address.byteSize())}: 0 or {@code -errno}. */
    public static int bind(final int fd, final MemorySegment address) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) BIND.invokeExact(state, fd, address, (int) address.byteSize()), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setsockopt(fd, level, name, value, value.byteSize())}: 0 or {@code -errno}. */
    public static int setsockopt(final int fd, final int level, final int name, final MemorySegment value) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize()), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setsockopt} with an {@code int} value: 0 or {@code -errno}. */
    public static int setsockoptInt(final int fd, final int level, final int name, final int value) {
        try (Arena arena = Arena.ofConfined()) {
            return setsockopt(fd, level, name, arena.allocateFrom(JAVA_INT, value));
        }
    }

    /**
     * {@code getsockopt(fd, level, name, value, &len)} with {@code len = value.byteSize()}.
     *
     * @return the length the kernel wrote, or {@code -errno}
     */
    public static int getsockopt(final int fd, final int level, final int name, final MemorySegment value) {
        final MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            final int rc = (int) GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
            return rc < 0 ? -errno(state) : length.get(JAVA_INT, 0);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}.
     *
     * @return the address of the mapping, or {@code -errno} (a small negative number: check {@code < 0})
     */
    public static long mmap(final long length, final int prot, final int flags, final int fd, final long offset) {
        ensureAvailable();
        final MemorySegment state = STATE.get();
        try {
            final long address = (long) MMAP.invokeExact(state, 0L, length, prot, flags, fd, offset);
            return address == -1L ? -errno(state) : address;
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code munmap(address, length)}: 0 or {@code -errno}. */
    public static int munmap(final long address, final long length) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) MUNMAP.invokeExact(state, address, length), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code madvise(address, length, advice)}: 0 or {@code -errno}. */
    public static int madvise(final long address, final long length, final int advice) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) MADVISE.invokeExact(state, address, length, advice), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code poll(fds, count, timeoutMillis)} over {@code count} {@code struct pollfd} in {@code fds}.
     * Blocks up to the timeout; allocation-free.
     *
     * @return descriptors with events, 0 on timeout, or {@code -errno} ({@code -EINTR} on a signal)
     */
    public static int poll(final MemorySegment fds, final int count, final int timeoutMillis) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) POLL.invokeExact(state, fds, (long) count, timeoutMillis), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL)}: the AF_XDP way to kick the kernel (wake a
     * driver that needs it, or run a busy-poll of the NAPI context). Allocation-free.
     *
     * @return 0 or {@code -errno} ({@code -EAGAIN} is the normal outcome)
     */
    public static long recvfromDontWait(final int fd) {
        final MemorySegment state = STATE.get();
        try {
            final long rc = (long) RECVFROM.invokeExact(state, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT,
                MemorySegment.NULL, MemorySegment.NULL);
            return rc < 0 ? -errno(state) : rc;
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ioctl(fd, request, argument)}: the result or {@code -errno}. */
    public static int ioctl(final int fd, final long request, final MemorySegment argument) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) IOCTL.invokeExact(state, fd, request, argument), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code syscall(SYS_bpf, command, attr, attr.byteSize())}.
     *
     * @return the result (a new descriptor for the creating commands) or {@code -errno}
     */
    public static int bpf(final int command, final MemorySegment attr) {
        ensureAvailable();
        final MemorySegment state = STATE.get();
        try {
            final long rc = (long) SYSCALL_BPF.invokeExact(state, SYS_BPF, command, attr, (int) attr.byteSize());
            return rc < 0 ? -errno(state) : (int) rc;
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code if_nametoindex(name)}: the interface index (in the calling thread's network namespace), or {@code -errno}. */
    public static int ifNameToIndex(final String name) {
        ensureAvailable();
        final MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            final int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            return index == 0 ? -errno(state) : index;
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** The names of every interface in the calling thread's network namespace, by {@code if_nameindex}. */
    public static java.util.List<String> interfaceNames() {
        ensureAvailable();
        final MemorySegment state = STATE.get();
        final java.util.List<String> names = new java.util.ArrayList<>();
        try {
            final MemorySegment array = (MemorySegment) IF_NAMEINDEX.invokeExact(state);
            if (array.address() == 0) {
                return names;
            }
            // struct if_nameindex { unsigned int if_index; char *if_name; } = 16 bytes, ended by {0, NULL}.
            final MemorySegment entries = array.reinterpret(Long.MAX_VALUE);
            for (long at = 0; ; at += 16) {
                final MemorySegment name = entries.get(ADDRESS, at + 8);
                if (entries.get(JAVA_INT, at) == 0 || name.address() == 0) {
                    break;
                }
                names.add(name.reinterpret(64).getString(0));
            }
            IF_FREENAMEINDEX.invokeExact(array);
            return names;
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code open(path, flags)}: a descriptor or {@code -errno}. */
    public static int open(final String path, final int flags) {
        ensureAvailable();
        final MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            return intResult((int) OPEN.invokeExact(state, arena.allocateFrom(path), flags), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setns(fd, nstype)}: moves the <em>calling thread</em> into a namespace; 0 or {@code -errno}. */
    public static int setns(final int fd, final int type) {
        final MemorySegment state = STATE.get();
        try {
            return intResult((int) SETNS.invokeExact(state, fd, type), state);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(final Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

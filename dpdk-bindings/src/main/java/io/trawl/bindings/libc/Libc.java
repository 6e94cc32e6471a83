package io.trawl.bindings.libc;

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
 * The libc calls trawl needs, as {@code static final} FFM downcall handles. Calls that can fail capture
 * {@code errno} through {@link Linker.Option#captureCallState(String...)}, so the value is the one set by
 * that very call, not by whatever the JVM did afterwards.
 *
 * <p>Thread safety: every method is safe to call from any thread; the call-state segment is allocated
 * per call in a confined arena (these are setup calls, not packet-path calls).
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final Throwable UNAVAILABILITY_CAUSE;
    private static final MethodHandle SCHED_SETAFFINITY;
    private static final MethodHandle SCHED_GETAFFINITY;
    private static final MethodHandle GETTID;
    private static final MethodHandle GETPID;
    private static final MethodHandle STRERROR;

    static {
        MethodHandle setAffinity = null, getAffinity = null, gettid = null, getpid = null, strerror = null;
        Throwable cause = null;
        try {
            final SymbolLookup libc = LINKER.defaultLookup();
            setAffinity = LINKER.downcallHandle(find(libc, "sched_setaffinity"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);
            getAffinity = LINKER.downcallHandle(find(libc, "sched_getaffinity"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);
            gettid = LINKER.downcallHandle(find(libc, "gettid"), FunctionDescriptor.of(JAVA_INT));
            getpid = LINKER.downcallHandle(find(libc, "getpid"), FunctionDescriptor.of(JAVA_INT));
            strerror = LINKER.downcallHandle(find(libc, "strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        } catch (final Throwable t) {
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
        SCHED_SETAFFINITY = setAffinity;
        SCHED_GETAFFINITY = getAffinity;
        GETTID = gettid;
        GETPID = getpid;
        STRERROR = strerror;
    }

    private Libc() {
    }

    private static MemorySegment find(final SymbolLookup lookup, final String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** True when every libc binding here linked (Linux with glibc and native access enabled). */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false, or null. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new IllegalStateException("libc bindings are unavailable: " + UNAVAILABILITY_CAUSE
                + " (trawl needs Linux and the JVM flag --enable-native-access=ALL-UNNAMED)", UNAVAILABILITY_CAUSE);
        }
    }

    /**
     * {@code sched_setaffinity(tid, size, mask)}.
     *
     * @return 0, or the errno of the failure
     */
    public static int schedSetaffinity(final int tid, final MemorySegment mask) {
        ensureAvailable();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final int rc = (int) SCHED_SETAFFINITY.invokeExact(state, tid, mask.byteSize(), mask);
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code sched_getaffinity(tid, size, mask)}.
     *
     * @return 0, or the errno of the failure
     */
    public static int schedGetaffinity(final int tid, final MemorySegment mask) {
        ensureAvailable();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = arena.allocate(CALL_STATE);
            final int rc = (int) SCHED_GETAFFINITY.invokeExact(state, tid, mask.byteSize(), mask);
            return rc < 0 ? (int) ERRNO.get(state, 0L) : 0;
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** The kernel thread id of the calling thread. */
    public static int gettid() {
        ensureAvailable();
        try {
            return (int) GETTID.invokeExact();
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** The process id. */
    public static int getpid() {
        ensureAvailable();
        try {
            return (int) GETPID.invokeExact();
        } catch (final Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's text for an errno, e.g. "Invalid argument". */
    public static String strerror(final int errno) {
        if (!isAvailable()) {
            return "errno " + errno;
        }
        try {
            final MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (final Throwable t) {
            return "errno " + errno;
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

package io.trawl.bindings.libc;

import io.trawl.bindings.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

/**
 * Pins threads to CPUs with {@code sched_setaffinity} and reports which CPUs this process may use.
 *
 * <p>Pinning applies to the <em>calling</em> thread (tid 0), so call {@link #pinCurrentThread(int)}
 * first thing in the thread that must be pinned (trawl does it in its agent thread factory).
 */
public final class CpuAffinity {
    /** Bytes of the CPU mask passed to the kernel: 1024 CPUs, as glibc's {@code cpu_set_t}. */
    static final int MASK_BYTES = 128;
    private static final int EINVAL = 22;
    private static final int EPERM = 1;

    private CpuAffinity() {
    }

    /** The CPUs the calling thread may run on (normally the process's allowed set). */
    public static BitSet allowedCpus() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            final int errno = Libc.schedGetaffinity(0, mask);
            if (errno != 0) {
                throw new NativeException("sched_getaffinity failed: " + Libc.strerror(errno), errno);
            }
            return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
        }
    }

    /**
     * Pins the calling thread to exactly one CPU.
     *
     * @throws NativeException with a message naming the CPU and the allowed set when the kernel refuses
     */
    public static void pinCurrentThread(final int cpu) {
        if (cpu < 0 || cpu >= MASK_BYTES * 8) {
            throw new NativeException("CPU " + cpu + " is out of range 0.." + (MASK_BYTES * 8 - 1), EINVAL);
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            final long word = mask.get(ValueLayout.JAVA_LONG, (cpu / 64) * 8L);
            mask.set(ValueLayout.JAVA_LONG, (cpu / 64) * 8L, word | (1L << (cpu % 64)));
            final int errno = Libc.schedSetaffinity(0, mask);
            if (errno != 0) {
                final String hint = switch (errno) {
                    case EINVAL -> "the CPU is offline or outside this process's cpuset (allowed: "
                        + CpuList.format(allowedCpus()) + ")";
                    case EPERM -> "permission denied changing this thread's affinity";
                    default -> Libc.strerror(errno);
                };
                throw new NativeException("cannot pin thread to CPU " + cpu + ": " + hint, errno);
            }
        }
    }
}

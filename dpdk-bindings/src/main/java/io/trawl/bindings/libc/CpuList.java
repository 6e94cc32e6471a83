package io.trawl.bindings.libc;

import java.util.BitSet;

/** Formats CPU sets in the kernel's list syntax ({@code 0-3,6}), as {@code taskset -c} prints them. */
public final class CpuList {
    private CpuList() {
    }

    /** {@code {0,1,2,5}} becomes {@code "0-2,5"}; an empty set becomes {@code ""}. */
    public static String format(final BitSet cpus) {
        final StringBuilder out = new StringBuilder();
        int start = cpus.nextSetBit(0);
        while (start >= 0) {
            int end = start;
            while (cpus.get(end + 1)) {
                end++;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(start);
            if (end > start) {
                out.append('-').append(end);
            }
            start = cpus.nextSetBit(end + 1);
        }
        return out.toString();
    }
}

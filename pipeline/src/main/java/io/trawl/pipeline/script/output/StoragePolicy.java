package io.trawl.pipeline.script.output;

/**
 * The packet_storage codes a script's {@code filter} returns, and what each stores of a flow. When scripts
 * disagree the most liberal wins (full > first 10 MB > first 1 MB > first 100 KB > first 10 KB > headers
 * only > don't store); -1 and unknown codes are no opinion. "First N" counts transport payload bytes of
 * the flow (both directions): the packet that reaches N is cut there, later packets are not stored.
 */
public final class StoragePolicy {
    public static final int NO_OPINION = -1;
    public static final int DONT_STORE = 0;
    public static final int FULL = 1;
    public static final int HEADERS = 2;
    public static final int FIRST_1MB = 3;
    public static final int FIRST_100KB = 4;
    public static final int FIRST_10KB = 5;
    public static final int FIRST_10MB = 6;

    private static final int[] RANK = {0, 6, 1, 4, 3, 2, 5}; // by code 0..6
    private static final long[] PAYLOAD_CAP = {0, Long.MAX_VALUE, 0, 1L << 20, 100L << 10, 10L << 10, 10L << 20};

    private StoragePolicy() {
    }

    /** A script's return value as a code: 0..6, or {@link #NO_OPINION}. */
    public static int normalize(final double value) {
        if (value != Math.rint(value) || value < 0 || value > 6) {
            return NO_OPINION;
        }
        return (int) value;
    }

    /** The more liberal of two codes (either may be {@link #NO_OPINION}). */
    public static int mostLiberal(final int a, final int b) {
        if (a == NO_OPINION) {
            return b;
        }
        if (b == NO_OPINION) {
            return a;
        }
        return RANK[a] >= RANK[b] ? a : b;
    }

    /** Payload bytes of a flow stored under {@code code} (Long.MAX_VALUE: all). */
    public static long payloadCap(final int code) {
        return code < 0 ? 0 : PAYLOAD_CAP[code];
    }

    /** True when the code stores anything. */
    public static boolean stores(final int code) {
        return code > 0;
    }

    /** A short name for reports. */
    public static String name(final int code) {
        return switch (code) {
            case DONT_STORE -> "dont_store";
            case FULL -> "full";
            case HEADERS -> "headers";
            case FIRST_1MB -> "first_1mb";
            case FIRST_100KB -> "first_100kb";
            case FIRST_10KB -> "first_10kb";
            case FIRST_10MB -> "first_10mb";
            default -> "no_opinion";
        };
    }
}

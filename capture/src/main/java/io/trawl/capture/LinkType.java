package io.trawl.capture;

/**
 * Link-layer header types (tcpdump.org LINKTYPE_ values) that trawl decodes. Others are counted as
 * undecodable, never guessed.
 */
public final class LinkType {
    /** BSD loopback: a 4-byte address family in host byte order, then IP. */
    public static final int NULL = 0;
    /** Ethernet II / 802.3. */
    public static final int ETHERNET = 1;
    /** Raw IP (version from the first nibble); 12 and 14 are old DLT_RAW values seen in files. */
    public static final int RAW = 101;
    /** Old DLT_RAW values that some writers use in the file header. */
    public static final int RAW_DLT12 = 12;
    public static final int RAW_DLT14 = 14;
    /** OpenBSD loopback: like {@link #NULL} with the family in network byte order. */
    public static final int LOOP = 108;
    /** Linux cooked capture v1 (16-byte header). */
    public static final int LINUX_SLL = 113;
    /** Raw IPv4. */
    public static final int IPV4 = 228;
    /** Raw IPv6. */
    public static final int IPV6 = 229;
    /** Linux cooked capture v2 (20-byte header). */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /** True for the link types trawl's decoder understands. */
    public static boolean isSupported(final int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW, RAW_DLT12, RAW_DLT14, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    /** A name for messages, e.g. "Ethernet (1)". */
    public static String describe(final int linkType) {
        final String name = switch (linkType) {
            case NULL -> "BSD loopback";
            case ETHERNET -> "Ethernet";
            case RAW, RAW_DLT12, RAW_DLT14 -> "raw IP";
            case LOOP -> "OpenBSD loopback";
            case LINUX_SLL -> "Linux cooked v1";
            case IPV4 -> "raw IPv4";
            case IPV6 -> "raw IPv6";
            case LINUX_SLL2 -> "Linux cooked v2";
            default -> "unsupported link type";
        };
        return name + " (" + linkType + ")";
    }
}

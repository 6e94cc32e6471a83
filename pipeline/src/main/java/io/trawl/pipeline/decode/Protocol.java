package io.trawl.pipeline.decode;

/**
 * The layers trawl decodes, as small ids (for arrays) with the GUIDs Trisul scripts know them by.
 * GUIDs of protocols Trisul documents are Trisul's; the others are trawl's own.
 */
public final class Protocol {
    public static final int ETHERNET = 0;
    public static final int VLAN = 1;
    public static final int LINUX_SLL = 2;
    public static final int LOOPBACK = 3;
    public static final int IPV4 = 4;
    public static final int IPV6 = 5;
    public static final int TCP = 6;
    public static final int UDP = 7;
    public static final int ICMP = 8;
    public static final int ICMPV6 = 9;
    /** An IP protocol trawl does not decode further (GRE, ESP, SCTP...). */
    public static final int OTHER_IP = 10;
    /** Bytes after the last decoded header. */
    public static final int PAYLOAD = 11;
    public static final int COUNT = 12;

    private static final String[] GUIDS = {
        "{974FB098-DE46-45db-94DA-8D64A3BBCDE5}", // Ethernet (Trisul)
        "{C7D4F3C2-0B6E-4A36-8E0B-3C5A2D9E1F01}", // 802.1Q VLAN (trawl)
        "{C7D4F3C2-0B6E-4A36-8E0B-3C5A2D9E1F02}", // Linux cooked (trawl)
        "{C7D4F3C2-0B6E-4A36-8E0B-3C5A2D9E1F03}", // BSD loopback (trawl)
        "{0A2C724B-5B9F-4ba6-9C97-B05080558574}", // IPv4 (Trisul)
        "{85C0CCED-DA8D-4029-924A-A6AB87F62EF8}", // IPv6 (Trisul)
        "{77E462AB-2E42-42ec-9A58-C1A6821D6B31}", // TCP (Trisul)
        "{14D7AB53-CC51-47e9-8814-9C06AAE60189}", // UDP (Trisul)
        "{7DDD65F2-A316-43b5-A103-368E700E045E}", // ICMP (Trisul)
        "{C7D4F3C2-0B6E-4A36-8E0B-3C5A2D9E1F09}", // ICMPv6 (trawl)
        "{C7D4F3C2-0B6E-4A36-8E0B-3C5A2D9E1F0A}", // other IP protocol (trawl)
        "{C7D4F3C2-0B6E-4A36-8E0B-3C5A2D9E1F0B}", // payload (trawl)
    };
    private static final String[] NAMES = {
        "ethernet", "vlan", "linux_sll", "loopback", "ipv4", "ipv6", "tcp", "udp", "icmp", "icmpv6", "ip_other", "payload",
    };

    private Protocol() {
    }

    /** The GUID of a protocol id, in the case Trisul documents it. */
    public static String guid(final int protocol) {
        return GUIDS[protocol];
    }

    /** A short lower-case name ("tcp"). */
    public static String name(final int protocol) {
        return NAMES[protocol];
    }

    /** The protocol id for a GUID (case-insensitive, braces optional), or -1. */
    public static int byGuid(final String guid) {
        final String wanted = guid.startsWith("{") ? guid : "{" + guid + "}";
        for (int i = 0; i < GUIDS.length; i++) {
            if (GUIDS[i].equalsIgnoreCase(wanted)) {
                return i;
            }
        }
        return -1;
    }
}

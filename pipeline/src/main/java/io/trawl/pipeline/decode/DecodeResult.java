package io.trawl.pipeline.decode;

/**
 * What {@link PacketDecoder#decode} concluded about a packet. {@link #OK} and the "not an error" results
 * still count the packet; the error results are counted per cause as decode errors.
 */
public enum DecodeResult {
    /** IP packet decoded (transport header too when present and not fragmented away). */
    OK("ok", false),
    /** A valid frame that carries no IP (ARP, LLC, LLDP...). */
    NOT_IP("not_ip", false),
    /** The link type is one trawl does not decode. */
    UNSUPPORTED_LINK_TYPE("unsupported_link_type", false),
    TRUNCATED_LINK_HEADER("truncated_link_header", true),
    TOO_MANY_VLAN_TAGS("too_many_vlan_tags", true),
    TRUNCATED_IP_HEADER("truncated_ip_header", true),
    BAD_IP_VERSION("bad_ip_version", true),
    BAD_IP_HEADER_LENGTH("bad_ip_header_length", true),
    BAD_IP_TOTAL_LENGTH("bad_ip_total_length", true),
    TRUNCATED_IPV6_EXTENSION("truncated_ipv6_extension", true),
    TRUNCATED_TCP_HEADER("truncated_tcp_header", true),
    BAD_TCP_HEADER_LENGTH("bad_tcp_header_length", true),
    TRUNCATED_UDP_HEADER("truncated_udp_header", true),
    TRUNCATED_ICMP_HEADER("truncated_icmp_header", true);

    private static final DecodeResult[] VALUES = values();

    private final String key;
    private final boolean error;

    DecodeResult(final String key, final boolean error) {
        this.key = key;
        this.error = error;
    }

    /** Stable snake_case name for summary.json. */
    public String key() {
        return key;
    }

    /** True when the packet was malformed (counted in {@code decode_errors}). */
    public boolean isError() {
        return error;
    }

    /** All results, indexed by ordinal, without allocating. */
    public static DecodeResult byOrdinal(final int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}

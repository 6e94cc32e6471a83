package io.trawl.pipeline.decode;

import io.trawl.capture.LinkType;
import io.trawl.capture.PacketView;

/**
 * Decodes link, network and transport headers of a {@link PacketView} into a {@link DecodedPacket},
 * reading the bytes where they are. No allocation; no exceptions for malformed input (the result says
 * what was wrong).
 *
 * <pre>
 * Ethernet  0 dst(6) 6 src(6) 12 type(2)     [802.1Q/802.1ad 0x8100/0x88A8/0x9100: TCI(2) type(2)]
 * Linux SLL 0 type(2) 2 arphrd(2) 4 addrlen(2) 6 addr(8) 14 protocol(2)        (16 bytes)
 * SLL2      0 protocol(2) 2 reserved(2) 4 ifindex(4) 8 arphrd(2) ...           (20 bytes)
 * NULL/LOOP 0 address family (4 bytes, host / network order)
 * IPv4      0 ver|ihl 2 total length 6 flags|fragment offset 9 protocol 12 src 16 dst
 * IPv6      0 ver|tc|flow 4 payload length 6 next header 8 src(16) 24 dst(16); extension headers follow
 * TCP       0 sport 2 dport 4 seq 8 ack 12 data offset|flags(13)               UDP 0 sport 2 dport 4 len
 * </pre>
 *
 * <p>Threading: one instance per pipeline thread.
 */
public final class PacketDecoder {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETHERTYPE_QINQ = 0x88A8;
    static final int ETHERTYPE_QINQ_OLD = 0x9100;
    static final int MAX_VLAN_TAGS = 4;
    static final int MAX_IPV6_EXTENSIONS = 8;

    private final DecodedPacket decoded = new DecodedPacket();

    /** The flyweight every {@link #decode} call fills. */
    public DecodedPacket decoded() {
        return decoded;
    }

    /** Decodes {@code packet} into {@link #decoded()}. */
    public DecodeResult decode(final PacketView packet) {
        final DecodedPacket d = decoded;
        d.reset(packet);
        final int length = packet.captureLength();
        switch (packet.linkType()) {
            case LinkType.ETHERNET -> {
                return ethernet(packet, d, length);
            }
            case LinkType.RAW, LinkType.RAW_DLT12, LinkType.RAW_DLT14 -> {
                if (length < 1) {
                    return DecodeResult.TRUNCATED_IP_HEADER;
                }
                final int version = packet.u8(0) >>> 4;
                if (version == 4) {
                    return ipv4(packet, d, 0, length);
                }
                if (version == 6) {
                    return ipv6(packet, d, 0, length);
                }
                return DecodeResult.BAD_IP_VERSION;
            }
            case LinkType.IPV4 -> {
                return ipv4(packet, d, 0, length);
            }
            case LinkType.IPV6 -> {
                return ipv6(packet, d, 0, length);
            }
            case LinkType.LINUX_SLL -> {
                if (length < 16) {
                    return DecodeResult.TRUNCATED_LINK_HEADER;
                }
                d.addLayer(Protocol.LINUX_SLL, 0);
                return etherType(packet, d, packet.u16(14), 16, length);
            }
            case LinkType.LINUX_SLL2 -> {
                if (length < 20) {
                    return DecodeResult.TRUNCATED_LINK_HEADER;
                }
                d.addLayer(Protocol.LINUX_SLL, 0);
                return etherType(packet, d, packet.u16(0), 20, length);
            }
            case LinkType.NULL, LinkType.LOOP -> {
                if (length < 4) {
                    return DecodeResult.TRUNCATED_LINK_HEADER;
                }
                d.addLayer(Protocol.LOOPBACK, 0);
                // The family is a 32-bit value in the writer's byte order (NULL) or network order (LOOP):
                // small values fit in one byte, so whichever end byte is non-zero holds it.
                final int first = packet.u8(0);
                final int family = first != 0 ? first : packet.u8(3);
                return switch (family) {
                    case 2 -> ipv4(packet, d, 4, length);
                    case 10, 24, 28, 30 -> ipv6(packet, d, 4, length);
                    default -> DecodeResult.NOT_IP;
                };
            }
            default -> {
                return DecodeResult.UNSUPPORTED_LINK_TYPE;
            }
        }
    }

    private static DecodeResult ethernet(final PacketView packet, final DecodedPacket d, final int length) {
        if (length < 14) {
            return DecodeResult.TRUNCATED_LINK_HEADER;
        }
        d.addLayer(Protocol.ETHERNET, 0);
        return etherType(packet, d, packet.u16(12), 14, length);
    }

    private static DecodeResult etherType(final PacketView packet, final DecodedPacket d, final int firstType,
                                          final int firstOffset, final int length) {
        int type = firstType;
        int offset = firstOffset;
        while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
            if (d.vlanCount == MAX_VLAN_TAGS) {
                return DecodeResult.TOO_MANY_VLAN_TAGS;
            }
            if (offset + 4 > length) {
                return DecodeResult.TRUNCATED_LINK_HEADER;
            }
            if (d.vlanCount == 0) {
                d.outerVlan = packet.u16(offset) & 0x0FFF;
            }
            d.vlanCount++;
            d.addLayer(Protocol.VLAN, offset);
            type = packet.u16(offset + 2);
            offset += 4;
        }
        return switch (type) {
            case ETHERTYPE_IPV4 -> ipv4(packet, d, offset, length);
            case ETHERTYPE_IPV6 -> ipv6(packet, d, offset, length);
            default -> DecodeResult.NOT_IP;
        };
    }

    private static DecodeResult ipv4(final PacketView packet, final DecodedPacket d, final int offset, final int length) {
        if (offset + 20 > length) {
            return DecodeResult.TRUNCATED_IP_HEADER;
        }
        // bytes 0-7: version|ihl, tos, total length, id, flags|fragment offset; 8-15: ttl, protocol,
        // checksum, source; read as two words (all within the 20 bytes just checked)
        final long word0 = packet.i64(offset);
        final int versionIhl = (int) (word0 >>> 56) & 0xFF;
        if ((versionIhl >>> 4) != 4) {
            return DecodeResult.BAD_IP_VERSION;
        }
        final int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < 20) {
            return DecodeResult.BAD_IP_HEADER_LENGTH;
        }
        if (offset + headerLength > length) {
            return DecodeResult.TRUNCATED_IP_HEADER;
        }
        final int totalLength = (int) (word0 >>> 32) & 0xFFFF;
        if (totalLength < headerLength) {
            return DecodeResult.BAD_IP_TOTAL_LENGTH;
        }
        d.addLayer(Protocol.IPV4, offset);
        d.ipVersion = 4;
        d.ipOffset = offset;
        final long word1 = packet.i64(offset + 8);
        d.ipProtocol = (int) (word1 >>> 48) & 0xFF;
        d.sourceLow = word1 & 0xFFFF_FFFFL;
        d.destinationLow = packet.i32(offset + 16) & 0xFFFF_FFFFL;
        final int flagsFragment = (int) word0 & 0xFFFF;
        final int fragmentOffset = flagsFragment & 0x1FFF;
        final boolean moreFragments = (flagsFragment & 0x2000) != 0;
        d.fragment = moreFragments || fragmentOffset != 0;
        d.laterFragment = fragmentOffset != 0;
        final int end = Math.min(length, offset + totalLength);
        if (d.laterFragment) {
            d.addLayer(Protocol.PAYLOAD, offset + headerLength);
            d.payloadOffset = offset + headerLength;
            d.payloadLength = Math.max(0, end - d.payloadOffset);
            return DecodeResult.OK;
        }
        return transport(packet, d, d.ipProtocol, offset + headerLength, end);
    }

    private static DecodeResult ipv6(final PacketView packet, final DecodedPacket d, final int offset, final int length) {
        if (offset + 40 > length) {
            return DecodeResult.TRUNCATED_IP_HEADER;
        }
        if ((packet.u8(offset) >>> 4) != 6) {
            return DecodeResult.BAD_IP_VERSION;
        }
        d.addLayer(Protocol.IPV6, offset);
        d.ipVersion = 6;
        d.ipOffset = offset;
        d.sourceHigh = u64(packet, offset + 8);
        d.sourceLow = u64(packet, offset + 16);
        d.destinationHigh = u64(packet, offset + 24);
        d.destinationLow = u64(packet, offset + 32);
        final int payloadLength = packet.u16(offset + 4);
        final int end = Math.min(length, offset + 40 + payloadLength);
        int next = packet.u8(offset + 6);
        int at = offset + 40;
        for (int extensions = 0; extensions < MAX_IPV6_EXTENSIONS; extensions++) {
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> { // hop-by-hop, routing, destination, mobility, HIP, shim6
                    if (at + 8 > end) {
                        return DecodeResult.TRUNCATED_IPV6_EXTENSION;
                    }
                    final int size = (packet.u8(at + 1) + 1) * 8;
                    next = packet.u8(at);
                    at += size;
                }
                case 44 -> { // fragment
                    if (at + 8 > end) {
                        return DecodeResult.TRUNCATED_IPV6_EXTENSION;
                    }
                    final int offsetFlags = packet.u16(at + 2);
                    d.fragment = true;
                    d.laterFragment = (offsetFlags >>> 3) != 0;
                    next = packet.u8(at);
                    at += 8;
                }
                case 51 -> { // authentication header
                    if (at + 8 > end) {
                        return DecodeResult.TRUNCATED_IPV6_EXTENSION;
                    }
                    final int size = (packet.u8(at + 1) + 2) * 4;
                    next = packet.u8(at);
                    at += size;
                }
                default -> {
                    d.ipProtocol = next;
                    if (at > end) {
                        return DecodeResult.TRUNCATED_IPV6_EXTENSION;
                    }
                    if (d.laterFragment) {
                        d.addLayer(Protocol.PAYLOAD, at);
                        d.payloadOffset = at;
                        d.payloadLength = end - at;
                        return DecodeResult.OK;
                    }
                    return transport(packet, d, next, at, end);
                }
            }
        }
        d.ipProtocol = next;
        return DecodeResult.OK;
    }

    private static DecodeResult transport(final PacketView packet, final DecodedPacket d, final int protocol,
                                          final int offset, final int end) {
        switch (protocol) {
            case 6 -> {
                if (offset + 20 > end) {
                    return DecodeResult.TRUNCATED_TCP_HEADER;
                }
                // bytes 0-7: ports, sequence; 8-15: acknowledgement, data offset, flags, window
                final long word0 = packet.i64(offset);
                final long word1 = packet.i64(offset + 8);
                final int headerLength = ((int) (word1 >>> 28) & 0xF) * 4;
                if (headerLength < 20) {
                    return DecodeResult.BAD_TCP_HEADER_LENGTH;
                }
                if (offset + headerLength > end) {
                    return DecodeResult.TRUNCATED_TCP_HEADER;
                }
                d.addLayer(Protocol.TCP, offset);
                d.transportOffset = offset;
                d.sourcePort = (int) (word0 >>> 48) & 0xFFFF;
                d.destinationPort = (int) (word0 >>> 32) & 0xFFFF;
                d.tcpSequence = word0 & 0xFFFF_FFFFL;
                d.tcpAcknowledgement = word1 >>> 32;
                d.tcpFlags = (int) (word1 >>> 16) & 0xFF;
                payload(d, offset + headerLength, end);
            }
            case 17 -> {
                if (offset + 8 > end) {
                    return DecodeResult.TRUNCATED_UDP_HEADER;
                }
                d.addLayer(Protocol.UDP, offset);
                d.transportOffset = offset;
                final int ports = packet.i32(offset);
                d.sourcePort = ports >>> 16;
                d.destinationPort = ports & 0xFFFF;
                payload(d, offset + 8, end);
            }
            case 1, 58 -> {
                if (offset + 4 > end) {
                    return DecodeResult.TRUNCATED_ICMP_HEADER;
                }
                d.addLayer(protocol == 1 ? Protocol.ICMP : Protocol.ICMPV6, offset);
                d.transportOffset = offset;
                d.icmpType = packet.u8(offset);
                d.icmpCode = packet.u8(offset + 1);
                payload(d, offset + 4, end);
            }
            default -> {
                d.addLayer(Protocol.OTHER_IP, offset);
                d.payloadOffset = offset;
                d.payloadLength = Math.max(0, end - offset);
            }
        }
        return DecodeResult.OK;
    }

    private static void payload(final DecodedPacket d, final int offset, final int end) {
        d.payloadOffset = offset;
        d.payloadLength = Math.max(0, end - offset);
        if (d.payloadLength > 0) {
            d.addLayer(Protocol.PAYLOAD, offset);
        }
    }

    private static long u64(final PacketView packet, final int offset) {
        return ((long) packet.i32(offset) << 32) | (packet.i32(offset + 4) & 0xFFFF_FFFFL);
    }
}

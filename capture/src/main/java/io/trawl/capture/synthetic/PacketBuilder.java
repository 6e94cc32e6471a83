package io.trawl.capture.synthetic;

import java.nio.ByteBuffer;

/**
 * Builds Ethernet frames carrying IPv4 or IPv6 with TCP, UDP or ICMP, with valid lengths and checksums.
 * Optional 802.1Q tags ({@link #vlans(int...)}). A builder instance is reusable and not thread-safe.
 */
public final class PacketBuilder {
    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ICMPV6 = 58;

    private int[] vlans = new int[0];
    private int ipId = 1;
    private int ttl = 64;

    /** Adds 802.1Q tags (outermost first) to every following frame; none to clear. */
    public PacketBuilder vlans(final int... vlanIds) {
        this.vlans = vlanIds.clone();
        return this;
    }

    /** TTL / hop limit of following packets. */
    public PacketBuilder ttl(final int value) {
        this.ttl = value;
        return this;
    }

    /** A TCP segment. */
    public byte[] tcp(final Endpoint src, final Endpoint dst, final long seq, final long ack, final int flags,
                      final byte[] payload, final int offset, final int length) {
        final int headerLength = (flags & TCP_SYN) != 0 ? 24 : 20;
        final ByteBuffer l4 = ByteBuffer.allocate(headerLength + length);
        l4.putShort((short) src.port()).putShort((short) dst.port()).putInt((int) seq).putInt((int) ack);
        l4.put((byte) ((headerLength / 4) << 4)).put((byte) flags).putShort((short) 65535);
        l4.putShort((short) 0).putShort((short) 0);
        if (headerLength == 24) {
            l4.put((byte) 2).put((byte) 4).putShort((short) 1460); // MSS option
        }
        l4.put(payload, offset, length);
        return ip(src, dst, PROTO_TCP, l4.array(), 16);
    }

    /** A TCP segment without payload. */
    public byte[] tcp(final Endpoint src, final Endpoint dst, final long seq, final long ack, final int flags) {
        return tcp(src, dst, seq, ack, flags, new byte[0], 0, 0);
    }

    /** A UDP datagram. */
    public byte[] udp(final Endpoint src, final Endpoint dst, final byte[] payload) {
        final ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.putShort((short) src.port()).putShort((short) dst.port()).putShort((short) (8 + payload.length))
            .putShort((short) 0).put(payload);
        return ip(src, dst, PROTO_UDP, l4.array(), 6);
    }

    /** An ICMP (IPv4) or ICMPv6 echo request ({@code reply=false}) or reply. */
    public byte[] echo(final Endpoint src, final Endpoint dst, final boolean reply, final int id, final int sequence,
                       final byte[] payload) {
        final boolean v6 = src.isIpv6();
        final int type = v6 ? (reply ? 129 : 128) : (reply ? 0 : 8);
        final ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) sequence).put(payload);
        final byte[] bytes = l4.array();
        if (!v6) {
            final int sum = checksum(bytes, 0, bytes.length, 0);
            bytes[2] = (byte) (sum >>> 8);
            bytes[3] = (byte) sum;
            return ip(src, dst, PROTO_ICMP, bytes, -1);
        }
        return ip(src, dst, PROTO_ICMPV6, bytes, 2);
    }

    /**
     * Wraps a layer-4 payload in IP and Ethernet, filling the layer-4 checksum at
     * {@code checksumOffset} (-1: none) with the pseudo-header sum.
     */
    public byte[] ip(final Endpoint src, final Endpoint dst, final int protocol, final byte[] l4, final int checksumOffset) {
        final boolean v6 = src.isIpv6();
        if (checksumOffset >= 0) {
            int pseudo = sumBytes(src.address()) + sumBytes(dst.address()) + protocol + l4.length;
            final int sum = checksum(l4, 0, l4.length, pseudo);
            l4[checksumOffset] = (byte) (sum >>> 8);
            l4[checksumOffset + 1] = (byte) sum;
        }
        final int ipHeader = v6 ? 40 : 20;
        final ByteBuffer frame = ByteBuffer.allocate(14 + 4 * vlans.length + ipHeader + l4.length);
        frame.put(dst.mac()).put(src.mac());
        for (final int vlan : vlans) {
            frame.putShort((short) 0x8100).putShort((short) (vlan & 0x0FFF));
        }
        frame.putShort((short) (v6 ? 0x86DD : 0x0800));
        final int ipStart = frame.position();
        if (v6) {
            frame.putInt(0x60000000).putShort((short) l4.length).put((byte) protocol).put((byte) ttl);
            frame.put(src.address()).put(dst.address());
        } else {
            frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) ipId++)
                .putShort((short) 0x4000).put((byte) ttl).put((byte) protocol).putShort((short) 0)
                .put(src.address()).put(dst.address());
            final byte[] array = frame.array();
            final int sum = checksum(array, ipStart, 20, 0);
            array[ipStart + 10] = (byte) (sum >>> 8);
            array[ipStart + 11] = (byte) sum;
        }
        frame.put(l4);
        return frame.array();
    }

    private static int sumBytes(final byte[] bytes) {
        int sum = 0;
        for (int i = 0; i + 1 < bytes.length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        return sum;
    }

    /** The Internet checksum of {@code length} bytes, starting from a partial sum. */
    static int checksum(final byte[] bytes, final int offset, final int length, final int initial) {
        long sum = initial & 0xFFFFFFFFL;
        int i = offset;
        for (; i + 1 < offset + length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        if (i < offset + length) {
            sum += (bytes[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}

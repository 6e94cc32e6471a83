package io.trawl.pipeline.decode;

import io.trawl.capture.PacketView;

/**
 * What the decoder found in one packet: the layers with their offsets, the IP addresses and transport
 * ports, TCP flags and the payload bounds. One instance per pipeline, overwritten for every packet
 * (flyweight); valid until the next {@link PacketDecoder#decode} call.
 *
 * <p>Addresses are held as two longs each: IPv6 as high/low 64 bits in network order; IPv4 as
 * {@code high = 0, low = the 32-bit address}. {@link #ipVersion()} tells them apart.
 */
public final class DecodedPacket {
    /** Most layers recorded for one packet; deeper stacks keep the first ones. */
    public static final int MAX_LAYERS = 16;

    PacketView packet;
    final int[] layerProtocols = new int[MAX_LAYERS];
    final int[] layerOffsets = new int[MAX_LAYERS];
    int layerCount;

    int vlanCount;
    int outerVlan;
    int ipVersion;
    int ipOffset;
    int ipProtocol;
    boolean fragment;
    boolean laterFragment;
    long sourceHigh;
    long sourceLow;
    long destinationHigh;
    long destinationLow;
    int transportOffset;
    int sourcePort;
    int destinationPort;
    int tcpFlags;
    long tcpSequence;
    long tcpAcknowledgement;
    int payloadOffset;
    int payloadLength;
    int icmpType;
    int icmpCode;

    void reset(final PacketView view) {
        packet = view;
        layerCount = 0;
        vlanCount = 0;
        outerVlan = 0;
        ipVersion = 0;
        ipOffset = -1;
        ipProtocol = -1;
        fragment = false;
        laterFragment = false;
        sourceHigh = 0;
        sourceLow = 0;
        destinationHigh = 0;
        destinationLow = 0;
        transportOffset = -1;
        sourcePort = 0;
        destinationPort = 0;
        tcpFlags = 0;
        tcpSequence = 0;
        tcpAcknowledgement = 0;
        payloadOffset = -1;
        payloadLength = 0;
        icmpType = -1;
        icmpCode = -1;
    }

    void addLayer(final int protocol, final int offset) {
        if (layerCount < MAX_LAYERS) {
            layerProtocols[layerCount] = protocol;
            layerOffsets[layerCount] = offset;
            layerCount++;
        }
    }

    /** The packet this was decoded from. */
    public PacketView packet() {
        return packet;
    }

    public int layerCount() {
        return layerCount;
    }

    /** The {@link Protocol} id of layer {@code index} (0 = outermost). */
    public int layerProtocol(final int index) {
        return layerProtocols[index];
    }

    /** Byte offset of layer {@code index} from the start of the packet. */
    public int layerOffset(final int index) {
        return layerOffsets[index];
    }

    /** Index of the first layer of {@code protocol}, or -1. */
    public int findLayer(final int protocol) {
        for (int i = 0; i < layerCount; i++) {
            if (layerProtocols[i] == protocol) {
                return i;
            }
        }
        return -1;
    }

    /** Number of 802.1Q/802.1ad tags. */
    public int vlanCount() {
        return vlanCount;
    }

    /** VLAN id of the outermost tag, or 0. */
    public int outerVlan() {
        return outerVlan;
    }

    /** 4, 6, or 0 when the packet carries no IP. */
    public int ipVersion() {
        return ipVersion;
    }

    /** Offset of the IP header, or -1. */
    public int ipOffset() {
        return ipOffset;
    }

    /** The transport protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...), or -1 without IP. */
    public int ipProtocol() {
        return ipProtocol;
    }

    /** True for any IP fragment (first or later). */
    public boolean isFragment() {
        return fragment;
    }

    /** True for a fragment other than the first: it has no transport header. */
    public boolean isLaterFragment() {
        return laterFragment;
    }

    public long sourceHigh() {
        return sourceHigh;
    }

    public long sourceLow() {
        return sourceLow;
    }

    public long destinationHigh() {
        return destinationHigh;
    }

    public long destinationLow() {
        return destinationLow;
    }

    /** Offset of the TCP/UDP/ICMP header, or -1. */
    public int transportOffset() {
        return transportOffset;
    }

    /** TCP/UDP source port, or 0. */
    public int sourcePort() {
        return sourcePort;
    }

    /** TCP/UDP destination port, or 0. */
    public int destinationPort() {
        return destinationPort;
    }

    /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10...), or 0. */
    public int tcpFlags() {
        return tcpFlags;
    }

    /** TCP sequence number (unsigned 32-bit). */
    public long tcpSequence() {
        return tcpSequence;
    }

    /** TCP acknowledgement number (unsigned 32-bit). */
    public long tcpAcknowledgement() {
        return tcpAcknowledgement;
    }

    /** Offset of the transport payload, or -1. */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** Captured transport payload bytes (bounded by the IP length, so Ethernet padding is excluded). */
    public int payloadLength() {
        return payloadLength;
    }

    /** ICMP/ICMPv6 type, or -1. */
    public int icmpType() {
        return icmpType;
    }

    /** ICMP/ICMPv6 code, or -1. */
    public int icmpCode() {
        return icmpCode;
    }

    /** True when the packet has a TCP header. */
    public boolean isTcp() {
        return ipProtocol == 6 && transportOffset >= 0;
    }
}

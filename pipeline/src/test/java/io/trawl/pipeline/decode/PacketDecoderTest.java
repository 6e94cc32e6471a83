package io.trawl.pipeline.decode;

import io.trawl.capture.LinkType;
import io.trawl.capture.PacketView;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PacketDecoderTest {
    private final PacketDecoder decoder = new PacketDecoder();
    private final PacketBuilder builder = new PacketBuilder();
    private final Endpoint client = Endpoint.of("192.168.1.2", 2964);
    private final Endpoint server = Endpoint.of("209.216.249.58", 22);

    private DecodeResult decode(final byte[] frame, final int linkType) {
        final MemorySegment memory = Arena.ofAuto().allocate(Math.max(1, frame.length));
        MemorySegment.copy(frame, 0, memory, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, frame.length);
        return decoder.decode(new PacketView().wrap(memory, 0, frame.length, frame.length, 0, linkType));
    }

    @Test
    void ipv4TcpOverEthernet() {
        final byte[] payload = "hello".getBytes();
        final byte[] frame = builder.tcp(client, server, 1000, 2000, PacketBuilder.TCP_ACK | PacketBuilder.TCP_PSH,
            payload, 0, payload.length);
        assertThat(decode(frame, LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        final DecodedPacket d = decoder.decoded();
        assertThat(d.ipVersion()).isEqualTo(4);
        assertThat(d.ipProtocol()).isEqualTo(6);
        assertThat(d.sourceLow()).isEqualTo(0xC0A80102L);
        assertThat(d.destinationLow()).isEqualTo(0xD1D8F93AL);
        assertThat(d.sourcePort()).isEqualTo(2964);
        assertThat(d.destinationPort()).isEqualTo(22);
        assertThat(d.tcpSequence()).isEqualTo(1000);
        assertThat(d.tcpAcknowledgement()).isEqualTo(2000);
        assertThat(d.tcpFlags()).isEqualTo(0x18);
        assertThat(d.payloadOffset()).isEqualTo(14 + 20 + 20);
        assertThat(d.payloadLength()).isEqualTo(5);
        assertThat(d.layerCount()).isEqualTo(4);
        assertThat(new int[] {d.layerProtocol(0), d.layerProtocol(1), d.layerProtocol(2), d.layerProtocol(3)})
            .containsExactly(Protocol.ETHERNET, Protocol.IPV4, Protocol.TCP, Protocol.PAYLOAD);
        assertThat(d.findLayer(Protocol.TCP)).isEqualTo(2);
        assertThat(d.layerOffset(2)).isEqualTo(34);
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        final byte[] frame = builder.tcp(client, server, 1, 1, PacketBuilder.TCP_ACK);
        final byte[] padded = Arrays.copyOf(frame, 60); // 54 bytes + 6 bytes of Ethernet padding
        assertThat(decode(padded, LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        assertThat(decoder.decoded().payloadLength()).isZero();
    }

    @Test
    void qinqTaggedIpv6UdpAndIcmpv6() {
        final Endpoint a = Endpoint.of("2001:db8::10", 5353);
        final Endpoint b = Endpoint.of("2001:db8::1", 53);
        builder.vlans(100, 200);
        assertThat(decode(builder.udp(a, b, new byte[12]), LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        final DecodedPacket d = decoder.decoded();
        assertThat(d.vlanCount()).isEqualTo(2);
        assertThat(d.outerVlan()).isEqualTo(100);
        assertThat(d.ipVersion()).isEqualTo(6);
        assertThat(d.sourceHigh()).isEqualTo(0x20010DB800000000L);
        assertThat(d.sourceLow()).isEqualTo(0x10L);
        assertThat(d.sourcePort()).isEqualTo(5353);
        assertThat(d.payloadLength()).isEqualTo(12);
        builder.vlans();
        assertThat(decode(builder.echo(a, b, false, 7, 1, new byte[8]), LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        assertThat(decoder.decoded().ipProtocol()).isEqualTo(58);
        assertThat(decoder.decoded().icmpType()).isEqualTo(128);
        assertThat(decoder.decoded().findLayer(Protocol.ICMPV6)).isEqualTo(2);
    }

    @Test
    void ipv6ExtensionHeadersAndFragments() {
        final Endpoint a = Endpoint.of("2001:db8::10", 1000);
        final Endpoint b = Endpoint.of("2001:db8::1", 80);
        // TCP inside hop-by-hop (8 bytes) then a first fragment header (offset 0, M=1).
        final byte[] tcp = new byte[20];
        tcp[0] = 0x03;
        tcp[1] = (byte) 0xE8;
        tcp[3] = 80;
        tcp[12] = 0x50;
        final byte[] l4 = new byte[8 + 8 + tcp.length];
        l4[0] = 44; // hop-by-hop: next = fragment
        l4[8] = 6; // fragment: next = TCP
        l4[11] = 1; // offset 0, more fragments
        System.arraycopy(tcp, 0, l4, 16, tcp.length);
        assertThat(decode(builder.ip(a, b, 0, l4, -1), LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        DecodedPacket d = decoder.decoded();
        assertThat(d.ipProtocol()).isEqualTo(6);
        assertThat(d.isFragment()).isTrue();
        assertThat(d.isLaterFragment()).isFalse();
        assertThat(d.sourcePort()).isEqualTo(1000);
        assertThat(d.destinationPort()).isEqualTo(80);
        // A later fragment (offset 8 units): no transport header.
        final byte[] later = new byte[8 + 16];
        later[0] = 6;
        later[2] = 0;
        later[3] = 8 << 3;
        assertThat(decode(builder.ip(a, b, 44, later, -1), LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        d = decoder.decoded();
        assertThat(d.isLaterFragment()).isTrue();
        assertThat(d.transportOffset()).isEqualTo(-1);
        assertThat(d.payloadLength()).isEqualTo(16);
    }

    @Test
    void ipv4LaterFragmentHasNoPorts() {
        final byte[] frame = builder.udp(client, server, new byte[40]);
        frame[14 + 6] = 0x00;
        frame[14 + 7] = 0x10; // fragment offset 16 * 8 bytes
        assertThat(decode(frame, LinkType.ETHERNET)).isEqualTo(DecodeResult.OK);
        assertThat(decoder.decoded().isLaterFragment()).isTrue();
        assertThat(decoder.decoded().sourcePort()).isZero();
    }

    @Test
    void otherLinkTypes() {
        final byte[] frame = builder.udp(client, server, new byte[4]);
        final byte[] ip = Arrays.copyOfRange(frame, 14, frame.length);
        assertThat(decode(ip, LinkType.RAW)).isEqualTo(DecodeResult.OK);
        assertThat(decode(ip, LinkType.IPV4)).isEqualTo(DecodeResult.OK);
        final byte[] loopback = new byte[4 + ip.length];
        loopback[0] = 2; // AF_INET, little-endian host order
        System.arraycopy(ip, 0, loopback, 4, ip.length);
        assertThat(decode(loopback, LinkType.NULL)).isEqualTo(DecodeResult.OK);
        loopback[0] = 0;
        loopback[3] = 2; // network order (OpenBSD LOOP)
        assertThat(decode(loopback, LinkType.LOOP)).isEqualTo(DecodeResult.OK);
        final byte[] sll = new byte[16 + ip.length];
        sll[14] = 0x08;
        System.arraycopy(ip, 0, sll, 16, ip.length);
        assertThat(decode(sll, LinkType.LINUX_SLL)).isEqualTo(DecodeResult.OK);
        assertThat(decoder.decoded().layerProtocol(0)).isEqualTo(Protocol.LINUX_SLL);
        assertThat(decoder.decoded().destinationPort()).isEqualTo(22);
        assertThat(decode(ip, 147)).isEqualTo(DecodeResult.UNSUPPORTED_LINK_TYPE);
    }

    @Test
    void malformedHeadersAreNamedNotThrown() {
        final byte[] frame = builder.tcp(client, server, 1, 1, PacketBuilder.TCP_ACK);
        assertThat(decode(Arrays.copyOf(frame, 10), LinkType.ETHERNET)).isEqualTo(DecodeResult.TRUNCATED_LINK_HEADER);
        assertThat(decode(Arrays.copyOf(frame, 30), LinkType.ETHERNET)).isEqualTo(DecodeResult.TRUNCATED_IP_HEADER);
        assertThat(decode(Arrays.copyOf(frame, 40), LinkType.ETHERNET)).isEqualTo(DecodeResult.TRUNCATED_TCP_HEADER);
        final byte[] badVersion = frame.clone();
        badVersion[14] = 0x55;
        assertThat(decode(badVersion, LinkType.ETHERNET)).isEqualTo(DecodeResult.BAD_IP_VERSION);
        final byte[] badIhl = frame.clone();
        badIhl[14] = 0x43;
        assertThat(decode(badIhl, LinkType.ETHERNET)).isEqualTo(DecodeResult.BAD_IP_HEADER_LENGTH);
        final byte[] badTotal = frame.clone();
        badTotal[16] = 0;
        badTotal[17] = 10;
        assertThat(decode(badTotal, LinkType.ETHERNET)).isEqualTo(DecodeResult.BAD_IP_TOTAL_LENGTH);
        final byte[] badTcp = frame.clone();
        badTcp[14 + 20 + 12] = 0x20;
        assertThat(decode(badTcp, LinkType.ETHERNET)).isEqualTo(DecodeResult.BAD_TCP_HEADER_LENGTH);
        final byte[] arp = frame.clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThat(decode(arp, LinkType.ETHERNET)).isEqualTo(DecodeResult.NOT_IP);
        final byte[] tags = new byte[14 + 5 * 4];
        tags[12] = (byte) 0x81;
        for (int i = 0; i < 5; i++) {
            tags[14 + i * 4 + 2] = (byte) 0x81;
        }
        assertThat(decode(tags, LinkType.ETHERNET)).isEqualTo(DecodeResult.TOO_MANY_VLAN_TAGS);
        assertThat(DecodeResult.TRUNCATED_TCP_HEADER.isError()).isTrue();
        assertThat(DecodeResult.NOT_IP.isError()).isFalse();
    }

    @Test
    void guidsAreTrisulsAndCaseInsensitive() {
        assertThat(Protocol.byGuid("{77e462ab-2e42-42ec-9a58-c1a6821d6b31}")).isEqualTo(Protocol.TCP);
        assertThat(Protocol.byGuid("0A2C724B-5B9F-4ba6-9C97-B05080558574")).isEqualTo(Protocol.IPV4);
        assertThat(Protocol.guid(Protocol.ETHERNET)).isEqualTo("{974FB098-DE46-45db-94DA-8D64A3BBCDE5}");
        assertThat(Protocol.byGuid("{00000000-0000-0000-0000-000000000000}")).isEqualTo(-1);
    }
}

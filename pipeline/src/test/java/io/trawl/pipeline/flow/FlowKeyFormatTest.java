package io.trawl.pipeline.flow;

import io.trawl.capture.LinkType;
import io.trawl.capture.PacketView;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.pipeline.decode.DecodeResult;
import io.trawl.pipeline.decode.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class FlowKeyFormatTest {
    @Test
    void parsesWhatItWrites() {
        final FlowKeyFormat.ParsedKey k = new FlowKeyFormat.ParsedKey();
        assertThat(FlowKeyFormat.parse("06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016", k)).isTrue();
        assertThat(k.ipVersion).isEqualTo(4);
        assertThat(k.protocol).isEqualTo(6);
        assertThat(k.addressALow).isEqualTo(0xC0A80102L);
        assertThat(k.portA).isEqualTo(2964);
        assertThat(k.addressZLow).isEqualTo(0xD1D8F93AL);
        assertThat(k.portZ).isEqualTo(22);
        assertThat(FlowKeyFormat.parse("11b:20010db8000000000000000000000001:p-cf08_20010DB8000000000001000000000002:p-0035", k))
            .isTrue();
        assertThat(k.ipVersion).isEqualTo(6);
        assertThat(k.addressAHigh).isEqualTo(0x20010DB800000000L);
        assertThat(k.addressALow).isEqualTo(1L);
        assertThat(k.addressZLow).isEqualTo(0x0001000000000002L);
        assertThat(k.portA).isEqualTo(53000);
        final StringBuilder readable = FlowKeyFormat.appendReadableAddress(new StringBuilder(), 6, k.addressZHigh, k.addressZLow);
        assertThat(readable).hasToString("2001:db8::1:0:0:2");
    }

    @Test
    void rejectsMalformedKeys() {
        final FlowKeyFormat.ParsedKey k = new FlowKeyFormat.ParsedKey();
        for (final String bad : new String[] {"", "06A", "06C:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016",
            "06A:C0.A8.01.02:p-0B94-D1.D8.F9.3A:p-0016", "06A:C0.A8.01.0G:p-0B94_D1.D8.F9.3A:p-0016",
            "06A:C0.A8.01.02:x-0B94_D1.D8.F9.3A:p-0016", "06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-00161",
            "0GA:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016"}) {
            assertThat(FlowKeyFormat.parse(bad, k)).as(bad).isFalse();
        }
    }

    @Test
    void bytesWrittenEqualTheAppendedText() {
        final FlowTable table = new FlowTable(1024, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4,
            (t, flow, reason) -> { });
        final PacketBuilder builder = new PacketBuilder();
        final PacketDecoder decoder = new PacketDecoder();
        final Endpoint[][] pairs = {
            {Endpoint.of("192.168.1.2", 2964), Endpoint.of("209.216.249.58", 22)},
            {Endpoint.of("0.0.0.0", 0), Endpoint.of("255.255.255.255", 0)},
            {Endpoint.of("10.0.0.10", 65535), Endpoint.of("100.99.98.97", 9)},
            {Endpoint.of("2001:db8::1", 53000), Endpoint.of("2001:db8::1:0:0:2", 53)},
            {Endpoint.of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1), Endpoint.of("::", 1)}};
        final byte[] out = new byte[FlowKeyFormat.MAX_KEY_LENGTH + 1];
        for (int i = 0; i < pairs.length; i++) {
            final byte[] frame = i % 2 == 0 ? builder.tcp(pairs[i][0], pairs[i][1], 1, 0, PacketBuilder.TCP_SYN)
                : builder.udp(pairs[i][0], pairs[i][1], new byte[4]);
            final MemorySegment memory = Arena.ofAuto().allocate(frame.length);
            MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, 0, frame.length);
            assertThat(decoder.decode(new PacketView().wrap(memory, 0, frame.length, frame.length, 1, LinkType.ETHERNET)))
                .isEqualTo(DecodeResult.OK);
            final int flow = table.track(decoder.decoded(), 1, frame.length);
            final String expected = FlowKeyFormat.key(table, flow);
            final int end = FlowKeyFormat.writeKey(out, 1, table, flow);
            assertThat(new String(out, 1, end - 1, StandardCharsets.US_ASCII)).isEqualTo(expected);
        }
        for (final long address : new long[] {0, 0xFFFFFFFFL, 0x0A000001L, 0x7F00000AL, 0x09636465L, 0xC0A80102L}) {
            final int end = FlowKeyFormat.writeReadableIpv4(out, 0, address);
            assertThat(new String(out, 0, end, StandardCharsets.US_ASCII))
                .isEqualTo(FlowKeyFormat.appendReadableAddress(new StringBuilder(), 4, 0, address).toString());
        }
    }
}

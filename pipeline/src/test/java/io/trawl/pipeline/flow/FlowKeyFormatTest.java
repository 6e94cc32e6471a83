package io.trawl.pipeline.flow;

import org.junit.jupiter.api.Test;

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
}

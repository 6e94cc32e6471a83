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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FlowTableTest {
    private static final long SECOND = 1_000_000_000L;

    private final PacketDecoder decoder = new PacketDecoder();
    private final PacketBuilder builder = new PacketBuilder();
    private final List<String> ended = new ArrayList<>();
    private final FlowListener listener = (table, flow, reason) ->
        ended.add(FlowKeyFormat.key(table, flow) + " " + reason + " " + table.packetsAToZ(flow) + "/" + table.packetsZToA(flow));

    private int track(final FlowTable table, final byte[] frame, final long ts) {
        final MemorySegment memory = Arena.ofAuto().allocate(frame.length);
        MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, 0, frame.length);
        assertThat(decoder.decode(new PacketView().wrap(memory, 0, frame.length, frame.length, ts, LinkType.ETHERNET)))
            .isEqualTo(DecodeResult.OK);
        return table.track(decoder.decoded(), ts, frame.length);
    }

    private FlowTable table(final int capacity) {
        return new FlowTable(capacity, 300 * SECOND, 60 * SECOND, 60 * SECOND, 30 * SECOND, listener);
    }

    @Test
    void contractExampleKeyAndBothDirectionsShareAFlow() {
        final FlowTable table = table(1024);
        final Endpoint client = Endpoint.of("192.168.1.2", 2964);
        final Endpoint server = Endpoint.of("209.216.249.58", 22);
        final int out = track(table, builder.tcp(client, server, 1, 0, PacketBuilder.TCP_SYN), SECOND);
        assertThat(table.lastCreated()).isTrue();
        assertThat(table.lastDirection()).isEqualTo(FlowTable.A_TO_Z);
        final int back = track(table, builder.tcp(server, client, 1, 2, PacketBuilder.TCP_SYN | PacketBuilder.TCP_ACK), 2 * SECOND);
        assertThat(back).isEqualTo(out);
        assertThat(table.lastCreated()).isFalse();
        assertThat(table.lastDirection()).isEqualTo(FlowTable.Z_TO_A);
        assertThat(FlowKeyFormat.key(table, out)).isEqualTo("06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016");
        assertThat(table.packetsAToZ(out)).isEqualTo(1);
        assertThat(table.packetsZToA(out)).isEqualTo(1);
        assertThat(table.clientIsZ(out)).isFalse();
        assertThat(table.firstSeenNanos(out)).isEqualTo(SECOND);
        assertThat(table.lastSeenNanos(out)).isEqualTo(2 * SECOND);
    }

    @Test
    void theLastFlowShortcutNeverLeadsToAnEndedFlowWhoseHandleWasReused() {
        final FlowTable table = table(1024);
        final Endpoint client = Endpoint.of("10.0.0.1", 40000);
        final Endpoint other = Endpoint.of("10.0.0.2", 40001);
        final Endpoint server = Endpoint.of("10.0.0.9", 53);
        final int first = track(table, builder.udp(client, server, new byte[4]), SECOND);
        assertThat(track(table, builder.udp(server, client, new byte[4]), SECOND + 1)).as("a train of one flow").isEqualTo(first);
        table.terminate(first);
        // the same key right after its flow ended: a new flow (the ended one's record still holds the key)
        final int reopened = track(table, builder.udp(client, server, new byte[4]), SECOND + 2);
        assertThat(table.lastCreated()).isTrue();
        assertThat(table.isLive(reopened)).isTrue();
        assertThat(table.packetsAToZ(reopened)).isEqualTo(1);
        table.terminate(reopened);
        // the ended flow's handle goes to the next new key: its packet must not be counted in the old flow
        final int second = track(table, builder.udp(other, server, new byte[4]), 2 * SECOND);
        assertThat(second).isEqualTo(first);
        assertThat(table.lastCreated()).isTrue();
        assertThat(table.packetsAToZ(second)).isEqualTo(1);
        assertThat(table.packetsZToA(second)).isZero();
        // and the first key, seen again, is a new flow, not the reused handle
        final int again = track(table, builder.udp(client, server, new byte[4]), 3 * SECOND);
        assertThat(again).isNotEqualTo(second);
        assertThat(table.lastCreated()).isTrue();
        assertThat(track(table, builder.udp(other, server, new byte[4]), 3 * SECOND + 1)).isEqualTo(second);
        assertThat(table.packetsAToZ(second)).isEqualTo(2);
        assertThat(ended).containsExactly("11A:0A.00.00.01:p-9C40_0A.00.00.09:p-0035 TERMINATED 1/1",
            "11A:0A.00.00.01:p-9C40_0A.00.00.09:p-0035 TERMINATED 1/0");
    }

    @Test
    void ipv6KeysAndReadableAddresses() {
        final FlowTable table = table(1024);
        final Endpoint a = Endpoint.of("2001:db8::10", 49152);
        final Endpoint z = Endpoint.of("2001:db8:1::80", 80);
        final int flow = track(table, builder.tcp(z, a, 1, 0, PacketBuilder.TCP_ACK), SECOND);
        assertThat(FlowKeyFormat.key(table, flow)).isEqualTo(
            "06B:20010DB8000000000000000000000010:p-C000_20010DB8000100000000000000000080:p-0050");
        final StringBuilder readable = new StringBuilder();
        FlowKeyFormat.appendReadableAddress(readable, 6, table.addressZHigh(flow), table.addressZLow(flow));
        assertThat(readable.toString()).isEqualTo("2001:db8:1::80");
        readable.setLength(0);
        FlowKeyFormat.appendReadableAddress(readable, 6, 0, 1);
        assertThat(readable.toString()).isEqualTo("::1");
        readable.setLength(0);
        FlowKeyFormat.appendReadableAddress(readable, 6, 0x20010DB800000001L, 0x0000000000000001L);
        assertThat(readable.toString()).isEqualTo("2001:db8:0:1::1");
        readable.setLength(0);
        FlowKeyFormat.appendReadableAddress(readable, 4, 0, 0xC0A80102L);
        assertThat(readable.toString()).isEqualTo("192.168.1.2");
    }

    @Test
    void equalPortsAndIcmpOrderByAddress() {
        final FlowTable table = table(1024);
        final int flow = track(table, builder.echo(Endpoint.of("10.0.0.9", 0), Endpoint.of("10.0.0.1", 0), false, 1, 1, new byte[4]), SECOND);
        assertThat(FlowKeyFormat.key(table, flow)).isEqualTo("01A:0A.00.00.09:p-0000_0A.00.00.01:p-0000");
        final int ntp = track(table, builder.udp(Endpoint.of("10.0.0.1", 123), Endpoint.of("10.0.0.9", 123), new byte[48]), SECOND);
        assertThat(FlowKeyFormat.key(table, ntp)).isEqualTo("11A:0A.00.00.09:p-007B_0A.00.00.01:p-007B");
        assertThat(table.lastDirection()).isEqualTo(FlowTable.Z_TO_A);
    }

    @Test
    void idleFlowsEndByTimeoutOrOnTheirNextPacket() {
        final FlowTable table = table(1024);
        final Endpoint c = Endpoint.of("10.0.0.2", 5000);
        final Endpoint s = Endpoint.of("10.0.0.3", 53);
        final int first = track(table, builder.udp(c, s, new byte[4]), SECOND);
        final long serial = table.serial(first);
        // 61 s later (UDP timeout 60 s): the old flow ends, a new one starts, with no sweep in between.
        final int second = track(table, builder.udp(c, s, new byte[4]), 62 * SECOND);
        assertThat(table.lastCreated()).isTrue();
        assertThat(table.serial(second)).isNotEqualTo(serial);
        assertThat(ended).containsExactly("11A:0A.00.00.02:p-1388_0A.00.00.03:p-0035 IDLE 1/0");
        assertThat(table.expireIdle(100 * SECOND)).isZero();
        assertThat(table.expireIdle(123 * SECOND)).isEqualTo(1);
        assertThat(table.size()).isZero();
    }

    @Test
    void closedTcpFlowsLingerAndANewSynStartsANewFlow() {
        final FlowTable table = table(1024);
        final Endpoint c = Endpoint.of("10.0.0.2", 40000);
        final Endpoint s = Endpoint.of("10.0.0.3", 80);
        track(table, builder.tcp(c, s, 1, 0, PacketBuilder.TCP_SYN), SECOND);
        track(table, builder.tcp(s, c, 1, 2, PacketBuilder.TCP_RST | PacketBuilder.TCP_ACK), SECOND);
        track(table, builder.tcp(c, s, 5, 0, PacketBuilder.TCP_ACK), 2 * SECOND); // late segment: same flow
        assertThat(ended).isEmpty();
        track(table, builder.tcp(c, s, 9, 0, PacketBuilder.TCP_SYN), 3 * SECOND); // port reuse
        assertThat(ended).containsExactly("06A:0A.00.00.02:p-9C40_0A.00.00.03:p-0050 TCP_CLOSED 2/1");
        table.endAll(3 * SECOND);
        assertThat(ended).hasSize(2).last().asString().endsWith("END_OF_INPUT 1/0");
    }

    @Test
    void fullTableCountsInsteadOfGrowing() {
        final FlowTable table = table(1024);
        for (int i = 0; i < 1100; i++) {
            track(table, builder.udp(Endpoint.of("10.1.0.1", 1024 + i), Endpoint.of("10.2.0.1", 53), new byte[1]), SECOND);
        }
        assertThat(table.size()).isEqualTo(1024);
        assertThat(table.tableFullDrops()).isEqualTo(76);
    }

    @Test
    void indexStaysConsistentUnderRandomChurn() {
        final FlowTable table = new FlowTable(4096, SECOND, SECOND, SECOND, SECOND, listener);
        final Random random = new Random(42);
        final Map<Integer, Integer> flowsByPort = new HashMap<>();
        long clock = SECOND;
        for (int round = 0; round < 40_000; round++) {
            final int port = 1024 + random.nextInt(6000);
            clock += 1_000_000L;
            final int flow = track(table, builder.udp(Endpoint.of("10.9.0.1", port), Endpoint.of("10.9.0.2", 7), new byte[1]), clock);
            final Integer known = flowsByPort.get(port);
            if (!table.lastCreated()) {
                assertThat(known).isEqualTo(flow);
            }
            flowsByPort.put(port, flow);
            if (round % 500 == 0) {
                table.expireIdle(clock);
                flowsByPort.entrySet().removeIf(e -> !table.isLive(e.getValue()));
            }
        }
        assertThat(table.size()).isLessThanOrEqualTo(4096);
        assertThat(table.created()).isGreaterThan(6000);
    }

    @Test
    void symmetricHashIsTheSameForBothDirections() {
        final FlowTable table = table(1024);
        final Endpoint c = Endpoint.of("172.16.0.5", 33333);
        final Endpoint s = Endpoint.of("8.8.4.4", 443);
        final MemorySegment m1 = Arena.ofAuto().allocate(128);
        final byte[] there = builder.tcp(c, s, 1, 1, PacketBuilder.TCP_ACK);
        final byte[] back = builder.tcp(s, c, 1, 1, PacketBuilder.TCP_ACK);
        MemorySegment.copy(there, 0, m1, ValueLayout.JAVA_BYTE, 0, there.length);
        decoder.decode(new PacketView().wrap(m1, 0, there.length, there.length, 0, LinkType.ETHERNET));
        final int h1 = table.symmetricHash(decoder.decoded());
        MemorySegment.copy(back, 0, m1, ValueLayout.JAVA_BYTE, 0, back.length);
        decoder.decode(new PacketView().wrap(m1, 0, back.length, back.length, 0, LinkType.ETHERNET));
        assertThat(table.symmetricHash(decoder.decoded())).isEqualTo(h1);
    }
}

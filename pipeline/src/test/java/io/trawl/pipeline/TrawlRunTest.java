package io.trawl.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trawl.config.Setting;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class TrawlRunTest {
    private static final Map<Setting<?>, Object> NO_TIMEOUTS = Map.of(
        TrawlSettings.FLOW_TIMEOUT_TCP, 1e7, TrawlSettings.FLOW_TIMEOUT_UDP, 1e7, TrawlSettings.FLOW_TIMEOUT_OTHER, 1e7);

    @TempDir
    Path temp;

    private static Map<String, String> flowsByIdentity(final List<JsonNode> flows) {
        final Map<String, String> out = new TreeMap<>();
        for (final JsonNode flow : flows) {
            final ObjectNode copy = flow.deepCopy();
            copy.remove("pipeline");
            out.merge(flow.get("flow").asText() + "@" + flow.get("first_ts").asText(), copy.toString(), (a, b) -> a + "|" + b);
        }
        return out;
    }

    @Test
    void onePipelineAndTwoPipelinesGiveIdenticalTotalsAndFlows() {
        final String source = "pcap:" + SharedCorpus.sixteenMinutes();
        final RunFixture.Output one = RunFixture.run(source, 1, temp.resolve("one"));
        final RunFixture.Output two = RunFixture.run(source, 2, temp.resolve("two"));
        for (final String key : List.of("packets", "bytes", "flows", "decode_errors")) {
            assertThat(two.summary().get(key)).as(key).isEqualTo(one.summary().get(key));
        }
        assertThat(one.summary().get("packets").asLong()).isEqualTo(7000);
        assertThat(one.summary().get("bytes").asLong()).isEqualTo(1_819_784);
        assertThat(two.summary().get("pipelines").asInt()).isEqualTo(2);
        assertThat(two.summary().get("per_pipeline").get(0).get("packets").asLong()).isPositive();
        assertThat(two.summary().get("per_pipeline").get(1).get("packets").asLong()).isPositive();
        assertThat(one.flows()).hasSize(one.summary().get("flows").asInt());
        assertThat(flowsByIdentity(two.flows())).isEqualTo(flowsByIdentity(one.flows()));
        assertThat(one.result().failed()).isFalse();
    }

    @Test
    void handCheckedFlowKeysOfSixteenMinutes() {
        final RunFixture.Output run = RunFixture.run("pcap:" + SharedCorpus.sixteenMinutes(), 1, temp.resolve("keys"), NO_TIMEOUTS, List.of());
        final Map<String, JsonNode> byKey = new HashMap<>();
        run.flows().forEach(f -> byKey.putIfAbsent(f.get("flow").asText(), f));
        // tshark conv,tcp: 206.48.44.18:1083 <-> 172.16.112.100:139, 617 frames <-, 618 frames ->
        // 206=CE 48=30 44=2C 18=12, port 1083=043B; 172=AC 16=10 112=70 100=64, port 139=008B
        final JsonNode netbios = byKey.get("06A:CE.30.2C.12:p-043B_AC.10.70.64:p-008B");
        assertThat(netbios).isNotNull();
        assertThat(netbios.get("packets_az").asLong()).isEqualTo(618);
        assertThat(netbios.get("packets_za").asLong()).isEqualTo(617);
        assertThat(netbios.get("a").asText()).isEqualTo("206.48.44.18");
        assertThat(netbios.get("z_port").asInt()).isEqualTo(139);
        // 172.16.113.105:2319 <-> 207.25.71.5:80 (HTTP): Z is the server (lower port)
        assertThat(byKey).containsKey("06A:AC.10.71.69:p-090F_CF.19.47.05:p-0050");
    }

    /** tshark's conversation table: "a:pa b:pb" (as tshark orders them) → frames a→b, frames b→a. */
    private static Map<String, long[]> tsharkConversations(final Path capture, final String protocol) {
        final String text = ExternalTool.run("tshark", "-n", "-r", capture.toString(), "-q", "-z", "conv," + protocol);
        final Map<String, long[]> out = new HashMap<>();
        for (final String line : text.split("\n")) {
            if (!line.contains("<->")) {
                continue;
            }
            final String[] t = line.trim().split("\\s+");
            // a <-> b framesBA bytesBA unit framesAB bytesAB unit ...
            out.put(t[0] + " " + t[2], new long[] {Long.parseLong(t[6]), Long.parseLong(t[3])});
        }
        return out;
    }

    @Test
    void tcpAndUdpFlowsMatchTsharkConversations() {
        final Path capture = SharedCorpus.sixteenMinutes();
        ExternalTool.require("tshark", "tshark");
        final RunFixture.Output run = RunFixture.run("pcap:" + capture, 2, temp.resolve("conv"), NO_TIMEOUTS, List.of());
        for (final int protocol : new int[] {6, 17}) {
            final Map<String, long[]> tshark = tsharkConversations(capture, protocol == 6 ? "tcp" : "udp");
            // trawl splits a conversation into flows when a new SYN reuses a closed connection's ports;
            // tshark keeps one conversation per address/port pair: compare per pair.
            final Map<String, long[]> trawl = new HashMap<>();
            for (final JsonNode flow : run.flows()) {
                if (flow.get("protocol").asInt() != protocol) {
                    continue;
                }
                final String a = flow.get("a").asText() + ":" + flow.get("a_port").asText();
                final String z = flow.get("z").asText() + ":" + flow.get("z_port").asText();
                final long az = flow.get("packets_az").asLong();
                final long za = flow.get("packets_za").asLong();
                final String key = tshark.containsKey(a + " " + z) ? a + " " + z : z + " " + a;
                final boolean aFirst = key.startsWith(a + " ");
                trawl.merge(key, aFirst ? new long[] {az, za} : new long[] {za, az}, (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
            }
            assertThat(trawl.keySet()).as("protocol %d conversations", protocol).isEqualTo(tshark.keySet());
            for (final Map.Entry<String, long[]> entry : tshark.entrySet()) {
                assertThat(trawl.get(entry.getKey())).as(entry.getKey()).containsExactly(entry.getValue());
            }
        }
        assertThat(tsharkConversations(capture, "tcp")).hasSize(293);
        assertThat(tsharkConversations(capture, "udp")).hasSize(12);
    }

    @Test
    void packetLimitStopsExactly() {
        final RunFixture.Output run = RunFixture.run("pcap:" + SharedCorpus.sixteenMinutes(), 2, temp.resolve("count"),
            Map.of(TrawlSettings.COUNT, 1234L), List.of());
        assertThat(run.summary().get("packets").asLong()).isEqualTo(1234);
        assertThat(run.summary().get("status").asText()).isEqualTo("completed");
    }

    @Test
    void flowsAreCountedAlikeBelowAndAboveTheFlowCountFromWhichPacketsAreBatched() {
        // 3 x BATCH_FROM_FLOWS UDP flows opened one after another, then a second round of packets over all of
        // them: the first flows' packets go one at a time, later ones in batches (the table is large by then).
        final int flowCount = 3 * Pipeline.BATCH_FROM_FLOWS;
        final Path capture = temp.resolve("many-flows.pcap");
        final io.trawl.capture.synthetic.PacketBuilder builder = new io.trawl.capture.synthetic.PacketBuilder();
        final Map<String, long[]> expected = new HashMap<>();
        try (io.trawl.capture.synthetic.PcapWriter writer = io.trawl.capture.synthetic.PcapWriter.ethernet(capture)) {
            long ts = 1_700_000_000_000_000_000L;
            for (int round = 0; round < 2; round++) {
                for (int f = 0; f < flowCount; f++) {
                    final String clientAddress = "10.1." + (f >>> 8) + "." + (f & 0xFF);
                    final int clientPort = 20000 + (f % 7);
                    final io.trawl.capture.synthetic.Endpoint client = io.trawl.capture.synthetic.Endpoint.of(clientAddress, clientPort);
                    final io.trawl.capture.synthetic.Endpoint server = io.trawl.capture.synthetic.Endpoint.of("192.168.7.1", 53);
                    final int requests = 1 + (f % 3);
                    for (int r = 0; r < requests; r++) {
                        final byte[] query = builder.udp(client, server, new byte[10 + r]);
                        writer.write(ts += 1000, query, 0, query.length);
                    }
                    final byte[] answer = builder.udp(server, client, new byte[40]);
                    if (round == 1) {
                        writer.write(ts += 1000, answer, 0, answer.length);
                    }
                    final long[] counts = expected.computeIfAbsent(clientAddress + ":" + clientPort, k -> new long[2]);
                    counts[0] += requests;
                    counts[1] += round == 1 ? 1 : 0;
                }
            }
        }
        final RunFixture.Output one = RunFixture.run("pcap:" + capture, 1, temp.resolve("batched-1"), NO_TIMEOUTS, List.of());
        final RunFixture.Output two = RunFixture.run("pcap:" + capture, 2, temp.resolve("batched-2"), NO_TIMEOUTS, List.of());
        assertThat(one.summary().get("flows").asInt()).isEqualTo(flowCount);
        assertThat(one.flows()).hasSize(flowCount);
        for (final JsonNode flow : one.flows()) {
            // the client has the higher port: it is the A end
            final long[] counts = expected.get(flow.get("a").asText() + ":" + flow.get("a_port").asInt());
            assertThat(counts).as(flow.toString()).isNotNull();
            assertThat(flow.get("packets_az").asLong()).as(flow.toString()).isEqualTo(counts[0]);
            assertThat(flow.get("packets_za").asLong()).as(flow.toString()).isEqualTo(counts[1]);
        }
        assertThat(flowsByIdentity(two.flows())).isEqualTo(flowsByIdentity(one.flows()));
    }
}

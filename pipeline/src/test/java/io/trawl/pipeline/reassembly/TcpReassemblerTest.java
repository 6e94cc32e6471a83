package io.trawl.pipeline.reassembly;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PacketSink;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.capture.synthetic.SyntheticClock;
import io.trawl.capture.synthetic.TcpConversation;
import io.trawl.capture.synthetic.TcpConversation.Segment;
import io.trawl.config.Setting;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.RunFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class TcpReassemblerTest {
    @TempDir
    Path temp;

    private final Endpoint client = Endpoint.of("10.1.1.1", 40000);
    private final Endpoint server = Endpoint.of("10.2.2.2", 80);

    private static byte[] content(final int size, final long seed) {
        final byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    private record Result(Map<String, RecordingStreams.Stream> streams, JsonNode reassembly) {
        RecordingStreams.Stream only(final String direction) {
            final List<RecordingStreams.Stream> matching = streams.entrySet().stream()
                .filter(e -> e.getKey().endsWith(direction)).map(Map.Entry::getValue).toList();
            assertThat(matching).hasSize(1);
            return matching.getFirst();
        }
    }

    private Result run(final Consumer<TcpConversation> script, final long clientIsn, final long serverIsn,
                       final Map<Setting<?>, Object> settings, final int pipelines) {
        final Path pcap = temp.resolve("c" + System.nanoTime() + ".pcap");
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            final TcpConversation tcp = new TcpConversation(PacketSink.of(writer), new PacketBuilder(), client, server,
                new SyntheticClock(1_700_000_000_000_000_000L, 1_000_000), clientIsn, serverIsn);
            script.accept(tcp);
        }
        final Map<String, RecordingStreams.Stream> shared = RecordingStreams.sharedMap();
        final RunFixture.Output out = RunFixture.run("pcap:" + pcap, pipelines, temp.resolve("o" + System.nanoTime()), settings,
            List.of(new ReassemblyStage.Factory(p -> List.of(new RecordingStreams(p, shared)))));
        return new Result(shared, out.summary().get("reassembly"));
    }

    private Result run(final Consumer<TcpConversation> script) {
        return run(script, 1000, 5000, Map.of(), 1);
    }

    private static final byte[] REQUEST = "GET /file HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();

    @Test
    void inOrderStreamsInBothDirections() {
        final byte[] body = content(100_000, 1);
        final Result r = run(tcp -> tcp.handshake().send(true, REQUEST).send(false, body).close());
        assertThat(r.only("c2s").bytes.toByteArray()).isEqualTo(REQUEST);
        assertThat(r.only("s2c").bytes.toByteArray()).isEqualTo(body);
        assertThat(r.only("s2c").complete).isTrue();
        assertThat(r.only("s2c").offsetsContiguous).isTrue();
        assertThat(r.reassembly().get("bytes").asLong()).isEqualTo(body.length + REQUEST.length);
        assertThat(r.reassembly().get("gaps").asLong()).isZero();
        assertThat(r.reassembly().get("flows").asLong()).isEqualTo(1);
    }

    @Test
    void outOfOrderSegmentsAreBufferedAndDeliveredInOrder() {
        final byte[] body = content(60_000, 2);
        final Result r = run(tcp -> {
            tcp.handshake().send(true, REQUEST);
            final List<Segment> segments = new ArrayList<>(tcp.segments(body));
            Collections.shuffle(segments, new Random(3));
            tcp.sendSegments(false, segments).close();
        });
        assertThat(r.only("s2c").bytes.toByteArray()).isEqualTo(body);
        assertThat(r.only("s2c").complete).isTrue();
        assertThat(r.reassembly().get("out_of_order").asLong()).isPositive();
        assertThat(r.reassembly().get("gaps").asLong()).isZero();
    }

    @Test
    void retransmissionsAndOverlapsResolveOnceAndConflictsAreCounted() {
        final byte[] body = content(10_000, 4);
        final Result r = run(tcp -> {
            tcp.handshake().send(true, REQUEST);
            final List<Segment> segments = new ArrayList<>();
            segments.add(new Segment(0, slice(body, 0, 3000)));
            segments.add(new Segment(0, slice(body, 0, 3000)));          // retransmission
            segments.add(new Segment(5000, slice(body, 5000, 5000)));     // ahead of a hole
            final byte[] forged = slice(body, 6000, 1000);
            forged[10] ^= 0x55;
            segments.add(new Segment(6000, forged));                      // overlaps buffered bytes, differs
            segments.add(new Segment(2000, slice(body, 2000, 3500)));     // overlaps delivered and buffered bytes
            tcp.sendSegments(false, segments).close();
        });
        assertThat(r.only("s2c").bytes.toByteArray()).as("first-seen bytes win").isEqualTo(body);
        assertThat(r.reassembly().get("overlaps").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(r.reassembly().get("overlap_conflicts").asLong()).isEqualTo(1);
        assertThat(r.reassembly().get("gaps").asLong()).isZero();
    }

    private static byte[] slice(final byte[] data, final int from, final int length) {
        final byte[] out = new byte[length];
        System.arraycopy(data, from, out, 0, length);
        return out;
    }

    @Test
    void aMissingSegmentBecomesAGapWithItsSize() {
        final byte[] body = content(20_000, 5);
        final Result r = run(tcp -> {
            tcp.handshake().send(true, REQUEST);
            final List<Segment> segments = new ArrayList<>(tcp.segments(body));
            segments.remove(3); // bytes 4380..5840 never sent
            tcp.sendSegments(false, segments).close();
        });
        final RecordingStreams.Stream stream = r.only("s2c");
        assertThat(stream.gaps).hasSize(1);
        assertThat(stream.gaps.getFirst()).containsExactly(3 * 1460L, 1460L);
        final byte[] expected = body.clone();
        java.util.Arrays.fill(expected, 3 * 1460, 4 * 1460, (byte) 0);
        assertThat(stream.bytes.toByteArray()).isEqualTo(expected);
        assertThat(stream.complete).isFalse();
        assertThat(r.reassembly().get("gaps").asLong()).isEqualTo(1);
        assertThat(r.reassembly().get("gap_bytes").asLong()).isEqualTo(1460);
    }

    @Test
    void sequenceNumbersWrapAround() {
        final byte[] body = content(200_000, 6);
        final Result r = run(tcp -> tcp.handshake().send(true, REQUEST).send(false, body).close(), 0xFFFF_FF00L, 0xFFFF_0000L,
            Map.of(), 1);
        assertThat(r.only("s2c").bytes.toByteArray()).isEqualTo(body);
        assertThat(r.only("c2s").bytes.toByteArray()).isEqualTo(REQUEST);
        assertThat(r.only("s2c").complete).isTrue();
    }

    @Test
    void theFlowCapTurnsHolesIntoCountedGapsNeverUnboundedGrowth() {
        final byte[] body = content(200_000, 7);
        final Result r = run(tcp -> {
            tcp.handshake().send(true, REQUEST);
            final List<Segment> segments = new ArrayList<>(tcp.segments(body));
            final Segment first = segments.removeFirst();
            segments.add(first); // the first segment comes last: everything else waits behind it
            tcp.sendSegments(false, segments).close();
        }, 1000, 5000, Map.of(TrawlSettings.REASSEMBLY_MEMCAP_FLOW, "16k"), 1);
        final RecordingStreams.Stream stream = r.only("s2c");
        assertThat(r.reassembly().get("memcap_drops_flow").asLong()).isPositive();
        assertThat(r.reassembly().get("buffered_peak_bytes").asLong()).isPositive().isLessThanOrEqualTo(16 * 1024);
        assertThat(r.reassembly().get("out_of_order").asLong()).isPositive();
        assertThat(stream.gaps).isNotEmpty();
        assertThat(stream.gaps.getFirst()[0]).isZero();
        assertThat(stream.offsetsContiguous).isTrue();
        assertThat(stream.bytes.size()).isEqualTo(body.length);
        // every byte after the forced gap is the right byte
        final byte[] delivered = stream.bytes.toByteArray();
        assertThat(java.util.Arrays.copyOfRange(delivered, 1460, body.length))
            .isEqualTo(java.util.Arrays.copyOfRange(body, 1460, body.length));
    }

    @Test
    void thePipelineCapBoundsTheStoreOverManyFlowsAndIsCounted() {
        final byte[] body = content(64_000, 8);
        final Path pcap = temp.resolve("many.pcap");
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            final SyntheticClock clock = new SyntheticClock(1_700_000_000_000_000_000L, 1_000);
            final List<TcpConversation> flows = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                flows.add(new TcpConversation(PacketSink.of(writer), new PacketBuilder(), client.withPort(20000 + i), server,
                    clock, 1000, 5000).handshake());
            }
            // every flow's first segment is held back until all 200 flows sent the rest: they buffer at once
            // (12.5 MB of segments against a 4 MB cap)
            final List<Segment> held = new ArrayList<>();
            for (final TcpConversation tcp : flows) {
                final List<Segment> segments = new ArrayList<>(tcp.segments(body));
                held.add(segments.removeFirst());
                tcp.sendSegments(false, segments);
            }
            for (int i = 0; i < flows.size(); i++) {
                // sendSegments counts offsets from the direction's next byte, which is now past the body
                final Segment first = held.get(i);
                flows.get(i).sendSegments(false, List.of(new Segment(first.offset() - body.length, first.data())));
            }
        }
        final RunFixture.Output out = RunFixture.run("pcap:" + pcap, 1, temp.resolve("many"),
            Map.of(TrawlSettings.REASSEMBLY_MEMCAP, "4m"), List.of(new ReassemblyStage.Factory(p -> List.<StreamConsumer>of((flow, fromClient, offset, memory, at, length, ts) -> {
            }))));
        final JsonNode reassembly = out.summary().get("reassembly");
        assertThat(reassembly.get("memcap_drops_global").asLong()).isPositive();
        assertThat(reassembly.get("store_bytes").asLong()).isPositive().isLessThanOrEqualTo(4L << 20);
        assertThat(reassembly.get("buffered_peak_bytes").asLong()).isPositive().isLessThanOrEqualTo(4L << 20);
    }

    @Test
    void aResetEndsBothStreamsIncomplete() {
        final byte[] body = content(30_000, 8);
        final Result r = run(tcp -> {
            tcp.handshake().send(true, REQUEST);
            tcp.sendSegments(false, tcp.segments(body).subList(0, 5));
            tcp.reset(false);
        });
        assertThat(r.only("s2c").bytes.size()).isEqualTo(5 * 1460);
        assertThat(r.only("s2c").complete).isFalse();
        assertThat(r.only("c2s").complete).isFalse();
    }

    @Test
    void aConnectionPickedUpMidstreamStartsAtTheFirstByteSeen() {
        // no FIN: the stream ends incomplete at the end of input
        final byte[] body = content(8_000, 9);
        final Path pcap = temp.resolve("mid.pcap");
        final PacketBuilder builder = new PacketBuilder();
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            long seq = 777_777;
            for (int at = 0; at < body.length; at += 1000) {
                writer.write(1_000_000_000L + at, builder.tcp(server, client, seq, 1, PacketBuilder.TCP_ACK, body, at, 1000), 0,
                    builder.tcp(server, client, seq, 1, PacketBuilder.TCP_ACK, body, at, 1000).length);
                seq += 1000;
            }
        }
        final Map<String, RecordingStreams.Stream> shared = RecordingStreams.sharedMap();
        RunFixture.run("pcap:" + pcap, 1, temp.resolve("mid"), Map.of(),
            List.of(new ReassemblyStage.Factory(p -> List.of(new RecordingStreams(p, shared)))));
        assertThat(shared).hasSize(1);
        final RecordingStreams.Stream stream = shared.values().iterator().next();
        assertThat(stream.bytes.toByteArray()).isEqualTo(body);
        assertThat(stream.complete).isFalse();
        assertThat(shared.keySet().iterator().next()).endsWith("s2c"); // server = lower port
    }

    @Test
    void twoPipelinesReassembleTheSame() {
        final byte[] body = content(50_000, 10);
        final Result one = run(tcp -> tcp.handshake().send(true, REQUEST).send(false, body).close(), 1, 2, Map.of(), 1);
        final Result two = run(tcp -> tcp.handshake().send(true, REQUEST).send(false, body).close(), 1, 2, Map.of(), 2);
        assertThat(two.only("s2c").bytes.toByteArray()).isEqualTo(one.only("s2c").bytes.toByteArray());
    }
}

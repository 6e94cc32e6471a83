package io.trawl.capture.pcap;

import io.trawl.capture.CaptureException;
import io.trawl.capture.LinkType;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapFileSourceTest {
    @TempDir
    Path temp;

    /** One delivered packet, copied for comparison. */
    record Packet(long timestampNanos, int captureLength, int wireLength, int linkType, byte[] bytes) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof Packet p && p.timestampNanos == timestampNanos && p.captureLength == captureLength
                && p.wireLength == wireLength && p.linkType == linkType && Arrays.equals(p.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    static List<Packet> readAll(final PcapFileSource source) {
        final List<Packet> packets = new ArrayList<>();
        final ReceiveQueue queue = source.queue(0);
        while (queue.poll(p -> packets.add(new Packet(p.timestampNanos(), p.captureLength(), p.wireLength(),
            p.linkType(), p.toByteArray())), 100) != ReceiveQueue.END_OF_INPUT) {
            // keep polling
        }
        return packets;
    }

    static long bytes(final List<Packet> packets) {
        return packets.stream().mapToLong(Packet::captureLength).sum();
    }

    @Test
    void sixteenMinutesTotalsEqualCapinfosAndTshark() {
        final Path file = SharedCorpus.sixteenMinutes();
        ExternalTool.require("capinfos", "wireshark-common");
        final String capinfos = ExternalTool.run("capinfos", "-M", "-c", "-d", file.toString());
        try (PcapFileSource source = PcapFileSource.open(file)) {
            final List<Packet> packets = readAll(source);
            assertThat(capinfos).contains("Number of packets:   " + packets.size());
            assertThat(capinfos).contains("Data size:           " + bytes(packets) + " bytes");
            assertThat(new long[] {packets.size(), bytes(packets)}).containsExactly(ExternalTool.tsharkTotals(file));
            assertThat(packets).hasSize(7000);
            assertThat(source.drops().values()).allMatch(v -> v == 0);
            assertThat(source.failure()).isNull();
        }
    }

    @Test
    void packetsAreViewsIntoTheMappedFile() {
        try (PcapFileSource source = PcapFileSource.open(SharedCorpus.sixteenMinutes())) {
            final List<Boolean> mapped = new ArrayList<>();
            source.queue(0).poll(p -> mapped.add(p.memory().isMapped() && p.memory().isNative()), 10);
            assertThat(mapped).hasSize(10).containsOnly(true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http.pcap", "nb6-http.pcap", "dns_icmp.pcap", "truncated_dns.pcap"})
    void dpktCapturesMatchTshark(final String name) {
        final Path file = SharedCorpus.dpkt(name);
        try (PcapFileSource source = PcapFileSource.open(file)) {
            final List<Packet> packets = readAll(source);
            assertThat(new long[] {packets.size(), bytes(packets)}).containsExactly(ExternalTool.tsharkTotals(file));
            assertThat(source.failure()).isNull();
        }
    }

    @Test
    void dpktTruncatedFinalRecordIsCountedNotThrown() {
        final Path file = SharedCorpus.dpkt("truncated_dns_2.pcap");
        try (PcapFileSource source = PcapFileSource.open(file)) {
            final List<Packet> packets = readAll(source);
            assertThat(packets).hasSize(1); // capinfos: "cut short in the middle of a packet" after 1 packet
            assertThat(source.drops()).containsEntry("truncated_record", 1L);
            assertThat(source.failure()).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pcap/test_dns.pcap", "pcap/test_ethernet.pcap", "pcap/test_loopback.pcap"})
    void gopacketCapturesMatchTshark(final String name) {
        final Path file = SharedCorpus.gopacket(name);
        try (PcapFileSource source = PcapFileSource.open(file)) {
            final List<Packet> packets = readAll(source);
            assertThat(new long[] {packets.size(), bytes(packets)}).containsExactly(ExternalTool.tsharkTotals(file));
            if (name.contains("loopback")) {
                assertThat(packets).allMatch(p -> p.linkType() == LinkType.NULL);
            }
        }
    }

    static Stream<String> pcapngFiles() throws IOException {
        final Path le = Path.of(SharedCorpus.GOPACKET, "pcapgo/tests/le");
        if (!Files.isDirectory(le)) {
            return Stream.of("missing");
        }
        try (Stream<Path> files = Files.list(le)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcapng")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("pcapngFiles")
    void gopacketPcapngReadsIdenticallyInBothByteOrdersAndMatchesTshark(final String name) {
        final Path le = SharedCorpus.gopacket("pcapgo/tests/le/" + name);
        final Path be = SharedCorpus.gopacket("pcapgo/tests/be/" + name);
        try (PcapFileSource little = PcapFileSource.open(le); PcapFileSource big = PcapFileSource.open(be)) {
            final List<Packet> fromLittle = readAll(little);
            final List<Packet> fromBig = readAll(big);
            assertThat(fromBig).isEqualTo(fromLittle);
            if (little.failure() == null) {
                assertThat(new long[] {fromLittle.size(), bytes(fromLittle)}).containsExactly(ExternalTool.tsharkTotals(le));
            } else {
                // tshark refuses the same file: a section with an undefined version
                assertThat(little.failure()).contains(le.toString()).contains("version");
                assertThat(ExternalTool.runAllowingFailure("tshark", "-r", le.toString()).exitCode()).isNotZero();
            }
        }
    }

    // ---- synthetic edge cases -------------------------------------------------------------------

    private Path classic(final ByteOrder order, final int magic, final int snaplen, final int[][] records) throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(order);
        buffer.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(1);
        for (final int[] r : records) { // seconds, fraction, caplen, wire, bytesPresent
            buffer.putInt(r[0]).putInt(r[1]).putInt(r[2]).putInt(r[3]);
            for (int i = 0; i < r[4]; i++) {
                buffer.put((byte) i);
            }
        }
        final Path file = temp.resolve("f" + System.nanoTime() + ".pcap");
        Files.write(file, Arrays.copyOf(buffer.array(), buffer.position()));
        return file;
    }

    @Test
    void bigEndianAndNanosecondFilesGiveTheSamePackets() throws IOException {
        final int[][] records = {{100, 5, 60, 60, 60}, {101, 999_999, 70, 80, 70}};
        final Path littleMicros = classic(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, records);
        final Path bigMicros = classic(ByteOrder.BIG_ENDIAN, 0xA1B2C3D4, 65535, records);
        final int[][] nanoRecords = {{100, 5_000, 60, 60, 60}, {101, 999_999_000, 70, 80, 70}};
        final Path bigNanos = classic(ByteOrder.BIG_ENDIAN, 0xA1B23C4D, 65535, nanoRecords);
        try (PcapFileSource a = PcapFileSource.open(littleMicros); PcapFileSource b = PcapFileSource.open(bigMicros);
             PcapFileSource c = PcapFileSource.open(bigNanos)) {
            final List<Packet> expected = readAll(a);
            assertThat(expected).hasSize(2);
            assertThat(expected.get(0).timestampNanos()).isEqualTo(100_000_005_000L);
            assertThat(expected.get(1).wireLength()).isEqualTo(80);
            assertThat(readAll(b)).isEqualTo(expected);
            assertThat(readAll(c)).isEqualTo(expected);
            assertThat(c.description()).contains("big-endian").contains("ns");
        }
    }

    @Test
    void badMagicIsAClearError() throws IOException {
        final Path file = temp.resolve("text.pcap");
        Files.writeString(file, "this is not a capture file at all");
        assertThatThrownBy(() -> PcapFileSource.open(file)).isInstanceOf(CaptureException.class)
            .hasMessageContaining(file.toString()).hasMessageContaining("not a pcap or pcapng file");
        final Path empty = temp.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> PcapFileSource.open(empty)).isInstanceOf(CaptureException.class)
            .hasMessageContaining("too short");
    }

    @Test
    void truncatedHeaderAndFinalRecordAreHandled() throws IOException {
        final Path file = classic(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, new int[][] {{1, 0, 60, 60, 60}, {2, 0, 60, 60, 30}});
        try (PcapFileSource source = PcapFileSource.open(file)) {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.drops()).containsEntry("truncated_record", 1L);
            assertThat(source.failure()).isNull();
        }
        final Path header = temp.resolve("header.pcap");
        Files.write(header, Arrays.copyOf(Files.readAllBytes(file), 20));
        assertThatThrownBy(() -> PcapFileSource.open(header)).isInstanceOf(CaptureException.class)
            .hasMessageContaining("truncated pcap file header");
    }

    @Test
    void hugeCaptureLengthStopsWithAClearErrorNotAnException() throws IOException {
        final Path file = classic(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535,
            new int[][] {{1, 0, 60, 60, 60}, {2, 0, 300_000, 300_000, 100}});
        try (PcapFileSource source = PcapFileSource.open(file)) {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.failure()).contains("claims 300000 captured bytes").contains("corrupt");
        }
    }

    @Test
    void emptyRecordsAndOversizedCapturesAreCountedAndSkippedOrKept() throws IOException {
        final Path file = classic(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 64,
            new int[][] {{1, 0, 0, 0, 0}, {2, 0, 100, 100, 100}, {3, 0, 60, 50, 60}});
        try (PcapFileSource source = PcapFileSource.open(file)) {
            final List<Packet> packets = readAll(source);
            assertThat(packets).extracting(Packet::captureLength).containsExactly(100, 60);
            assertThat(source.statistics()).containsEntry("empty_records", 1L)
                .containsEntry("caplen_over_snaplen", 1L).containsEntry("caplen_over_wire_length", 1L);
        }
    }

    @Test
    void packetLimitIsExactAndRealtimeDeliversEverything() throws IOException {
        final Path file = temp.resolve("ten.pcap");
        try (PcapWriter writer = PcapWriter.ethernet(file)) {
            for (int i = 0; i < 10; i++) {
                writer.write(1_000_000_000L + i * 1_000_000L, new byte[64], 0, 64); // 1 ms apart
            }
        }
        try (PcapFileSource source = PcapFileSource.open(file, false, 7)) {
            assertThat(readAll(source)).hasSize(7);
        }
        try (PcapFileSource source = PcapFileSource.open(file, true, Long.MAX_VALUE)) {
            assertThat(readAll(source)).hasSize(10);
        }
    }

    @Test
    void pcapngTimestampResolutionsConvert() {
        assertThat(PcapngReader.toNanos(1_500_000, 6)).isEqualTo(1_500_000_000L);
        assertThat(PcapngReader.toNanos(1_500_000_000_123L, 9)).isEqualTo(1_500_000_000_123L);
        assertThat(PcapngReader.toNanos(15, 1)).isEqualTo(1_500_000_000L);
        assertThat(PcapngReader.toNanos(3L << 20 | 1L << 19, -20)).isEqualTo(3_500_000_000L);
        assertThat(PcapngReader.toNanos(1_000_000_000_000L, 12)).isEqualTo(1_000_000_000L);
    }

    @Test
    void viewReadsBigEndianFields() throws IOException {
        final Path file = temp.resolve("one.pcap");
        try (PcapWriter writer = PcapWriter.ethernet(file)) {
            writer.write(0, new byte[] {1, 2, 3, 4, 5, 6}, 0, 6);
        }
        try (PcapFileSource source = PcapFileSource.open(file)) {
            final List<Integer> values = new ArrayList<>();
            source.queue(0).poll((PacketView p) -> {
                values.add(p.u8(0));
                values.add(p.u16(0));
                values.add(p.i32(2));
            }, 1);
            assertThat(values).containsExactly(1, 0x0102, 0x03040506);
        }
    }
}

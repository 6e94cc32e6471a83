package io.trawl.pipeline.script.output;

import io.trawl.capture.LinkType;
import io.trawl.testsupport.ExternalTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class RotatingPcapWriterTest {
    @TempDir
    Path temp;

    @Test
    void rotatesBySizeKeepsTheNewestFilesAndTsharkReadsThem() throws IOException {
        ExternalTool.require("capinfos", "tshark");
        final byte[] frame = new byte[1000];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) i;
        }
        final MemorySegment memory = MemorySegment.ofArray(frame);
        try (RotatingPcapWriter writer = new RotatingPcapWriter(temp, "p0", 64 * 1024, 3)) {
            for (int i = 0; i < 400; i++) {
                assertThat(writer.write(1_000_000_000L * i + 123, LinkType.ETHERNET, memory, 0, i % 2 == 0 ? 1000 : 60,
                    1500)).isTrue();
            }
            writer.flush();
            assertThat(writer.packets()).isEqualTo(400);
            assertThat(writer.filesWritten()).isGreaterThan(3);
            assertThat(writer.filesDeleted()).isEqualTo(writer.filesWritten() - 3);
        }
        final List<Path> files;
        try (Stream<Path> list = Files.list(temp)) {
            files = list.sorted().toList();
        }
        assertThat(files).hasSize(3);
        long packets = 0;
        for (final Path file : files) {
            assertThat(Files.size(file)).isLessThanOrEqualTo(64 * 1024);
            final String info = ExternalTool.run("capinfos", "-M", "-c", "-t", "-E", file.toString());
            assertThat(info).contains("nsecpcap").contains("ether");
            packets += Long.parseLong(info.replaceAll("(?s).*Number of packets:\\s*(\\d+).*", "$1"));
        }
        assertThat(packets).isLessThan(400).isPositive();
        // the last packet is in the newest file, with its wire length and nanosecond time
        final String last = ExternalTool.run("tshark", "-r", files.getLast().toString(), "-T", "fields", "-e", "frame.len",
            "-e", "frame.cap_len", "-e", "frame.time_epoch");
        assertThat(last.lines().toList().getLast()).startsWith("1500\t60\t399.000000123");
    }
}

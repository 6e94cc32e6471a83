package io.trawl.pipeline.reassembly;

import io.trawl.pipeline.RunFixture;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reassembled streams against tcpflow's: for every connection tcpflow writes as a single file per
 * direction (its "c1" files mark connections reusing a 4-tuple; those are left out), the bytes trawl
 * delivers, concatenated by stream offset, equal tcpflow's file.
 *
 * <p>tcpflow 1.6 takes everything after the TCP header up to the captured length as data, including the
 * Ethernet padding of short frames (the IP total length says where the packet ends). tcpflow therefore
 * reads a copy of the capture with that padding cut off (frames truncated to their IPv4 total length);
 * trawl reads the original.
 */
class TcpflowComparisonTest {
    @TempDir
    Path temp;

    /** tcpflow names: 172.016.113.105.02319-207.025.071.005.00080 (source first). */
    private static String tcpflowName(final String ip, final int port) {
        final String[] octets = ip.split("\\.");
        return String.format("%03d.%03d.%03d.%03d.%05d", Integer.parseInt(octets[0]), Integer.parseInt(octets[1]),
            Integer.parseInt(octets[2]), Integer.parseInt(octets[3]), port);
    }

    /** Copies a capture, cutting each Ethernet/IPv4 frame at the end of its IP packet. */
    static void withoutEthernetPadding(final Path from, final Path to) {
        try (io.trawl.capture.pcap.PcapFileSource source = io.trawl.capture.pcap.PcapFileSource.open(from);
             io.trawl.capture.synthetic.PcapWriter writer = io.trawl.capture.synthetic.PcapWriter.ethernet(to)) {
            final io.trawl.capture.ReceiveQueue queue = source.queue(0);
            while (queue.poll(p -> {
                int length = p.captureLength();
                if (p.linkType() == 1 && length >= 34 && p.u16(12) == 0x0800 && (p.u8(14) >> 4) == 4) {
                    length = Math.min(length, 14 + p.u16(16));
                }
                writer.write(p.timestampNanos(), p.memory(), p.offset(), length, Math.min(p.wireLength(), length));
            }, 256) != io.trawl.capture.ReceiveQueue.END_OF_INPUT) {
                // copy everything
            }
        }
    }

    private static String readable(final String hexAddress) {
        final String[] bytes = hexAddress.split("\\.");
        final StringBuilder out = new StringBuilder();
        for (final String b : bytes) {
            out.append(out.isEmpty() ? "" : ".").append(Integer.parseInt(b, 16));
        }
        return out.toString();
    }

    @Test
    void sixteenMinutesStreamsEqualTcpflow() throws IOException {
        final Path capture = SharedCorpus.sixteenMinutes();
        ExternalTool.require("tcpflow", "tcpflow");
        final Path flowDir = temp.resolve("tcpflow");
        Files.createDirectories(flowDir);
        final Path unpadded = temp.resolve("unpadded.pcap");
        withoutEthernetPadding(capture, unpadded);
        ExternalTool.run("tcpflow", "-r", unpadded.toString(), "-o", flowDir.toString());
        final Map<String, Path> tcpflowFiles = new HashMap<>();
        try (Stream<Path> files = Files.list(flowDir)) {
            files.forEach(f -> tcpflowFiles.put(f.getFileName().toString(), f));
        }

        final Map<String, RecordingStreams.Stream> streams = RecordingStreams.sharedMap();
        RunFixture.run("pcap:" + capture, 2, temp.resolve("out"), Map.of(),
            List.of(new ReassemblyStage.Factory(p -> List.of(new RecordingStreams(p, streams)))));

        // group our streams by tcpflow name (source-destination), counting connections per name
        final Map<String, List<RecordingStreams.Stream>> ours = new HashMap<>();
        for (final Map.Entry<String, RecordingStreams.Stream> entry : streams.entrySet()) {
            // key: 06A:AA.AA.AA.AA:p-PPPP_ZZ.ZZ.ZZ.ZZ:p-PPPP@serial c2s|s2c
            final String key = entry.getKey();
            final String flowKey = key.substring(0, key.indexOf('@'));
            final String[] ends = flowKey.substring(4).split("_");
            final String aIp = readable(ends[0].substring(0, ends[0].indexOf(":p-")));
            final int aPort = Integer.parseInt(ends[0].substring(ends[0].indexOf(":p-") + 3), 16);
            final String zIp = readable(ends[1].substring(0, ends[1].indexOf(":p-")));
            final int zPort = Integer.parseInt(ends[1].substring(ends[1].indexOf(":p-") + 3), 16);
            // the client is A unless the SYN came from Z; c2s = client to server
            final boolean c2s = key.endsWith("c2s");
            final String aToZ = tcpflowName(aIp, aPort) + "-" + tcpflowName(zIp, zPort);
            final String zToA = tcpflowName(zIp, zPort) + "-" + tcpflowName(aIp, aPort);
            // we do not know here which end is the client; record under both, disambiguated below by content length
            ours.computeIfAbsent(aToZ + (c2s ? "|c2s" : "|s2c"), k -> new ArrayList<>()).add(entry.getValue());
            ours.computeIfAbsent(zToA + (c2s ? "|c2s" : "|s2c"), k -> new ArrayList<>()).add(entry.getValue());
        }
        int compared = 0;
        final List<String> mismatches = new ArrayList<>();
        for (final Map.Entry<String, Path> file : tcpflowFiles.entrySet()) {
            final String name = file.getKey();
            if (!name.matches("[0-9.]+-[0-9.]+") || tcpflowFiles.containsKey(name + "c1")) {
                continue; // report.xml, and 4-tuples tcpflow saw several connections on
            }
            final byte[] theirs = Files.readAllBytes(file.getValue());
            final List<RecordingStreams.Stream> candidates = new ArrayList<>();
            candidates.addAll(ours.getOrDefault(name + "|c2s", List.of()));
            candidates.addAll(ours.getOrDefault(name + "|s2c", List.of()));
            boolean equal = false;
            for (final RecordingStreams.Stream candidate : candidates) {
                equal |= java.util.Arrays.equals(candidate.bytes.toByteArray(), theirs);
            }
            if (equal) {
                compared++;
            } else {
                mismatches.add(name + " (" + theirs.length + " bytes; trawl candidates "
                    + candidates.stream().map(c -> String.valueOf(c.bytes.size())).toList() + ")");
            }
        }
        assertThat(mismatches).as("streams differing from tcpflow").isEmpty();
        assertThat(compared).as("streams compared").isGreaterThan(300);
    }
}

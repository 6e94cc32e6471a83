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
 * delivers, concatenated by stream offset, equal tcpflow's file. tcpflow reads an unpadded copy of the
 * capture ({@link Tcpflow}); trawl reads the original.
 */
class TcpflowComparisonTest {
    @TempDir
    Path temp;

    @Test
    void sixteenMinutesStreamsEqualTcpflow() throws IOException {
        final Path capture = SharedCorpus.sixteenMinutes();
        final Map<String, Path> tcpflowFiles = Tcpflow.run(capture, temp);

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
            final String aIp = Tcpflow.readable(ends[0].substring(0, ends[0].indexOf(":p-")));
            final int aPort = Integer.parseInt(ends[0].substring(ends[0].indexOf(":p-") + 3), 16);
            final String zIp = Tcpflow.readable(ends[1].substring(0, ends[1].indexOf(":p-")));
            final int zPort = Integer.parseInt(ends[1].substring(ends[1].indexOf(":p-") + 3), 16);
            // the client is A unless the SYN came from Z; c2s = client to server
            final boolean c2s = key.endsWith("c2s");
            final String aToZ = Tcpflow.name(aIp, aPort) + "-" + Tcpflow.name(zIp, zPort);
            final String zToA = Tcpflow.name(zIp, zPort) + "-" + Tcpflow.name(aIp, aPort);
            // we do not know here which end is the client; record under both, disambiguated below by content length
            ours.computeIfAbsent(aToZ + (c2s ? "|c2s" : "|s2c"), k -> new ArrayList<>()).add(entry.getValue());
            ours.computeIfAbsent(zToA + (c2s ? "|c2s" : "|s2c"), k -> new ArrayList<>()).add(entry.getValue());
        }
        int compared = 0;
        final List<String> mismatches = new ArrayList<>();
        for (final Map.Entry<String, Path> file : tcpflowFiles.entrySet()) {
            final String name = file.getKey();
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

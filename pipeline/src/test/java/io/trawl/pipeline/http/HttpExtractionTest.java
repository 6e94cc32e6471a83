package io.trawl.pipeline.http;

import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Ground truth from tshark: the bodies trawl extracts are exactly the HTTP objects tshark exports. */
class HttpExtractionTest {
    @TempDir
    Path temp;

    static List<String> tsharkObjectHashes(final Path capture, final Path dir) throws IOException {
        ExternalTool.require("tshark", "tshark");
        Files.createDirectories(dir);
        ExternalTool.run("tshark", "-n", "-r", capture.toString(), "-q", "--export-objects", "http," + dir);
        final List<String> hashes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.sorted().toList()) {
                hashes.add(HttpCapture.sha256(Files.readAllBytes(file)));
            }
        }
        return hashes;
    }

    /**
     * Every complete body trawl delivers is an object tshark exports, and the other way round, with two
     * documented differences: bodies cut short by the end of the capture are delivered by trawl marked
     * partial (tshark drops them), and tshark also exports the bytes a server sent beyond a response's
     * Content-Length as a separate object ("Continuation"), which trawl does not treat as a body. The test
     * proves each tshark-only object is exactly such excess: it sits in a server stream right after a
     * complete body trawl delivered.
     */
    private void assertMatchesTshark(final Path capture, final int pipelines) throws IOException {
        final List<String> expected = tsharkObjectHashes(capture, temp.resolve("tshark"));
        final java.util.Map<String, byte[]> tsharkContent = new java.util.HashMap<>();
        try (Stream<Path> files = Files.list(temp.resolve("tshark"))) {
            for (final Path file : files.toList()) {
                final byte[] content = Files.readAllBytes(file);
                tsharkContent.put(HttpCapture.sha256(content), content);
            }
        }
        final java.util.Map<String, io.trawl.pipeline.reassembly.RecordingStreams.Stream> streams =
            io.trawl.pipeline.reassembly.RecordingStreams.sharedMap();
        final HttpCapture run = HttpCapture.run(capture, temp.resolve("out"), pipelines, Map.of(), streams);
        final List<HttpCapture.ExtractedFile> complete = run.files.stream().filter(f -> !f.partial() && f.length() > 0).toList();
        final List<String> files = complete.stream().map(HttpCapture.ExtractedFile::sha256).toList();
        final List<String> bodies = run.bodies.stream().filter(b -> !b.partial() && b.content().length > 0)
            .map(HttpCapture.Body::sha256).toList();
        assertThat(bodies).as("onpayload_http bodies equal onfile_http files").containsExactlyInAnyOrderElementsOf(files);

        final List<String> tsharkOnly = new ArrayList<>(expected);
        for (final String hash : files) {
            assertThat(tsharkOnly.remove(hash)).as("trawl body %s is a tshark object", hash).isTrue();
        }
        final List<byte[]> serverStreams = streams.entrySet().stream().filter(e -> e.getKey().endsWith("s2c"))
            .map(e -> e.getValue().bytes.toByteArray()).toList();
        for (final String hash : tsharkOnly) {
            final byte[] excess = tsharkContent.get(hash);
            assertThat(followsACompleteBody(excess, serverStreams, complete))
                .as("tshark-only object %s (%d bytes) is excess data after a complete body", hash, excess.length).isTrue();
        }
        assertThat(tsharkOnly.size()).as("tshark-only objects").isLessThanOrEqualTo(1);
        // partial bodies are reported as partial and are never among tshark's complete objects
        for (final HttpCapture.ExtractedFile file : run.files) {
            if (file.partial()) {
                assertThat(expected).doesNotContain(file.sha256());
            }
        }
        assertThat(run.staged.size()).as("every staged file was auto-deleted").isZero();
        assertThat(run.stagedPaths).allMatch(p -> !Files.exists(p));
        assertThat(run.output.summary().get("reassembly").get("flows").asLong()).isPositive();
    }

    private static boolean followsACompleteBody(final byte[] excess, final List<byte[]> streams,
                                                final List<HttpCapture.ExtractedFile> bodies) {
        for (final byte[] stream : streams) {
            for (int at = indexOf(stream, excess, 0); at >= 0; at = indexOf(stream, excess, at + 1)) {
                for (final HttpCapture.ExtractedFile body : bodies) {
                    final int start = at - body.content().length;
                    if (start >= 0 && java.util.Arrays.equals(stream, start, at, body.content(), 0, body.content().length)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int indexOf(final byte[] haystack, final byte[] needle, final int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void sixteenMinutesBodiesEqualTsharkExportObjects() throws IOException {
        assertMatchesTshark(SharedCorpus.sixteenMinutes(), 1);
    }

    @Test
    void sixteenMinutesWithTwoPipelines() throws IOException {
        assertMatchesTshark(SharedCorpus.sixteenMinutes(), 2);
    }

    @Test
    void dpktHttpPcapBodiesEqualTsharkExportObjects() throws IOException {
        assertMatchesTshark(SharedCorpus.dpkt("http.pcap"), 1);
    }
}

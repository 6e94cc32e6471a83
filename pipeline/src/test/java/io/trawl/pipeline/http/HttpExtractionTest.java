package io.trawl.pipeline.http;

import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Ground truth from tshark: the bodies trawl extracts are exactly the HTTP objects tshark exports. */
class HttpExtractionTest {
    @TempDir
    Path temp;

    /**
     * Every complete body trawl delivers is an object tshark exports, and the other way round, up to the
     * differences {@link TsharkObjects} documents.
     */
    private void assertMatchesTshark(final Path capture, final int pipelines) throws IOException {
        final Map<String, io.trawl.pipeline.reassembly.RecordingStreams.Stream> streams =
            io.trawl.pipeline.reassembly.RecordingStreams.sharedMap();
        final HttpCapture run = HttpCapture.run(capture, temp.resolve("out"), pipelines, Map.of(), streams);
        final List<HttpCapture.ExtractedFile> complete = run.files.stream().filter(f -> !f.partial() && f.length() > 0).toList();
        final List<String> files = complete.stream().map(HttpCapture.ExtractedFile::sha256).toList();
        final List<String> bodies = run.bodies.stream().filter(b -> !b.partial() && b.content().length > 0)
            .map(HttpCapture.Body::sha256).toList();
        assertThat(bodies).as("onpayload_http bodies equal onfile_http files").containsExactlyInAnyOrderElementsOf(files);
        final List<byte[]> serverStreams = streams.entrySet().stream().filter(e -> e.getKey().endsWith("s2c"))
            .map(e -> e.getValue().bytes.toByteArray()).toList();
        TsharkObjects.assertAgrees(capture, temp.resolve("tshark"), complete.stream().map(HttpCapture.ExtractedFile::content).toList(),
            run.files.stream().filter(HttpCapture.ExtractedFile::partial).map(HttpCapture.ExtractedFile::content).toList(),
            serverStreams);
        assertThat(run.staged.size()).as("every staged file was auto-deleted").isZero();
        assertThat(run.stagedPaths).allMatch(p -> !Files.exists(p));
        assertThat(run.output.summary().get("reassembly").get("flows").asLong()).isPositive();
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

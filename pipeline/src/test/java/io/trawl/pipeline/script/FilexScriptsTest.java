package io.trawl.pipeline.script;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.capture.synthetic.TcpConversation;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.http.TsharkObjects;
import io.trawl.pipeline.reassembly.ReassemblyStage;
import io.trawl.pipeline.reassembly.RecordingStreams;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.trawl.pipeline.script.Captures.ascii;
import static io.trawl.pipeline.script.Captures.concat;
import static io.trawl.pipeline.script.Captures.get;
import static io.trawl.pipeline.script.Captures.ok;
import static io.trawl.pipeline.script.Captures.random;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * filex_monitor through real scripts: a test script copies every file {@code onfile_http} gets out of the
 * staging directory synchronously and writes every body {@code onpayload_http} delivers; the copies are
 * checked against tshark's {@code --export-objects http} and against generated traffic.
 */
class FilexScriptsTest {
    @TempDir
    Path temp;

    private ScriptRun fileMode(final Path capture, final String name, final int pipelines,
                               final Map<String, RecordingStreams.Stream> streams) {
        final ScriptRun run = ScriptRun.on(capture, temp.resolve(name)).scripts(ScriptRun.testScript("filex_copy.lua"))
            .set(TrawlSettings.PIPELINES, pipelines)
            .stage(new ReassemblyStage.Factory(p -> List.of(new RecordingStreams(p, streams)))).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        return run;
    }

    private static List<String> hashes(final List<FilexEntries.Entry> entries) {
        return entries.stream().filter(e -> e.content().length > 0).map(FilexEntries.Entry::sha256).toList();
    }

    /** The file-mode checks every capture gets; returns the entries. */
    private FilexEntries assertFileModeAgreesWithTshark(final Path capture, final int pipelines) throws IOException {
        final Map<String, RecordingStreams.Stream> streams = RecordingStreams.sharedMap();
        final ScriptRun run = fileMode(capture, "file", pipelines, streams);
        assertThat(run.script("filex_copy.lua").get("errors").asLong()).as("script errors (a staged file missing in "
            + "onfile_http would be one)").isZero();
        final FilexEntries entries = FilexEntries.read(run.out);
        assertThat(entries.files()).isNotEmpty();
        assertThat(entries.files()).allSatisfy(f -> assertThat(f.content()).hasSize((int) f.length()));
        // onpayload_http bodies, concatenated per transaction, equal the onfile_http files
        assertThat(hashes(entries.completeBodies())).as("onpayload_http bodies equal onfile_http files")
            .containsExactlyInAnyOrderElementsOf(hashes(entries.completeFiles()));
        assertThat(entries.bodies()).allSatisfy(b -> assertThat(b.flag()).as("onpayload_http direction").isEqualTo("1"));
        final List<byte[]> serverStreams = streams.entrySet().stream().filter(e -> e.getKey().endsWith("s2c"))
            .map(e -> e.getValue().bytes.toByteArray()).toList();
        final List<byte[]> complete = entries.completeFiles().stream().map(FilexEntries.Entry::content)
            .filter(c -> c.length > 0).toList();
        TsharkObjects.assertAgrees(capture, temp.resolve("tshark"), complete,
            entries.files().stream().filter(FilexEntries.Entry::partial).map(FilexEntries.Entry::content).toList(), serverStreams);
        // AutoDelete: every staged file is gone once every script saw it
        assertThat(entries.files()).allSatisfy(f -> assertThat(Path.of(f.path())).doesNotExist());
        assertThat(run.staged.size()).isZero();
        final JsonNode files = run.summary.get("files");
        assertThat(files.get("mode").asText()).isEqualTo("file");
        assertThat(files.get("files_reported").asLong()).isEqualTo(entries.files().size());
        assertThat(files.get("deleted").asLong()).isEqualTo(entries.files().size());
        assertThat(files.get("still_staged").asLong()).isZero();
        assertThat(files.get("extracted").asLong()).isEqualTo(entries.bodies().size());
        assertThat(run.summary.get("reassembly").get("flows").asLong()).isPositive();
        assertThat(run.summary.get("http").get("transactions").asLong()).isEqualTo(entries.bodies().size());
        return entries;
    }

    @Test
    void sixteenMinutesFilesAndBodiesEqualTsharkExportObjects() throws IOException {
        final Path capture = SharedCorpus.sixteenMinutes();
        final FilexEntries fileMode = assertFileModeAgreesWithTshark(capture, 2);

        // streaming mode (no script has onfile_http): the same bodies, nothing staged
        final ScriptRun streaming = ScriptRun.on(capture, temp.resolve("streaming"))
            .scripts(ScriptRun.testScript("filex_stream.lua")).run();
        assertThat(streaming.result.failed()).as("run failed").isFalse();
        final FilexEntries streamed = FilexEntries.read(streaming.out);
        assertThat(streamed.files()).isEmpty();
        assertThat(hashes(streamed.bodies())).containsExactlyInAnyOrderElementsOf(hashes(fileMode.bodies()));
        assertThat(streamed.bodies()).extracting(FilexEntries.Entry::path).doesNotHaveDuplicates();
        assertThat(streaming.summary.get("files").get("mode").asText()).isEqualTo("streaming");
        assertThat(streaming.summary.get("files").get("bytes").asLong()).isZero();
        final Path staging = streaming.out.resolve("state").resolve("filex");
        assertThat(!Files.exists(staging) || isEmpty(staging)).as("nothing staged in streaming mode").isTrue();
    }

    private static boolean isEmpty(final Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.findAny().isEmpty();
        }
    }

    @Test
    void dpktHttpPcapFilesAndBodiesEqualTsharkExportObjects() throws IOException {
        assertFileModeAgreesWithTshark(SharedCorpus.dpkt("http.pcap"), 1);
    }

    private FilexEntries generated(final String name, final java.util.function.Consumer<TcpConversation> conversation,
                                   final Object... settings) {
        final Path pcap = Captures.one(temp.resolve(name + ".pcap"), conversation);
        final ScriptRun.Builder builder = ScriptRun.on(pcap, temp.resolve(name)).scripts(ScriptRun.testScript("filex_copy.lua"));
        for (int i = 0; i < settings.length; i += 2) {
            builder.set((io.trawl.config.Setting<?>) settings[i], settings[i + 1]);
        }
        final ScriptRun run = builder.run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        assertThat(run.script("filex_copy.lua").get("errors").asLong()).isZero();
        return FilexEntries.read(run.out);
    }

    @Test
    void aBodyLargerThanTheChunkSizeReachesOnfileHttpInPartsWithOffsets() {
        final byte[] body = random(2 * 1024 * 1024 + 123_456, 3);
        final FilexEntries entries = generated("parts", tcp -> tcp.handshake().send(true, ascii(get("/big.iso")))
            .send(false, ok(body)).close(), TrawlSettings.FILEX_CHUNK_SIZE_MB, 1);
        final List<FilexEntries.Entry> parts = new ArrayList<>(entries.files());
        parts.sort(Comparator.comparingLong(FilexEntries.Entry::partOffset));
        assertThat(parts).extracting(FilexEntries.Entry::partOffset).containsExactly(0L, 1L << 20, 2L << 20);
        assertThat(parts).extracting(FilexEntries.Entry::length).containsExactly(1L << 20, 1L << 20, 123_456L);
        assertThat(parts).allSatisfy(p -> {
            assertThat(p.partial()).isTrue();
            assertThat(p.basePath()).isEqualTo(parts.getFirst().basePath());
            assertThat(Path.of(p.basePath()).getFileName().toString()).startsWith("files.example-big.iso-");
            // what scripts do to get the name back: path:match("^.+/(.+)%.%d+.part$")
            assertThat(Path.of(p.path()).getFileName().toString()).matches(".+\\.\\d+\\.part");
        });
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        parts.forEach(p -> joined.writeBytes(p.content()));
        assertThat(joined.toByteArray()).isEqualTo(body);
        assertThat(entries.bodies()).singleElement().satisfies(b -> {
            assertThat(b.content()).isEqualTo(body);
            assertThat(b.path()).isEqualTo(parts.getFirst().basePath());
        });
    }

    @Test
    void aResetMidBodyGivesAPartialFile() {
        final byte[] body = random(40_000, 4);
        final FilexEntries entries = generated("reset", tcp -> {
            tcp.handshake().send(true, ascii(get("/cut.bin")));
            tcp.sendSegments(false, tcp.segments(ok(body)).subList(0, 10));
            tcp.reset(false);
        });
        assertThat(entries.files()).singleElement().satisfies(f -> {
            assertThat(f.partial()).isTrue();
            assertThat(f.length()).isPositive().isLessThan(40_000);
            assertThat(f.content()).isEqualTo(Arrays.copyOf(body, (int) f.length()));
        });
        assertThat(entries.bodies()).singleElement().satisfies(b -> assertThat(b.length()).isEqualTo(entries.files().getFirst().length()));
    }

    @Test
    void hostileUrisStayInsideTheStagingDirectory() {
        final List<String> uris = List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/shadow", "/..%2f..%2fetc%2fgroup",
            "/a/..\\..\\windows\\win.ini", "/\u0000/x", "/....//....//etc/hosts", "/");
        final StringBuilder requests = new StringBuilder();
        final ByteArrayOutputStream responses = new ByteArrayOutputStream();
        for (final String uri : uris) {
            requests.append("GET ").append(uri).append(" HTTP/1.1\r\nHost: ../../evil\r\n\r\n");
            responses.writeBytes(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nPWND"));
        }
        final Path staging = temp.resolve("staging");
        final FilexEntries entries = generated("hostile", tcp -> tcp.handshake().send(true, ascii(requests.toString()))
            .send(false, responses.toByteArray()).close(), TrawlSettings.FILEX_RAMFS_DIR, staging.toString());
        assertThat(entries.files()).hasSize(uris.size()).allSatisfy(f -> {
            assertThat(Path.of(f.path()).getParent()).isEqualTo(staging.toAbsolutePath().normalize());
            assertThat(Path.of(f.path()).getFileName().toString()).doesNotStartWith(".").doesNotContain("\\");
            assertThat(f.content()).isEqualTo(ascii("PWND"));
        });
        assertThat(entries.files()).extracting(FilexEntries.Entry::uri).containsExactlyInAnyOrderElementsOf(uris);
        assertThat(temp.resolve("evil")).doesNotExist();
    }

    @Test
    void outOfOrderOverlappingRetransmittedPipelinedChunkedGzipBodiesAreDecoded() throws IOException {
        final byte[] page = ascii("trawl reassembles and extracts HTTP bodies. ".repeat(1200));
        final byte[] other = random(9_000, 7);
        final byte[] gz = io.trawl.pipeline.http.HttpCodings.gzip(page);
        final byte[] response = concat(
            ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"),
            io.trawl.pipeline.http.HttpCodings.chunked(gz, 1000),
            ascii("HTTP/1.1 304 Not Modified\r\n\r\n"),
            ok(other));
        final FilexEntries entries = generated("mixed", tcp -> {
            tcp.handshake().send(true, ascii(get("/page.html") + get("/cached.css") + get("/blob.bin")));
            final List<TcpConversation.Segment> in = tcp.segments(response);
            final List<TcpConversation.Segment> out = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                out.add(in.get((i ^ 1) < in.size() ? i ^ 1 : i));    // pairs swapped: out of order
                if (i % 3 == 0) {
                    out.add(in.get(i));                              // retransmissions
                }
            }
            final TcpConversation.Segment third = in.get(2);        // an overlap straddling two segments
            out.add(new TcpConversation.Segment(third.offset() - 100, Arrays.copyOfRange(response,
                (int) third.offset() - 100, (int) third.offset() + 200)));
            tcp.sendSegments(false, out).close();
        });
        assertThat(entries.bodies()).extracting(FilexEntries.Entry::uri).containsExactly("/page.html", "/cached.css", "/blob.bin");
        assertThat(entries.bodies()).extracting(FilexEntries.Entry::status).containsExactly(200, 304, 200);
        assertThat(entries.bodies().get(0).content()).isEqualTo(page);
        assertThat(entries.bodies().get(1).content()).isEmpty();
        assertThat(entries.bodies().get(2).content()).isEqualTo(other);
        assertThat(entries.files()).extracting(FilexEntries.Entry::length).containsExactly((long) page.length, 0L, (long) other.length);
        assertThat(entries.files()).noneMatch(FilexEntries.Entry::partial);
    }
}

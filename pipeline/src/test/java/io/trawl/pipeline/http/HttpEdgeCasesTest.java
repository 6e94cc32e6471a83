package io.trawl.pipeline.http;

import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PacketSink;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.capture.synthetic.SyntheticClock;
import io.trawl.capture.synthetic.TcpConversation;
import io.trawl.config.Setting;
import io.trawl.config.TrawlSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Generated captures for what real captures rarely show: codings, pipelining, big bodies, resets, hostile URIs. */
class HttpEdgeCasesTest {
    @TempDir
    Path temp;

    private final Endpoint client = Endpoint.of("192.0.2.10", 51000);
    private final Endpoint server = Endpoint.of("198.51.100.80", 80);

    private static byte[] random(final int size, final long seed) {
        final byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static byte[] text(final int size) {
        final StringBuilder out = new StringBuilder();
        while (out.length() < size) {
            out.append("trawl reassembles and extracts HTTP bodies. ");
        }
        return out.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private HttpCapture capture(final Consumer<TcpConversation> conversation, final Map<Setting<?>, Object> settings) {
        final Path pcap = temp.resolve("h" + System.nanoTime() + ".pcap");
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            final TcpConversation tcp = new TcpConversation(PacketSink.of(writer), new PacketBuilder(), client, server,
                new SyntheticClock(1_700_000_000_000_000_000L, 1_000_000), 100, 900);
            conversation.accept(tcp);
        }
        return HttpCapture.run(pcap, temp.resolve("o" + System.nanoTime()), 1, settings);
    }

    private static String request(final String method, final String uri) {
        return method + " " + uri + " HTTP/1.1\r\nHost: files.example\r\nUser-Agent: test\r\n\r\n";
    }

    @Test
    void chunkedGzipAndDeflateBodiesAreDecoded() throws IOException {
        final byte[] page = text(50_000);
        final byte[] gzChunked = HttpCodings.chunked(HttpCodings.gzip(page), 777);
        final byte[] zlib = HttpCodings.deflate(page, true);
        final byte[] raw = HttpCodings.deflate(page, false);
        final HttpCapture run = capture(tcp -> tcp.handshake()
            .send(true, ascii(request("GET", "/a") + request("GET", "/b") + request("GET", "/c")))
            .send(false, concat(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"), gzChunked,
                ascii("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: " + zlib.length + "\r\n\r\n"), zlib,
                ascii("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: " + raw.length + "\r\n\r\n"), raw))
            .close(), Map.of());
        assertThat(run.bodies).hasSize(3);
        assertThat(run.bodies).extracting(HttpCapture.Body::uri).containsExactly("/a", "/b", "/c");
        assertThat(run.bodies).allSatisfy(b -> {
            assertThat(b.content()).isEqualTo(page);
            assertThat(b.partial()).isFalse();
        });
        assertThat(run.files).extracting(HttpCapture.ExtractedFile::sha256).containsOnly(HttpCapture.sha256(page));
    }

    @Test
    void pipelinedRequestsPairWithTheirResponsesAndBodylessResponsesHaveNoBody() {
        final byte[] one = random(3000, 1);
        final byte[] two = random(10, 2);
        final HttpCapture run = capture(tcp -> tcp.handshake()
            .send(true, ascii(request("GET", "/one") + request("HEAD", "/two") + request("GET", "/three")
                + request("GET", "/four") + request("GET", "/five")))
            .send(false, concat(
                ascii("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n"), one,
                ascii("HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n"),            // HEAD: no body despite the length
                ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"),
                ascii("HTTP/1.1 204 No Content\r\n\r\n"),
                ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), two))
            .close(), Map.of());
        assertThat(run.bodies).extracting(HttpCapture.Body::uri).containsExactly("/one", "/two", "/three", "/four", "/five");
        assertThat(run.bodies).extracting(HttpCapture.Body::status).containsExactly(200, 200, 304, 204, 200);
        assertThat(run.bodies.get(0).content()).isEqualTo(one);
        assertThat(run.bodies.get(1).content()).isEmpty();
        assertThat(run.bodies.get(2).content()).isEmpty();
        assertThat(run.bodies.get(4).content()).isEqualTo(two);
        assertThat(run.files).filteredOn(f -> f.length() == 0).hasSize(3); // onfile_http with length 0 (HEAD, 304, 204)
    }

    @Test
    void aBodyLargerThanTheChunkSizeArrivesInPartsWithOffsets() {
        final byte[] body = random(2 * 1024 * 1024 + 123_456, 3);
        final HttpCapture run = capture(tcp -> tcp.handshake().send(true, ascii(request("GET", "/big.iso")))
                .send(false, concat(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n"), body)).close(),
            Map.of(TrawlSettings.FILEX_CHUNK_SIZE_MB, 1));
        assertThat(run.files).hasSize(3);
        final List<Long> offsets = new ArrayList<>();
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (final HttpCapture.ExtractedFile part : run.files) {
            assertThat(part.partial()).isTrue();
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.+)\\.(\\d+)\\.part$").matcher(part.name());
            assertThat(m.matches()).as(part.name()).isTrue();
            assertThat(m.group(1)).startsWith("files.example-big.iso-");
            offsets.add(Long.parseLong(m.group(2)));
            joined.writeBytes(part.content());
        }
        assertThat(offsets).containsExactly(0L, 1L << 20, 2L << 20);
        assertThat(run.files).extracting(HttpCapture.ExtractedFile::length).containsExactly(1L << 20, 1L << 20, 123_456L);
        assertThat(joined.toByteArray()).isEqualTo(body);
        assertThat(run.output.summary().has("reassembly")).isTrue();
    }

    @Test
    void aResetMidBodyGivesAPartialBodyNeverASilentlyTruncatedOne() {
        final byte[] body = random(40_000, 4);
        final HttpCapture run = capture(tcp -> {
            tcp.handshake().send(true, ascii(request("GET", "/cut.bin")));
            final byte[] response = concat(ascii("HTTP/1.1 200 OK\r\nContent-Length: 40000\r\n\r\n"), body);
            tcp.sendSegments(false, tcp.segments(response).subList(0, 10));
            tcp.reset(false);
        }, Map.of());
        assertThat(run.bodies).hasSize(1);
        assertThat(run.bodies.getFirst().partial()).isTrue();
        assertThat(run.files).hasSize(1);
        assertThat(run.files.getFirst().partial()).isTrue();
        assertThat(run.files.getFirst().length()).isLessThan(40_000).isPositive();
    }

    @Test
    void aGapInABodyMarksItPartialAndKeepsLaterBytesAtTheirOffsets() {
        final byte[] body = random(20_000, 5);
        final HttpCapture run = capture(tcp -> {
            tcp.handshake().send(true, ascii(request("GET", "/holes.bin")));
            final byte[] header = ascii("HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n");
            final List<TcpConversation.Segment> segments = new ArrayList<>(tcp.segments(concat(header, body)));
            segments.remove(5);
            tcp.sendSegments(false, segments).close();
        }, Map.of());
        final HttpCapture.ExtractedFile file = run.files.getFirst();
        assertThat(file.partial()).isTrue();
        assertThat(file.length()).isEqualTo(20_000);
        final int headerLength = "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n".length();
        final int holeStart = 5 * 1460 - headerLength;
        assertThat(java.util.Arrays.copyOfRange(file.content(), holeStart + 1460, 20_000))
            .isEqualTo(java.util.Arrays.copyOfRange(body, holeStart + 1460, 20_000));
        assertThat(java.util.Arrays.copyOfRange(file.content(), 0, holeStart)).isEqualTo(java.util.Arrays.copyOfRange(body, 0, holeStart));
    }

    @Test
    void hostileUrisNeverLeaveTheStagingDirectory() throws IOException {
        final List<String> uris = List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/shadow", "/..%2f..%2fetc%2fgroup",
            "/a/..\\..\\windows\\win.ini", "/\u0000/x", "/....//....//etc/hosts", "/");
        final StringBuilder requests = new StringBuilder();
        final ByteArrayOutputStream responses = new ByteArrayOutputStream();
        for (final String uri : uris) {
            requests.append("GET ").append(uri).append(" HTTP/1.1\r\nHost: ../../evil\r\n\r\n");
            responses.writeBytes(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nPWND"));
        }
        final Path staging = temp.resolve("staging");
        final HttpCapture run = capture(tcp -> tcp.handshake().send(true, ascii(requests.toString()))
            .send(false, responses.toByteArray()).close(), Map.of(TrawlSettings.FILEX_RAMFS_DIR, staging.toString()));
        assertThat(run.files).hasSize(uris.size());
        assertThat(run.stagedPaths).allSatisfy(p -> {
            assertThat(p.getParent()).isEqualTo(staging.toAbsolutePath().normalize());
            assertThat(p.getFileName().toString()).doesNotStartWith(".").doesNotContain("/").doesNotContain("\\");
        });
        assertThat(Files.exists(temp.resolve("evil"))).isFalse();
        assertThat(Path.of("/etc/passwd")).exists(); // untouched, of course
    }
}

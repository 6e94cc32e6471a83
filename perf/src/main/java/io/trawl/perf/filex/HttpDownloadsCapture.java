package io.trawl.perf.filex;

import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PacketSink;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.capture.synthetic.SyntheticClock;
import io.trawl.capture.synthetic.TcpConversation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic captures of many concurrent HTTP downloads. Deterministic for given parameters.
 * <ul>
 *   <li>{@link #downloads}: {@code connections} clients each download one body (random bytes, size uniform
 *       in [mean/2, 3·mean/2], {@code Content-Length}) from one of 16 servers; after every handshake and
 *       request, the responses advance one 1460-byte segment per connection in turn, so every download is
 *       in flight at once.</li>
 *   <li>{@link #heldSegments}: {@code flows} connections that each hold one out-of-order segment at the
 *       same moment (response header and first segment, then the third; the second only after every flow
 *       sent its third), for memory under many concurrent flows.</li>
 * </ul>
 */
public final class HttpDownloadsCapture {
    private static final int SEGMENT = 1460;

    private HttpDownloadsCapture() {
    }

    /** What a downloads capture holds. */
    public record Downloads(Path file, int connections, long bodyBytes) {
    }

    private static Endpoint client(final int i) {
        return Endpoint.of("10." + (i >>> 14 & 0xFF) + "." + (i >>> 6 & 0xFF) + "." + (2 + (i & 0x3F)), 1024 + (i % 60000));
    }

    private static Endpoint server(final int i) {
        return Endpoint.of("192.0.2." + (1 + i % 16), 80);
    }

    private static byte[] request(final int i) {
        return ("GET /files/object-" + i + ".bin HTTP/1.1\r\nHost: downloads-" + (i % 16)
            + ".example\r\nUser-Agent: trawl-perf\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] responseHeader(final long length) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The response stream of one download: header then random body, produced segment by segment. */
    private static final class Response {
        final byte[] header;
        final long total;
        final SplittableRandom bytes;
        long sent;

        Response(final long bodyLength, final long seed) {
            this.header = responseHeader(bodyLength);
            this.total = header.length + bodyLength;
            this.bytes = new SplittableRandom(seed);
        }

        byte[] next() {
            final int n = (int) Math.min(SEGMENT, total - sent);
            final byte[] out = new byte[n];
            int at = 0;
            while (at < n && sent + at < header.length) {
                out[at] = header[(int) (sent + at)];
                at++;
            }
            for (; at < n; at++) {
                out[at] = (byte) bytes.nextInt();
            }
            sent += n;
            return out;
        }

        boolean done() {
            return sent == total;
        }
    }

    /** Returns the downloads capture, generating it first if it is missing. */
    public static Downloads downloads(final Path directory, final int connections, final int meanBodyBytes) {
        final Path file = directory.resolve("http-downloads-" + connections + "-" + meanBodyBytes + ".pcap");
        final SplittableRandom sizes = new SplittableRandom(11);
        final long[] lengths = new long[connections];
        long total = 0;
        for (int i = 0; i < connections; i++) {
            lengths[i] = meanBodyBytes / 2 + sizes.nextInt(meanBodyBytes + 1);
            total += lengths[i];
        }
        if (!Files.exists(file)) {
            generate(file, writer -> {
                final SyntheticClock clock = new SyntheticClock(1_700_000_000_000_000_000L, 2_000);
                final PacketBuilder builder = new PacketBuilder();
                final List<TcpConversation> tcp = new ArrayList<>(connections);
                final List<Response> responses = new ArrayList<>(connections);
                for (int i = 0; i < connections; i++) {
                    final TcpConversation c = new TcpConversation(PacketSink.of(writer), builder, client(i), server(i), clock,
                        (i * 7_919L) & 0xFFFF_FFFFL, (0xFFF0_0000L + i * 104_729L) & 0xFFFF_FFFFL);
                    tcp.add(c.handshake().send(true, request(i)));
                    responses.add(new Response(lengths[i], 1000 + i));
                }
                boolean more = true;
                while (more) {
                    more = false;
                    for (int i = 0; i < connections; i++) {
                        final Response response = responses.get(i);
                        if (!response.done()) {
                            tcp.get(i).send(false, response.next());
                            more |= !response.done();
                        }
                    }
                }
                tcp.forEach(TcpConversation::close);
            });
        }
        return new Downloads(file, connections, total);
    }

    /** Returns the held-segments capture, generating it first if it is missing. */
    public static Path heldSegments(final Path directory, final int flows) {
        final Path file = directory.resolve("held-segments-" + flows + ".pcap");
        if (Files.exists(file)) {
            return file;
        }
        generate(file, writer -> {
            final SyntheticClock clock = new SyntheticClock(1_700_000_000_000_000_000L, 1_000);
            final PacketBuilder builder = new PacketBuilder();
            final List<TcpConversation> tcp = new ArrayList<>(flows);
            final List<List<TcpConversation.Segment>> segments = new ArrayList<>(flows);
            for (int i = 0; i < flows; i++) {
                final TcpConversation c = new TcpConversation(PacketSink.of(writer), builder, client(i), server(i), clock, 1000, 5000);
                tcp.add(c.handshake().send(true, request(i)));
                final Response response = new Response(3 * SEGMENT, i);
                final List<TcpConversation.Segment> parts = new ArrayList<>();
                long offset = 0;
                while (!response.done()) {
                    final byte[] data = response.next();
                    parts.add(new TcpConversation.Segment(offset, data));
                    offset += data.length;
                }
                segments.add(parts);
            }
            for (int i = 0; i < flows; i++) {
                // header + first bytes, then the third segment: the second is missing, the third waits
                tcp.get(i).sendSegments(false, List.of(segments.get(i).get(0), segments.get(i).get(2)));
            }
            // sendSegments counts offsets from the direction's next byte, which is now the fourth segment's
            for (int i = 0; i < flows; i++) {
                final List<TcpConversation.Segment> parts = segments.get(i);
                final long next = parts.get(3).offset();
                final List<TcpConversation.Segment> rest = new ArrayList<>();
                rest.add(new TcpConversation.Segment(parts.get(1).offset() - next, parts.get(1).data())); // closes the hole
                for (int k = 3; k < parts.size(); k++) {
                    rest.add(new TcpConversation.Segment(parts.get(k).offset() - next, parts.get(k).data()));
                }
                tcp.get(i).sendSegments(false, rest).close();
            }
        });
        return file;
    }

    private interface Body {
        void write(PcapWriter writer);
    }

    private static void generate(final Path file, final Body body) {
        try {
            Files.createDirectories(file.getParent());
            final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (PcapWriter writer = PcapWriter.ethernet(temporary)) {
                body.write(writer);
            }
            Files.move(temporary, file);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

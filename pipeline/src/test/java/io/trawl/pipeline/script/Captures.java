package io.trawl.pipeline.script;

import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PacketSink;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.capture.synthetic.SyntheticClock;
import io.trawl.capture.synthetic.TcpConversation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;

/** Generated captures of TCP conversations for the stream-script tests. */
final class Captures {
    static final Endpoint CLIENT = Endpoint.of("192.0.2.10", 51000);
    static final Endpoint SERVER = Endpoint.of("198.51.100.80", 80);

    /** Starts conversations that all go to one capture. */
    static final class Builder {
        private final PcapWriter writer;
        private final SyntheticClock clock = new SyntheticClock(1_700_000_000_000_000_000L, 1_000_000);
        private final PacketBuilder packets = new PacketBuilder();

        private Builder(final PcapWriter writer) {
            this.writer = writer;
        }

        /** A new connection; sequence numbers start near 2^32 so every test also crosses the wrap-around. */
        TcpConversation connection(final Endpoint client, final Endpoint server) {
            return new TcpConversation(PacketSink.of(writer), packets, client, server, clock, 0xFFFF_FF00L, 0xFFFF_F000L);
        }
    }

    private Captures() {
    }

    /** Writes a capture of the conversations {@code body} makes. */
    static Path write(final Path pcap, final Consumer<Builder> body) {
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            body.accept(new Builder(writer));
        }
        return pcap;
    }

    /** Writes a capture of one conversation between {@link #CLIENT} and {@link #SERVER}. */
    static Path one(final Path pcap, final Consumer<TcpConversation> conversation) {
        return write(pcap, b -> conversation.accept(b.connection(CLIENT, SERVER)));
    }

    static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] random(final int size, final long seed) {
        final byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static String get(final String uri) {
        return "GET " + uri + " HTTP/1.1\r\nHost: files.example\r\nUser-Agent: trawl-test/1.0\r\n\r\n";
    }

    static byte[] ok(final byte[] body) {
        return concat(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
            + "\r\n\r\n"), body);
    }
}

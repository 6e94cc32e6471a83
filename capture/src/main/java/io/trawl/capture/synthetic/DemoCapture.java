package io.trawl.capture.synthetic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Generates trawl's demo capture: HTTP downloads of files with known content over IPv4 and IPv6 (one of
 * them larger than the default file-extraction chunk size), plus DNS, NTP, ICMP and ICMPv6 echo and a
 * VLAN-tagged flow. Deterministic: the same bytes every time. Beside the capture it writes
 * {@code <capture>.sha256}, the SHA-256 of every downloaded file in {@code sha256sum} format (with the URL
 * as the name), so extracted files can be checked.
 */
public final class DemoCapture {
    /** Start of the demo's packet clock: 2026-01-01T00:00:00Z. */
    public static final long START_NANOS = 1_767_225_600_000_000_000L;

    /** One file the demo downloads. */
    public record DemoFile(String host, String uri, String contentType, byte[] content) {
        public String sha256() {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            } catch (final NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private DemoCapture() {
    }

    /** The files the demo capture carries, in download order. */
    public static List<DemoFile> files() {
        final Random random = new Random(20261122L);
        final List<DemoFile> files = new ArrayList<>();
        files.add(new DemoFile("www.example.com", "/index.html", "text/html", html("Welcome to trawl's demo", 40)));
        files.add(new DemoFile("www.example.com", "/about.html", "text/html", html("About this capture", 120)));
        files.add(new DemoFile("static.example.com", "/img/logo.gif", "image/gif", binary(random, "GIF89a", 4_711)));
        files.add(new DemoFile("static.example.com", "/img/photo.jpg", "image/jpeg", binary(random, "\u00ff\u00d8\u00ff\u00e0", 48_213)));
        files.add(new DemoFile("downloads.example.org", "/releases/tool-1.2.tar.gz", "application/gzip", binary(random, "\u001f\u008b", 310_000)));
        files.add(new DemoFile("downloads.example.org", "/docs/manual.pdf", "application/pdf", binary(random, "%PDF-1.7\n", 95_000)));
        files.add(new DemoFile("api.example.net", "/v1/status.json", "application/json",
            "{\"status\":\"ok\",\"uptime\":86400,\"nodes\":[1,2,3]}\n".getBytes(StandardCharsets.US_ASCII)));
        files.add(new DemoFile("mirror.example.org", "/iso/netinst.img", "application/octet-stream", binary(random, "", 6 * 1024 * 1024 + 12_345)));
        files.add(new DemoFile("v6.example.com", "/hello.txt", "text/plain", text("Hello over IPv6. ", 64)));
        files.add(new DemoFile("intranet.example.com", "/reports/q3.csv", "text/csv", csv(random, 900)));
        return files;
    }

    /** Writes the capture to {@code pcap} and the checksums to {@code pcap + ".sha256"}. */
    public static List<DemoFile> write(final Path pcap) {
        final List<DemoFile> files = files();
        final PacketBuilder builder = new PacketBuilder();
        final SyntheticClock clock = new SyntheticClock(START_NANOS, 200_000);
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            final PacketSink sink = PacketSink.of(writer);
            final Endpoint resolver = Endpoint.of("10.0.0.53", 53);
            int clientPort = 49152;
            int dnsId = 0x1000;
            for (int i = 0; i < files.size(); i++) {
                final DemoFile file = files.get(i);
                final boolean v6 = file.host().startsWith("v6.");
                final Endpoint client = v6 ? Endpoint.of("2001:db8::10", clientPort++) : Endpoint.of("10.0.0.10", clientPort++);
                final Endpoint server = v6 ? Endpoint.of("2001:db8:1::80", 80)
                    : Endpoint.of("198.51.100." + (20 + i), 80);
                if (!v6) {
                    dns(sink, builder, clock, client.withPort(53000 + i), resolver, dnsId++, file.host(), server.address());
                }
                if (file.host().startsWith("intranet.")) {
                    builder.vlans(100);
                }
                final TcpConversation tcp = new TcpConversation(sink, builder, client, server, clock,
                    1_000_000L * (i + 1), i == 4 ? 0xFFFF_F000L : 3_000_000_000L + i);
                tcp.handshake();
                tcp.send(true, request(file));
                tcp.send(false, response(file));
                tcp.close();
                builder.vlans();
                clock.advance(50_000_000);
            }
            final Endpoint host = Endpoint.of("10.0.0.10", 0);
            final Endpoint gateway = Endpoint.of("10.0.0.1", 0);
            for (int seq = 1; seq <= 4; seq++) {
                final byte[] payload = "trawl-demo-ping-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
                sink.emit(clock.next(), builder.echo(host, gateway, false, 0x7472, seq, payload));
                sink.emit(clock.next(), builder.echo(gateway, host, true, 0x7472, seq, payload));
                clock.advance(1_000_000_000L);
            }
            final Endpoint host6 = Endpoint.of("2001:db8::10", 0);
            final Endpoint router6 = Endpoint.of("2001:db8::1", 0);
            sink.emit(clock.next(), builder.echo(host6, router6, false, 1, 1, new byte[16]));
            sink.emit(clock.next(), builder.echo(router6, host6, true, 1, 1, new byte[16]));
            final Endpoint ntpClient = Endpoint.of("10.0.0.10", 123);
            final Endpoint ntpServer = Endpoint.of("192.0.2.123", 123);
            final byte[] ntp = new byte[48];
            ntp[0] = 0x23;
            sink.emit(clock.next(), builder.udp(ntpClient, ntpServer, ntp));
            ntp[0] = 0x24;
            sink.emit(clock.next(), builder.udp(ntpServer, ntpClient, ntp));
        }
        final StringBuilder sums = new StringBuilder();
        for (final DemoFile file : files) {
            sums.append(file.sha256()).append("  http://").append(file.host()).append(file.uri()).append('\n');
        }
        try {
            Files.writeString(pcap.resolveSibling(pcap.getFileName() + ".sha256"), sums);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static void dns(final PacketSink sink, final PacketBuilder builder, final SyntheticClock clock,
                            final Endpoint client, final Endpoint resolver, final int id, final String name,
                            final byte[] answer) {
        final byte[] question = dnsQuestion(name);
        final byte[] query = new byte[12 + question.length];
        query[0] = (byte) (id >>> 8);
        query[1] = (byte) id;
        query[2] = 0x01;
        query[5] = 1;
        System.arraycopy(question, 0, query, 12, question.length);
        sink.emit(clock.next(), builder.udp(client, resolver, query));
        final byte[] reply = new byte[query.length + 16];
        System.arraycopy(query, 0, reply, 0, query.length);
        reply[2] = (byte) 0x81;
        reply[3] = (byte) 0x80;
        reply[7] = 1;
        int at = query.length;
        reply[at++] = (byte) 0xC0;
        reply[at++] = 12;
        reply[at++] = 0;
        reply[at++] = 1;
        reply[at++] = 0;
        reply[at++] = 1;
        reply[at++] = 0;
        reply[at++] = 0;
        reply[at++] = 0x0E;
        reply[at++] = 0x10;
        reply[at++] = 0;
        reply[at++] = 4;
        System.arraycopy(answer, 0, reply, at, 4);
        sink.emit(clock.next(), builder.udp(resolver, client, reply));
    }

    private static byte[] dnsQuestion(final String name) {
        final byte[] out = new byte[name.length() + 6];
        int at = 0;
        for (final String label : name.split("\\.")) {
            out[at++] = (byte) label.length();
            for (final char c : label.toCharArray()) {
                out[at++] = (byte) c;
            }
        }
        out[at++] = 0;
        out[at++] = 0;
        out[at++] = 1;
        out[at++] = 0;
        out[at] = 1;
        return out;
    }

    private static byte[] request(final DemoFile file) {
        return ("GET " + file.uri() + " HTTP/1.1\r\nHost: " + file.host() + "\r\nUser-Agent: trawl-demo/1.0\r\n"
            + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] response(final DemoFile file) {
        final byte[] head = ("HTTP/1.1 200 OK\r\nServer: demo\r\nContent-Type: " + file.contentType()
            + "\r\nContent-Length: " + file.content().length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[head.length + file.content().length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(file.content(), 0, out, head.length, file.content().length);
        return out;
    }

    private static byte[] html(final String title, final int paragraphs) {
        final StringBuilder out = new StringBuilder("<!DOCTYPE html>\n<html><head><title>").append(title)
            .append("</title></head>\n<body><h1>").append(title).append("</h1>\n");
        for (int i = 0; i < paragraphs; i++) {
            out.append("<p>Paragraph ").append(i).append(": packets flow through trawl's pipelines.</p>\n");
        }
        return out.append("</body></html>\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] text(final String line, final int repeat) {
        return line.repeat(repeat).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] csv(final Random random, final int rows) {
        final StringBuilder out = new StringBuilder("region,quarter,revenue\n");
        for (int i = 0; i < rows; i++) {
            out.append("region-").append(i % 7).append(",Q3,").append(random.nextInt(1_000_000)).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] binary(final Random random, final String magic, final int size) {
        final byte[] out = new byte[size];
        random.nextBytes(out);
        for (int i = 0; i < magic.length() && i < size; i++) {
            out[i] = (byte) magic.charAt(i);
        }
        return out;
    }
}

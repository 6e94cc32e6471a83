package io.trawl.perf.replay;

import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PcapWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A synthetic capture of small packets over many flows, the worst case for per-packet cost: 64-byte
 * Ethernet frames (TCP 70 %, UDP 25 %, ICMP 5 %) spread over {@code flows} flows in random order, both
 * directions, 1 µs apart. Deterministic for a given size.
 */
public final class SmallPacketCapture {
    private SmallPacketCapture() {
    }

    /** Returns {@code file}, generating it first if it is missing. */
    public static Path ensure(final Path file, final int packets, final int flows) {
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            write(temporary, packets, flows);
            Files.move(temporary, file);
            return file;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(final Path file, final int packets, final int flows) {
        final PacketBuilder builder = new PacketBuilder();
        final SplittableRandom random = new SplittableRandom(7);
        final Endpoint[] clients = new Endpoint[flows];
        final Endpoint[] servers = new Endpoint[flows];
        final int[] kinds = new int[flows];
        for (int i = 0; i < flows; i++) {
            clients[i] = Endpoint.of("10." + (i >>> 14 & 0xFF) + "." + (i >>> 6 & 0xFF) + "." + (2 + (i & 0x3F)), 1024 + (i % 60000));
            final int kind = random.nextInt(100);
            kinds[i] = kind < 70 ? 0 : kind < 95 ? 1 : 2;
            servers[i] = Endpoint.of("172.16." + (i % 250) + "." + (1 + i % 200), kinds[i] == 1 ? 53 : 443);
        }
        try (PcapWriter writer = PcapWriter.ethernet(file)) {
            long ts = 1_700_000_000_000_000_000L;
            final byte[] padded = new byte[64];
            for (int p = 0; p < packets; p++) {
                final int f = random.nextInt(flows);
                final boolean forward = random.nextBoolean();
                final Endpoint src = forward ? clients[f] : servers[f];
                final Endpoint dst = forward ? servers[f] : clients[f];
                final byte[] frame = switch (kinds[f]) {
                    case 0 -> builder.tcp(src, dst, p, p, PacketBuilder.TCP_ACK);
                    case 1 -> builder.udp(src, dst, new byte[22]);
                    default -> builder.echo(src, dst, !forward, f, p & 0xFFFF, new byte[22]);
                };
                Arrays.fill(padded, (byte) 0);
                System.arraycopy(frame, 0, padded, 0, Math.min(64, frame.length));
                writer.write(ts, padded, 0, 64);
                ts += 1_000;
            }
        }
    }
}

package io.trawl.capture;

import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PcapWriter;

import java.nio.file.Path;

/** A small capture whose even frames carry an 802.1Q tag (VLAN 100 + i) and odd ones none: DNS-like UDP. */
public final class VlanCapture {
    /** Frames written. */
    public static final int FRAMES = 50;

    private VlanCapture() {
    }

    /** Writes the capture to {@code file}. */
    public static Path write(final Path file) {
        final PacketBuilder builder = new PacketBuilder();
        final Endpoint a = Endpoint.of("10.1.1.1", 40000);
        final Endpoint b = Endpoint.of("10.1.1.2", 53);
        try (PcapWriter writer = PcapWriter.ethernet(file)) {
            for (int i = 0; i < FRAMES; i++) {
                final byte[] frame = builder.vlans(i % 2 == 0 ? new int[] {100 + i} : new int[0])
                    .udp(a, b, ("query " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                writer.write(1_000_000_000L * i, frame, 0, frame.length);
            }
        }
        return file;
    }
}

package io.trawl.pipeline.reassembly;

import io.trawl.testsupport.ExternalTool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * tcpflow (Debian package) as the oracle for reassembled streams.
 *
 * <p>tcpflow 1.6 takes everything after the TCP header up to the captured length as data, including the
 * Ethernet padding of short frames (the IP total length says where the packet ends). tcpflow therefore
 * reads a copy of the capture with that padding cut off (frames truncated to their IPv4 total length).
 */
public final class Tcpflow {
    private Tcpflow() {
    }

    /** tcpflow's name of one direction's end: {@code 172.016.113.105.02319} (source first in a file name). */
    public static String name(final String ip, final int port) {
        final String[] octets = ip.split("\\.");
        return String.format("%03d.%03d.%03d.%03d.%05d", Integer.parseInt(octets[0]), Integer.parseInt(octets[1]),
            Integer.parseInt(octets[2]), Integer.parseInt(octets[3]), port);
    }

    /**
     * Runs {@code tcpflow -r} on an unpadded copy of {@code capture}; returns its stream files by name
     * ({@code src-dst}), leaving out report.xml and 4-tuples tcpflow saw several connections on ("c1" files).
     */
    public static Map<String, Path> run(final Path capture, final Path work) throws IOException {
        ExternalTool.require("tcpflow", "tcpflow");
        final Path flowDir = work.resolve("tcpflow");
        Files.createDirectories(flowDir);
        final Path unpadded = work.resolve("unpadded.pcap");
        withoutEthernetPadding(capture, unpadded);
        ExternalTool.run("tcpflow", "-r", unpadded.toString(), "-o", flowDir.toString());
        final Map<String, Path> all = new HashMap<>();
        try (Stream<Path> files = Files.list(flowDir)) {
            files.forEach(f -> all.put(f.getFileName().toString(), f));
        }
        final Map<String, Path> single = new HashMap<>();
        all.forEach((name, path) -> {
            if (name.matches("[0-9.]+-[0-9.]+") && !all.containsKey(name + "c1")) {
                single.put(name, path);
            }
        });
        return single;
    }

    /** Copies a capture, cutting each Ethernet/IPv4 frame at the end of its IP packet. */
    public static void withoutEthernetPadding(final Path from, final Path to) {
        try (io.trawl.capture.pcap.PcapFileSource source = io.trawl.capture.pcap.PcapFileSource.open(from);
             io.trawl.capture.synthetic.PcapWriter writer = io.trawl.capture.synthetic.PcapWriter.ethernet(to)) {
            final io.trawl.capture.ReceiveQueue queue = source.queue(0);
            while (queue.poll(p -> {
                int length = p.captureLength();
                if (p.linkType() == 1 && length >= 34 && p.u16(12) == 0x0800 && (p.u8(14) >> 4) == 4) {
                    length = Math.min(length, 14 + p.u16(16));
                }
                writer.write(p.timestampNanos(), p.memory(), p.offset(), length, Math.min(p.wireLength(), length));
            }, 256) != io.trawl.capture.ReceiveQueue.END_OF_INPUT) {
                // copy everything
            }
        }
    }

    /** Dotted decimal from the flow key's dotted hex ({@code C0.A8.01.02}). */
    public static String readable(final String hexAddress) {
        final String[] bytes = hexAddress.split("\\.");
        final StringBuilder out = new StringBuilder();
        for (final String b : bytes) {
            out.append(out.isEmpty() ? "" : ".").append(Integer.parseInt(b, 16));
        }
        return out.toString();
    }
}

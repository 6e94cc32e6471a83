package io.trawl.perf.replay;

import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.pcap.PcapFileSource;

import java.nio.file.Path;

/**
 * trawl's raw read rate: map a capture and walk every record (touching the first and last byte of each
 * packet), nothing else. Prints {@code packets seconds} of the last of {@code passes} passes (earlier
 * passes warm the JIT; the file is in the page cache for every pass and for every peer).
 */
public final class RawReadRate {
    private RawReadRate() {
    }

    public static void main(final String[] args) {
        final Path file = Path.of(args[0]);
        final int passes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        final long[] sink = new long[2];
        long packets = 0;
        long nanos = 0;
        for (int pass = 0; pass < passes; pass++) {
            try (PcapFileSource source = PcapFileSource.open(file)) {
                final ReceiveQueue queue = source.queue(0);
                final long start = System.nanoTime();
                packets = 0;
                int polled;
                while ((polled = queue.poll(p -> sink[0] += p.u8(0) + p.u8(p.captureLength() - 1), 256)) != ReceiveQueue.END_OF_INPUT) {
                    packets += polled;
                }
                nanos = System.nanoTime() - start;
            }
        }
        System.out.println(packets + " " + (nanos / 1e9) + " " + (sink[0] & 1));
    }
}

package io.trawl.capture;

import java.util.Map;

/**
 * A source of packets: a capture file, a DPDK port, AF_XDP sockets, an AF_PACKET ring.
 *
 * <p>Lifecycle: opened by a {@link CaptureSourceProvider}, polled through its {@link #queue(int)}s, then
 * {@link #close()}d once by the thread that opened it, after every polling thread has stopped.
 * {@link #drops()} and {@link #statistics()} may be called from any thread at any time.
 */
public interface CaptureSource extends AutoCloseable {
    /** What this source reads, for the console and summary ("pcap:/x/y.pcap (Ethernet, 7000 packets)"). */
    String description();

    /** Independent receive queues; at least 1. */
    int queueCount();

    /** The receive queue {@code index} in {@code [0, queueCount())}. */
    ReceiveQueue queue(int index);

    /** True when the source ends by itself (a file replay); live sources run until stopped. */
    boolean isFinite();

    /**
     * How far a finite source has progressed, in its own units (bytes of the file), for progress bars.
     * Returns {@code -1} for live sources.
     */
    default long progressPosition() {
        return -1;
    }

    /** The value {@link #progressPosition()} reaches at the end, or {@code -1}. */
    default long progressTotal() {
        return -1;
    }

    /**
     * Packets lost before trawl saw them, one entry per cause (kernel ring full, NIC missed, truncated
     * file record...). Keys are stable snake_case names; they go to {@code summary.json} {@code drops}.
     */
    Map<String, Long> drops();

    /**
     * Other facts about the input worth reporting, one entry per name (records over the snap length,
     * empty records...). Keys are stable snake_case names; they go to {@code summary.json} {@code capture}.
     */
    default Map<String, Long> statistics() {
        return Map.of();
    }

    /**
     * Why the source stopped delivering before its natural end (a corrupt file, a device error), or null.
     * The run reports it and exits with a failure status after writing its outputs.
     */
    default String failure() {
        return null;
    }

    /** Releases everything the source holds. Idempotent. */
    @Override
    void close();
}

package io.trawl.capture.synthetic;

/** Where synthetic packets go: a {@link PcapWriter}, a list, an interleaver. */
@FunctionalInterface
public interface PacketSink {
    void emit(long timestampNanos, byte[] frame);

    /** A sink writing to a pcap file. */
    static PacketSink of(final PcapWriter writer) {
        return (ts, frame) -> writer.write(ts, frame, 0, frame.length);
    }
}

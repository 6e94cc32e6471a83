package io.trawl.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately simple, independent reader of classic pcap files (heap arrays, no mapping), used as the
 * oracle for capture sources: whatever a source delivers must equal what this reads.
 */
public final class ReferencePcap {
    /** One record. */
    public record Record(long timestampNanos, int wireLength, byte[] data) {
        @Override
        public boolean equals(final Object other) {
            return other instanceof Record r && r.timestampNanos == timestampNanos && r.wireLength == wireLength
                && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + Long.hashCode(timestampNanos);
        }
    }

    private ReferencePcap() {
    }

    /** Every complete record of a classic pcap file. */
    public static List<Record> read(final Path file) {
        try {
            final ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file));
            final int magic = buffer.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            final boolean little = magic == 0xA1B2C3D4 || magic == 0xA1B23C4D;
            buffer.order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            final boolean nanos = buffer.getInt(0) == 0xA1B23C4D;
            final List<Record> records = new ArrayList<>();
            int at = 24;
            while (at + 16 <= buffer.limit()) {
                final long seconds = buffer.getInt(at) & 0xFFFFFFFFL;
                final long fraction = buffer.getInt(at + 4) & 0xFFFFFFFFL;
                final int caplen = buffer.getInt(at + 8);
                final int wire = buffer.getInt(at + 12);
                if (at + 16 + caplen > buffer.limit()) {
                    break;
                }
                final byte[] data = Arrays.copyOfRange(buffer.array(), at + 16, at + 16 + caplen);
                if (caplen > 0) {
                    records.add(new Record(seconds * 1_000_000_000L + fraction * (nanos ? 1 : 1000), wire, data));
                }
                at += 16 + caplen;
            }
            return records;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

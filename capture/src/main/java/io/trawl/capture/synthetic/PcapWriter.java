package io.trawl.capture.synthetic;

import io.trawl.capture.LinkType;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes classic little-endian pcap files (microsecond or nanosecond timestamps) that tcpdump, tshark and
 * capinfos read. Not thread-safe.
 */
public final class PcapWriter implements Closeable {
    private final OutputStream out;
    private final boolean nanos;
    private final byte[] header = new byte[16];
    private final byte[] copy = new byte[65536];
    private long packets;
    private long bytes;

    /** Creates {@code file} with a file header for {@code linkType} and {@code snaplen}. */
    public PcapWriter(final Path file, final int linkType, final int snaplen, final boolean nanos) {
        this.nanos = nanos;
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            final byte[] fileHeader = new byte[24];
            putInt(fileHeader, 0, nanos ? 0xA1B23C4D : 0xA1B2C3D4);
            putShort(fileHeader, 4, 2);
            putShort(fileHeader, 6, 4);
            putInt(fileHeader, 16, snaplen);
            putInt(fileHeader, 20, linkType);
            out.write(fileHeader);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** An Ethernet, microsecond pcap with a 262144-byte snap length. */
    public static PcapWriter ethernet(final Path file) {
        return new PcapWriter(file, LinkType.ETHERNET, 262144, false);
    }

    /** Appends one record; the wire length equals the captured length. */
    public void write(final long timestampNanos, final byte[] data, final int offset, final int length) {
        write(timestampNanos, data, offset, length, length);
    }

    /** Appends one record with a wire length that may exceed what is captured. */
    public void write(final long timestampNanos, final byte[] data, final int offset, final int length,
                      final int wireLength) {
        final long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
        final long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
        putInt(header, 0, (int) seconds);
        putInt(header, 4, (int) (nanos ? fraction : fraction / 1000));
        putInt(header, 8, length);
        putInt(header, 12, wireLength);
        try {
            out.write(header);
            out.write(data, offset, length);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        packets++;
        bytes += length;
    }

    /** Appends one record whose bytes are in native memory (e.g. a packet being stored). */
    public void write(final long timestampNanos, final MemorySegment memory, final long offset, final int length,
                      final int wireLength) {
        final byte[] buffer = length <= copy.length ? copy : new byte[length];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, buffer, 0, length);
        write(timestampNanos, buffer, 0, length, wireLength);
    }

    /** Records written. */
    public long packets() {
        return packets;
    }

    /** Captured bytes written (excluding headers). */
    public long bytes() {
        return bytes;
    }

    /** Pushes buffered records to the file. */
    public void flush() {
        try {
            out.flush();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putInt(final byte[] b, final int at, final int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private static void putShort(final byte[] b, final int at, final int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}

package io.trawl.capture.pcap;

import io.trawl.capture.PacketView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Classic libpcap files.
 *
 * <pre>
 * file header (24 bytes)                       record header (16 bytes), then caplen bytes
 * 0  magic a1b2c3d4 (us) / a1b23c4d (ns)        0  ts seconds
 * 4  version major, minor (u16 each)            4  ts fraction (us or ns)
 * 8  thiszone, 12 sigfigs                       8  caplen (bytes in the file)
 * 16 snaplen                                    12 wire length
 * 20 link type (low 16 bits; high bits: FCS)
 * </pre>
 */
final class ClassicPcapReader extends CaptureFileReader {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;

    // Constant layouts (a layout held in a field is not a constant to the JIT, and every access through
    // it would go the slow, uninlined way); the file's order picks one of them.
    private static final ValueLayout.OfInt U32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private final boolean bigEndian;
    private final long fractionToNanos;
    private final int snaplen;
    private final int linkType;

    ClassicPcapReader(final MemorySegment file, final String name, final FileStatistics statistics,
                      final ByteOrder order, final boolean nanos) {
        super(file, name, statistics);
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
        this.fractionToNanos = nanos ? 1 : 1000;
        this.snaplen = u32(16);
        this.linkType = u32(20) & 0xFFFF;
        this.position = FILE_HEADER_LENGTH;
    }

    @Override
    boolean next(final PacketView view) {
        while (true) {
            final long at = position;
            final long remaining = fileSize - at;
            if (remaining <= 0) {
                return false;
            }
            if (remaining < RECORD_HEADER_LENGTH) {
                return truncatedAtEnd();
            }
            final long seconds = u32(at) & 0xFFFF_FFFFL;
            final long fraction = u32(at + 4) & 0xFFFF_FFFFL;
            final long captureLength = u32(at + 8) & 0xFFFF_FFFFL;
            final long wireLength = u32(at + 12) & 0xFFFF_FFFFL;
            if (captureLength > MAX_CAPTURE_LENGTH) {
                return fail("record at byte " + at + " claims " + captureLength + " captured bytes (more than "
                    + MAX_CAPTURE_LENGTH + "); the file is corrupt from here on");
            }
            if (captureLength > remaining - RECORD_HEADER_LENGTH) {
                return truncatedAtEnd();
            }
            position = at + RECORD_HEADER_LENGTH + captureLength;
            statistics.records++;
            if (captureLength == 0) {
                statistics.emptyRecords++;
                continue;
            }
            if (snaplen > 0 && captureLength > (snaplen & 0xFFFF_FFFFL)) {
                statistics.captureOverSnaplen++;
            }
            if (wireLength < captureLength) {
                statistics.captureOverWireLength++;
            }
            view.wrap(file, at + RECORD_HEADER_LENGTH, (int) captureLength, (int) Math.min(wireLength, Integer.MAX_VALUE),
                seconds * 1_000_000_000L + fraction * fractionToNanos, linkType);
            return true;
        }
    }

    private int u32(final long at) {
        return bigEndian ? file.get(U32_BE, at) : file.get(U32_LE, at);
    }

    @Override
    int primaryLinkType() {
        return linkType;
    }
}

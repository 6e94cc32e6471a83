package io.trawl.capture.pcap;

import io.trawl.capture.PacketView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * pcapng files: a sequence of sections, each starting with a Section Header Block that sets the byte
 * order of its blocks. Interfaces (IDB) give each packet its link type, snap length and timestamp
 * resolution.
 *
 * <pre>
 * every block:  0 type (u32)  4 total length (u32)  ... body ...  total length (u32)
 * SHB 0x0A0D0D0A: 8 byte-order magic 1A2B3C4D, 12 version, 16 section length (i64), 24 options
 * IDB 1:          8 link type (u16), 10 reserved, 12 snaplen (u32), 16 options (if_tsresol = 9, if_tsoffset = 14)
 * EPB 6:          8 interface id, 12 ts high, 16 ts low, 20 caplen, 24 wire length, 28 data
 * SPB 3:          8 wire length, 12 data (caplen = min(wire length, snaplen, block room))
 * PB 2 (old):     8 interface id (u16), 10 drops (u16), 12 ts high, 16 ts low, 20 caplen, 24 wire length, 28 data
 * </pre>
 */
final class PcapngReader extends CaptureFileReader {
    static final int SECTION_HEADER = 0x0A0D0D0A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int INTERFACE_DESCRIPTION = 1;
    private static final int OBSOLETE_PACKET = 2;
    private static final int SIMPLE_PACKET = 3;
    private static final int ENHANCED_PACKET = 6;
    private static final int OPTION_END = 0;
    private static final int OPTION_TSRESOL = 9;
    private static final int OPTION_TSOFFSET = 14;

    // Constant layouts (a layout held in a field is not a constant to the JIT, and every access through
    // it would go the slow, uninlined way); the current section's order picks one of them.
    private static final ValueLayout.OfInt U32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private boolean bigEndian = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    // Interfaces of the current section, indexed by interface id.
    private int interfaceCount;
    private int[] linkTypes = new int[4];
    private long[] snaplens = new long[4];
    /** Timestamp units per second as a power: value >= 0 is 10^-value, value < 0 is 2^-(-value). */
    private int[] resolutions = new int[4];
    private long[] offsetsNanos = new long[4];
    private int firstLinkType = -1;
    private long lastTimestampNanos;

    PcapngReader(final MemorySegment file, final String name, final FileStatistics statistics) {
        super(file, name, statistics);
        this.position = 0;
    }

    @Override
    boolean next(final PacketView view) {
        while (true) {
            final long at = position;
            final long remaining = fileSize - at;
            if (remaining <= 0) {
                return false;
            }
            if (remaining < 12) {
                return truncatedAtEnd();
            }
            final int rawType = file.get(ValueLayout.JAVA_INT_UNALIGNED, at);
            if (rawType == SECTION_HEADER) {
                if (!readSectionHeader(at, remaining)) {
                    return false;
                }
                continue;
            }
            final int type = u32(at);
            final long length = u32(at + 4) & 0xFFFF_FFFFL;
            if (length < 12 || (length & 3) != 0) {
                return fail("block at byte " + at + " has an impossible length " + length + "; the file is corrupt");
            }
            if (length > remaining) {
                return truncatedAtEnd();
            }
            position = at + length;
            switch (type) {
                case INTERFACE_DESCRIPTION -> {
                    if (!readInterface(at, length)) {
                        return false;
                    }
                }
                case ENHANCED_PACKET, OBSOLETE_PACKET -> {
                    if (length < 32) {
                        return fail("packet block at byte " + at + " is too short (" + length + " bytes)");
                    }
                    final int interfaceId = type == ENHANCED_PACKET
                        ? u32(at + 8) : u16(at + 8) & 0xFFFF;
                    final long high = u32(at + 12) & 0xFFFF_FFFFL;
                    final long low = u32(at + 16) & 0xFFFF_FFFFL;
                    final long captureLength = u32(at + 20) & 0xFFFF_FFFFL;
                    final long wireLength = u32(at + 24) & 0xFFFF_FFFFL;
                    if (deliver(view, at, length, 28, interfaceId, (high << 32) | low, true, captureLength, wireLength)) {
                        return true;
                    }
                    if (failure() != null) {
                        return false;
                    }
                }
                case SIMPLE_PACKET -> {
                    final long wireLength = u32(at + 8) & 0xFFFF_FFFFL;
                    long captureLength = Math.min(wireLength, length - 16);
                    if (interfaceCount > 0 && snaplens[0] > 0) {
                        captureLength = Math.min(captureLength, snaplens[0]);
                    }
                    if (deliver(view, at, length, 12, 0, 0, false, captureLength, wireLength)) {
                        return true;
                    }
                    if (failure() != null) {
                        return false;
                    }
                }
                default -> statistics.skippedBlocks++;
            }
        }
    }

    private boolean deliver(final PacketView view, final long at, final long blockLength, final int dataOffset,
                            final int interfaceId, final long rawTimestamp, final boolean hasTimestamp,
                            final long captureLength, final long wireLength) {
        statistics.records++;
        if (captureLength > MAX_CAPTURE_LENGTH) {
            return fail("packet block at byte " + at + " claims " + captureLength + " captured bytes (more than "
                + MAX_CAPTURE_LENGTH + "); the file is corrupt");
        }
        if (dataOffset + captureLength + 4 > blockLength) {
            return fail("packet block at byte " + at + " claims " + captureLength
                + " captured bytes but the block holds only " + (blockLength - dataOffset - 4));
        }
        if (interfaceId < 0 || interfaceId >= interfaceCount) {
            statistics.unknownInterface++;
            return false;
        }
        if (captureLength == 0) {
            statistics.emptyRecords++;
            return false;
        }
        if (snaplens[interfaceId] > 0 && captureLength > snaplens[interfaceId]) {
            statistics.captureOverSnaplen++;
        }
        if (wireLength < captureLength) {
            statistics.captureOverWireLength++;
        }
        if (hasTimestamp) {
            lastTimestampNanos = toNanos(rawTimestamp, resolutions[interfaceId]) + offsetsNanos[interfaceId];
        }
        view.wrap(file, at + dataOffset, (int) captureLength, (int) Math.min(wireLength, Integer.MAX_VALUE),
            lastTimestampNanos, linkTypes[interfaceId]);
        return true;
    }

    static long toNanos(final long units, final int resolution) {
        if (resolution >= 0) {
            if (resolution <= 9) {
                return units * POWERS_OF_TEN[9 - resolution];
            }
            return units / POWERS_OF_TEN[Math.min(resolution - 9, 18)];
        }
        final int shift = -resolution;
        if (shift >= 63) {
            return 0;
        }
        final long whole = units >>> shift;
        final long fraction = units & ((1L << shift) - 1);
        return whole * 1_000_000_000L + Math.unsignedMultiplyHigh(fraction << (64 - shift), 1_000_000_000L);
    }

    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private boolean readSectionHeader(final long at, final long remaining) {
        if (remaining < 28) {
            return truncatedAtEnd();
        }
        final int magic = file.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 8);
        final ByteOrder order;
        if (magic == BYTE_ORDER_MAGIC) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return fail("section header at byte " + at + " has no valid byte-order magic; not a pcapng file");
        }
        bigEndian = order == ByteOrder.BIG_ENDIAN;
        final long length = u32(at + 4) & 0xFFFF_FFFFL;
        if (length < 28 || (length & 3) != 0) {
            return fail("section header at byte " + at + " has an impossible length " + length);
        }
        if (length > remaining) {
            return truncatedAtEnd();
        }
        final int major = u16(at + 12) & 0xFFFF;
        if (major != 1) {
            return fail("section header at byte " + at + " has pcapng version " + major + "."
                + (u16(at + 14) & 0xFFFF) + "; only version 1.x is defined");
        }
        interfaceCount = 0;
        position = at + length;
        return true;
    }

    private boolean readInterface(final long at, final long length) {
        if (length < 20) {
            return fail("interface block at byte " + at + " is too short (" + length + " bytes)");
        }
        if (interfaceCount == linkTypes.length) {
            final int size = interfaceCount * 2;
            linkTypes = Arrays.copyOf(linkTypes, size);
            snaplens = Arrays.copyOf(snaplens, size);
            resolutions = Arrays.copyOf(resolutions, size);
            offsetsNanos = Arrays.copyOf(offsetsNanos, size);
        }
        final int id = interfaceCount++;
        linkTypes[id] = u16(at + 8) & 0xFFFF;
        snaplens[id] = u32(at + 12) & 0xFFFF_FFFFL;
        resolutions[id] = 6;
        offsetsNanos[id] = 0;
        if (firstLinkType < 0) {
            firstLinkType = linkTypes[id];
        }
        long option = at + 16;
        final long end = at + length - 4;
        while (option + 4 <= end) {
            final int code = u16(option) & 0xFFFF;
            final int optionLength = u16(option + 2) & 0xFFFF;
            if (code == OPTION_END || option + 4 + optionLength > end) {
                break;
            }
            if (code == OPTION_TSRESOL && optionLength >= 1) {
                final int value = file.get(ValueLayout.JAVA_BYTE, option + 4) & 0xFF;
                resolutions[id] = (value & 0x80) == 0 ? value : -(value & 0x7F);
            } else if (code == OPTION_TSOFFSET && optionLength >= 8) {
                offsetsNanos[id] = u64(option + 4) * 1_000_000_000L;
            }
            option += 4 + ((optionLength + 3) & ~3);
        }
        return true;
    }

    @Override
    int primaryLinkType() {
        return Math.max(firstLinkType, 0);
    }

    private int u32(final long at) {
        return bigEndian ? file.get(U32_BE, at) : file.get(U32_LE, at);
    }

    private short u16(final long at) {
        return bigEndian ? file.get(U16_BE, at) : file.get(U16_LE, at);
    }

    private long u64(final long at) {
        return bigEndian ? file.get(U64_BE, at) : file.get(U64_LE, at);
    }
}

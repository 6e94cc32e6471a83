package io.trawl.capture.pcap;

import io.trawl.capture.PacketView;

import java.lang.foreign.MemorySegment;

/**
 * Walks the records of a mapped capture file. One implementation per format; the caller owns the thread.
 * Problems with single records are counted in {@link FileStatistics}; a problem that makes the rest of the
 * file unreadable ends the walk with {@link #failure()} set.
 */
abstract sealed class CaptureFileReader permits ClassicPcapReader, PcapngReader {
    /** Largest capture length accepted (256 KiB); beyond it the file is treated as corrupt. */
    static final int MAX_CAPTURE_LENGTH = 256 * 1024;

    protected final MemorySegment file;
    protected final long fileSize;
    protected final String name;
    protected final FileStatistics statistics;
    protected long position;
    private String failure;

    CaptureFileReader(final MemorySegment file, final String name, final FileStatistics statistics) {
        this.file = file;
        this.fileSize = file.byteSize();
        this.name = name;
        this.statistics = statistics;
    }

    /**
     * Points {@code view} at the next packet.
     *
     * @return false at the end of the file, or when the file turned out to be unreadable ({@link #failure()})
     */
    abstract boolean next(PacketView view);

    /** The link type of the file's first interface (for the description). */
    abstract int primaryLinkType();

    /** Byte offset of the next record. */
    final long position() {
        return position;
    }

    /** Why reading stopped before the end of the file, or null. */
    final String failure() {
        return failure;
    }

    protected final boolean fail(final String message) {
        failure = name + ": " + message;
        position = fileSize;
        return false;
    }

    /** A record that runs past the end of the file: counted, and the walk ends there. */
    protected final boolean truncatedAtEnd() {
        statistics.truncatedRecords++;
        position = fileSize;
        return false;
    }
}

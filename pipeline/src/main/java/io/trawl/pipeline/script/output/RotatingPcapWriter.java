package io.trawl.pipeline.script.output;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * Writes packets to a series of classic pcap files (nanosecond timestamps, little-endian), one series per
 * pipeline: {@code DIR/<prefix>-00001.pcap}, ... A file is closed and the next started when it would
 * exceed the size limit, or when the link type changes; beyond the file count limit the oldest file is
 * deleted (counted). Records are buffered and written in large blocks.
 *
 * <pre>
 * file header (24 B): magic a1b23c4d, version 2.4, thiszone 0, sigfigs 0, snaplen, linktype
 * record (16 B + data): seconds, nanoseconds, captured length, wire length
 * </pre>
 *
 * <p>Threading: one writer thread.
 */
public final class RotatingPcapWriter implements AutoCloseable {
    private static final int MAGIC_NANOS = 0xA1B23C4D;
    private static final int SNAPLEN = 262_144;
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private final Path directory;
    private final String prefix;
    private final long fileBytes;
    private final int maxFiles;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final ArrayDeque<Path> files = new ArrayDeque<>();
    private FileChannel channel;
    private int linkType = -1;
    private long currentBytes;
    private int sequence;
    private long packets;
    private long bytes;
    private long filesDeleted;
    private IOException failure;

    public RotatingPcapWriter(final Path directory, final String prefix, final long fileBytes, final int maxFiles) {
        this.directory = directory;
        this.prefix = prefix;
        this.fileBytes = fileBytes;
        this.maxFiles = maxFiles;
    }

    /**
     * Appends one record: {@code captured} bytes of {@code memory} from {@code offset}.
     *
     * @return false when the write failed (the first failure is kept in {@link #failure()})
     */
    public boolean write(final long timestampNanos, final int link, final MemorySegment memory, final long offset,
                         final int captured, final int wireLength) {
        if (failure != null) {
            return false;
        }
        try {
            final int record = RECORD_HEADER + captured;
            if (channel == null || link != linkType || currentBytes + record > fileBytes && currentBytes > FILE_HEADER) {
                rotate(link);
            }
            if (buffer.remaining() < record) {
                drain();
            }
            if (buffer.remaining() < record) { // a record larger than the buffer: write it directly
                writeDirect(timestampNanos, memory, offset, captured, wireLength);
            } else {
                buffer.putInt((int) Math.floorDiv(timestampNanos, 1_000_000_000L))
                    .putInt((int) Math.floorMod(timestampNanos, 1_000_000_000L))
                    .putInt(captured).putInt(wireLength);
                buffer.put(memory.asSlice(offset, captured).asByteBuffer());
            }
            currentBytes += record;
            packets++;
            bytes += captured;
            return true;
        } catch (final IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            return false;
        }
    }

    private void writeDirect(final long timestampNanos, final MemorySegment memory, final long offset,
                             final int captured, final int wireLength) throws IOException {
        final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt((int) Math.floorDiv(timestampNanos, 1_000_000_000L))
            .putInt((int) Math.floorMod(timestampNanos, 1_000_000_000L)).putInt(captured).putInt(wireLength).flip();
        writeFully(header);
        writeFully(memory.asSlice(offset, captured).asByteBuffer());
    }

    private void rotate(final int link) throws IOException {
        closeFile();
        Files.createDirectories(directory);
        final Path file = directory.resolve(String.format("%s-%05d.pcap", prefix, ++sequence));
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        files.addLast(file);
        while (maxFiles > 0 && files.size() > maxFiles) {
            Files.deleteIfExists(files.removeFirst());
            filesDeleted++;
        }
        linkType = link;
        buffer.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
            .putInt(link);
        currentBytes = FILE_HEADER;
    }

    private void drain() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(final ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    private void closeFile() throws IOException {
        if (channel != null) {
            drain();
            channel.close();
            channel = null;
        }
    }

    /** Writes buffered records (end of input). */
    public void flush() {
        if (channel != null && failure == null) {
            try {
                drain();
            } catch (final IOException e) {
                failure = e;
            }
        }
    }

    public long packets() {
        return packets;
    }

    /** Captured bytes written (without pcap headers). */
    public long bytes() {
        return bytes;
    }

    public long filesDeleted() {
        return filesDeleted;
    }

    /** Files written so far (including deleted ones). */
    public int filesWritten() {
        return sequence;
    }

    /** The first write failure, or null. */
    public IOException failure() {
        return failure;
    }

    @Override
    public void close() {
        try {
            closeFile();
        } catch (final IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}

package io.trawl.pipeline.counters;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped file of counters: a 64-byte header, then Agrona counter metadata, then values.
 *
 * <pre>
 * 0  magic "TRWLCNT1" (8)   8  pid (8)   16 start time ms (8)   24 metadata length (4)   28 values length (4)
 * 64 metadata (capacity x 512 bytes)     then values (capacity x 128 bytes)
 * </pre>
 *
 * <p>Threading: counters are allocated by the main thread at startup ({@link #newCounter} is not
 * thread-safe); each counter then has a single writer thread; any thread or process may read.
 */
public final class CountersFile implements AutoCloseable {
    private static final long MAGIC = 0x31544E434C575254L; // "TRWLCNT1" little-endian
    private static final int HEADER_LENGTH = 64;

    private final Path path;
    private final MappedByteBuffer mapping;
    private final CountersManager manager;

    private CountersFile(final Path path, final MappedByteBuffer mapping, final CountersManager manager) {
        this.path = path;
        this.mapping = mapping;
        this.manager = manager;
    }

    /** Creates (or replaces) the counters file with room for {@code capacity} counters. */
    public static CountersFile create(final Path path, final int capacity) {
        final int metadataLength = capacity * CountersReader.METADATA_LENGTH;
        final int valuesLength = capacity * CountersReader.COUNTER_LENGTH;
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create counters file " + path + ": " + e.getMessage(), e);
        }
        final MappedByteBuffer mapping = IoUtil.mapNewFile(path.toFile(), HEADER_LENGTH + (long) metadataLength + valuesLength);
        final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        header.putLong(8, ProcessHandle.current().pid());
        header.putLong(16, System.currentTimeMillis());
        header.putInt(24, metadataLength);
        header.putInt(28, valuesLength);
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(mapping, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapping, HEADER_LENGTH + metadataLength, valuesLength), StandardCharsets.UTF_8);
        header.putLongVolatile(0, MAGIC); // last: readers see a complete header
        return new CountersFile(path, mapping, manager);
    }

    /** Allocates a counter. Main thread, at startup. */
    public AtomicCounter newCounter(final String label, final int typeId) {
        return manager.newCounter(label, typeId);
    }

    /** A reader over this file's counters (same process). */
    public CountersReader reader() {
        return manager;
    }

    public Path path() {
        return path;
    }

    /**
     * Opens a counters file written by a (possibly running) trawl process, for reading.
     *
     * @throws IllegalArgumentException when the file is not a trawl counters file
     */
    public static CountersReader openReader(final Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
            if (channel.size() < HEADER_LENGTH || header.getLongVolatile(0) != MAGIC) {
                throw new IllegalArgumentException(path + " is not a trawl counters file");
            }
            final int metadataLength = header.getInt(24);
            final int valuesLength = header.getInt(28);
            return new CountersReader(new UnsafeBuffer(mapping, HEADER_LENGTH, metadataLength),
                new UnsafeBuffer(mapping, HEADER_LENGTH + metadataLength, valuesLength), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read counters file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        IoUtil.unmap(mapping);
    }
}

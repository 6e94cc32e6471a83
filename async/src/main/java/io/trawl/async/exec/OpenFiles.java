package io.trawl.async.exec;

import io.trawl.async.files.FileOperations;
import io.trawl.async.files.PathPolicy;
import io.trawl.async.files.PathRefusedException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's files open for {@code copybuffer}, so a stream of writes spread over many files does not
 * pay a confinement check, an open and a close per write. A cached channel is reused only while its
 * path still names the same file (one {@code lstat} per batch compares the file key): a file another
 * job renamed over ({@code copy}), removed ({@code rm}) or replaced is reopened, and the confinement
 * check runs again on every open. At most {@link #CAPACITY} files are open (least recently written
 * closed first; 1,024, or a sixteenth of the process's descriptor limit when that is lower, at least 32:
 * writes spread over many files, as in an extraction of many concurrent downloads or a recovery, reopen
 * nothing), and all are closed when the worker has been idle for a moment, so removed files do
 * not keep their disk space.
 *
 * <p>Threading: its worker's thread only.
 */
final class OpenFiles implements AutoCloseable {
    /** Most files a worker keeps open. */
    static final int CAPACITY = capacity();

    private static int capacity() {
        long limit = 1L << 20;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            limit = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(32, Math.min(1024, limit / 16));
    }

    private record Open(FileChannel channel, Object fileKey) {
    }

    private final FileOperations files;
    private final PathPolicy paths;
    private final LinkedHashMap<Path, Open> open = new LinkedHashMap<>(64, 0.75f, true);

    OpenFiles(final FileOperations files, final PathPolicy paths) {
        this.files = files;
        this.paths = paths;
    }

    /** An open channel on {@code file} (confined, created if missing). */
    FileChannel channel(final Path file) throws IOException, PathRefusedException {
        final Open cached = open.get(file);
        if (cached != null) {
            final Object key = fileKey(file);
            if (key != null && key.equals(cached.fileKey())) {
                return cached.channel();
            }
            close(file);
        }
        paths.checkReal("copybuffer", file);
        final FileChannel channel = files.openForWrite(file);
        final Object key = fileKey(file);
        if (key == null) {
            return withoutReuse(file, channel); // no file key on this filesystem: never reused
        }
        if (open.size() >= CAPACITY) {
            final Iterator<Map.Entry<Path, Open>> eldest = open.entrySet().iterator();
            closeQuietly(eldest.next().getValue().channel());
            eldest.remove();
        }
        open.put(file, new Open(channel, key));
        return channel;
    }

    private FileChannel withoutReuse(final Path file, final FileChannel channel) {
        open.put(file, new Open(channel, new Object())); // a key no lstat will ever match
        return channel;
    }

    /** Closes {@code file}'s channel if open (after a failed write). */
    void close(final Path file) {
        final Open cached = open.remove(file);
        if (cached != null) {
            closeQuietly(cached.channel());
        }
    }

    /** True when no file is open. */
    boolean isEmpty() {
        return open.isEmpty();
    }

    @Override
    public void close() {
        for (final Open cached : open.values()) {
            closeQuietly(cached.channel());
        }
        open.clear();
    }

    private static Object fileKey(final Path file) {
        try {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? attributes.fileKey() : null;
        } catch (final IOException e) {
            return null;
        }
    }

    private static void closeQuietly(final FileChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // the writes before were reported; nothing more to do for a failing close
        }
    }
}

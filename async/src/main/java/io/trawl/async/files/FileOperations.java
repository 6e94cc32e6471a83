package io.trawl.async.files;

import io.trawl.async.job.AsyncJob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file effects of T.async jobs, on a worker thread. Copies stay in the kernel
 * ({@link FileChannel#transferTo}); {@code copy} writes a temporary file beside the destination and
 * renames it over the destination, so a reader never sees half a copy; {@code copybuffer} writes straight
 * from the off-heap staging memory with positional writes, and a run of copybuffer jobs to the same file
 * becomes as few gathering writes as their positions allow.
 *
 * <p>Threading: one instance per worker.
 */
public final class FileOperations {
    private static final int MAX_GATHER = 1024;

    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];

    /** Appends {@code from} to the end of {@code to} (created if missing). Returns bytes written. */
    public long cat(final Path from, final Path to) throws IOException {
        createParent(to);
        try (FileChannel source = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel target = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            return transfer(source, target, target.size());
        }
    }

    /** Copies {@code from} over {@code to} through a temporary file and an atomic rename. Returns bytes written. */
    public long copy(final Path from, final Path to, final long jobId) throws IOException {
        createParent(to);
        final Path temporary = to.resolveSibling("." + to.getFileName() + ".trawl-" + jobId + ".tmp");
        try (FileChannel source = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel target = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                 StandardOpenOption.TRUNCATE_EXISTING)) {
            final long written = transfer(source, target, 0);
            Files.move(temporary, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Deletes {@code file} if present. */
    public void remove(final Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * Writes a batch of copybuffer jobs to their (common) file: appends at the end, positioned ones at
     * their seekpos, coalescing adjacent ones into gathering writes. Returns bytes written; sets each
     * job's outcome through {@code done}.
     */
    public long copyBuffers(final AsyncJob head) throws IOException {
        final Path file = head.target();
        createParent(file);
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long end = channel.size();
            AsyncJob job = head;
            while (job != null) {
                final long position = job.seekpos() >= 0 ? job.seekpos() : end;
                int count = 0;
                long length = 0;
                AsyncJob run = job;
                // Coalesce jobs whose bytes follow each other in the file.
                long next = position;
                while (run != null && count < MAX_GATHER && (run.seekpos() >= 0 ? run.seekpos() : end + length) == next) {
                    gather[count++] = run.bytes().asSlice(run.bytesOffset(), run.byteCount()).asByteBuffer();
                    length += run.byteCount();
                    next += run.byteCount();
                    run = run.batchNext;
                }
                long written = 0;
                channel.position(position);
                while (written < length) {
                    written += channel.write(gather, 0, count);
                }
                java.util.Arrays.fill(gather, 0, count, null);
                total += written;
                end = Math.max(end, position + length);
                job = run;
            }
        }
        return total;
    }

    private static long transfer(final FileChannel source, final FileChannel target, final long at) throws IOException {
        final long size = source.size();
        long done = 0;
        target.position(at);
        while (done < size) {
            final long n = source.transferTo(done, size - done, target);
            if (n <= 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    private static void createParent(final Path file) throws IOException {
        final Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
    }

    /** A message for an I/O failure, naming the path. */
    public static String describe(final IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file: " + e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

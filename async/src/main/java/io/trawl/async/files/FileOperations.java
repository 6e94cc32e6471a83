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
        return cat(from, to, null);
    }

    /** Where an append is about to write, told before it writes (the journal's INTENT). */
    @FunctionalInterface
    public interface AppendIntent {
        void at(long offset);
    }

    /**
     * Appends {@code from} to {@code to}: at the end, told to {@code intent} first; or, for a recovered job
     * ({@code recoveredOffset >= 0}), at that offset with the file cut right after what it wrote, so the
     * append ends up done exactly once.
     */
    public long cat(final Path from, final Path to, final AppendIntent intent, final long recoveredOffset) throws IOException {
        createParent(to);
        try (FileChannel source = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel target = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            final long position = recoveredOffset >= 0 ? recoveredOffset : target.size();
            if (intent != null) {
                intent.at(position);
            }
            final long written = transfer(source, target, position);
            if (recoveredOffset >= 0 && target.size() > position + written) {
                target.truncate(position + written);
            }
            return written;
        }
    }

    private long cat(final Path from, final Path to, final AppendIntent intent) throws IOException {
        return cat(from, to, intent, -1);
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
     * Writes {@code count} copybuffer jobs to their common file: appends at the (running) end, positioned
     * ones at their seekpos, adjacent ones coalesced into gathering writes. Returns bytes written.
     */
    public long copyBuffers(final AsyncJob[] jobs, final int count, final FileChannel channel) throws IOException {
        return copyBuffers(jobs, count, channel, null);
    }

    /**
     * Like {@link #copyBuffers(AsyncJob[], int, FileChannel)}, telling {@code intents} the offset of every
     * append before anything is written; recovered appends are written alone at their journaled offset
     * with the file cut after them.
     */
    public long copyBuffers(final AsyncJob[] jobs, final int count, final FileChannel channel, final JobIntent intents)
        throws IOException {
        long end = channel.size();
        boolean recovery = false;
        for (int i = 0; i < count; i++) {
            final AsyncJob job = jobs[i];
            recovery |= job.recoveredIntent >= 0;
            if (job.seekpos() < 0) {
                final long position = job.recoveredIntent >= 0 ? job.recoveredIntent : end;
                if (intents != null) {
                    intents.at(job, position);
                }
                end = position + job.byteCount();
            } else {
                end = Math.max(end, job.seekpos() + job.byteCount());
            }
        }
        if (intents != null) {
            intents.done();
        }
        return recovery ? writeOneByOne(jobs, count, channel) : writeCoalesced(jobs, count, channel);
    }

    /** The offset an append job is about to write at. */
    @FunctionalInterface
    public interface JobIntent {
        void at(AsyncJob job, long offset);

        /** Every offset of the batch was given; nothing has been written yet (a batching journal writes now). */
        default void done() {
        }
    }

    private long writeOneByOne(final AsyncJob[] jobs, final int count, final FileChannel channel) throws IOException {
        long total = 0;
        for (int i = 0; i < count; i++) {
            final AsyncJob job = jobs[i];
            final long position = job.recoveredIntent >= 0 ? job.recoveredIntent : job.seekpos() >= 0 ? job.seekpos() : channel.size();
            final java.nio.ByteBuffer buffer = job.bytes().asSlice(job.bytesOffset(), job.byteCount()).asByteBuffer();
            long at = position;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            if (job.recoveredIntent >= 0 && job.seekpos() < 0 && channel.size() > at) {
                channel.truncate(at);
            }
            total += job.byteCount();
        }
        return total;
    }

    private long writeCoalesced(final AsyncJob[] jobs, final int count, final FileChannel channel) throws IOException {
        long total = 0;
        long end = channel.size();
        int i = 0;
        while (i < count) {
            final long position = jobs[i].seekpos() >= 0 ? jobs[i].seekpos() : end;
            int n = 0;
            long length = 0;
            long next = position;
            while (i < count && n < MAX_GATHER && (jobs[i].seekpos() >= 0 ? jobs[i].seekpos() : end + length) == next) {
                final AsyncJob job = jobs[i++];
                gather[n++] = job.bytes().asSlice(job.bytesOffset(), job.byteCount()).asByteBuffer();
                length += job.byteCount();
                next += job.byteCount();
            }
            long written = 0;
            channel.position(position);
            while (written < length) {
                written += channel.write(gather, 0, n);
            }
            java.util.Arrays.fill(gather, 0, n, null);
            total += written;
            end = Math.max(end, position + length);
        }
        return total;
    }

    /** Opens (creating it and its directory if needed) a file for copybuffer writes. */
    public FileChannel openForWrite(final Path file) throws IOException {
        createParent(file);
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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

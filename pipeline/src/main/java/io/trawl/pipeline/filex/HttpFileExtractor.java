package io.trawl.pipeline.filex;

import io.trawl.pipeline.http.HttpListener;
import io.trawl.pipeline.http.HttpTransaction;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Stages decoded HTTP response bodies as files (file mode). A body is written to
 * {@code <dir>/<name>.writing}; at its end the file is renamed to {@code <dir>/<name>} and reported. A
 * body larger than the chunk size is cut into parts: each part becomes {@code <dir>/<name>.<offset>.part}
 * (offset = the part's position in the body) and is reported with {@code partial = true} as soon as it
 * is full; the last part too. A body cut short is reported with {@code partial = true}. Bytes are written
 * positionally, so holes after a gap stay holes.
 *
 * <p>Resources stay bounded however many bodies are in flight at once: bytes are collected in pooled
 * 16 KiB direct buffers, at most {@code maxBuffers} of them (a body that finds none writes each chunk
 * straight to its file, counted as {@code unbuffered_writes}); at most {@code maxOpenFiles} staging files
 * are open (the least recently written one is closed to open another, and reopened when it is written
 * again, counted as {@code reopened}).
 *
 * <p>Threading: one instance per pipeline, on the pipeline thread. Disk writes happen here, which is why
 * the staging directory should be a tmpfs.
 */
public final class HttpFileExtractor implements HttpListener {
    /** Default most write buffers per pipeline: 4096 of 16 KiB (64 MiB). */
    public static final int DEFAULT_MAX_BUFFERS = 4096;
    /** Default most open staging files per pipeline, when the process's descriptor limit is unknown. */
    public static final int DEFAULT_MAX_OPEN_FILES = 256;
    private static final int BUFFER_BYTES = 16 * 1024;

    private final Path directory;
    private final long chunkBytes;
    private final StagedFiles staged;
    private final ExtractedFileListener listener;
    private final String uniquePrefix;
    private final int maxBuffers;
    private final int maxOpenFiles;
    private final FileCounters counters = new FileCounters();
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    /** Bodies with an open channel, least recently written first. */
    private final LinkedHashMap<StagedBody, StagedBody> open = new LinkedHashMap<>(64, 0.75f, true);
    private int buffersInUse;
    private long sequence;
    private String lastError;

    /** Per body being staged. */
    private static final class StagedBody {
        Path base;
        Path working;
        FileChannel channel;
        boolean created;
        long partStart;
        /** Bytes of the current part's file (its furthest byte written). */
        long partLength;
        boolean multipart;
        ByteBuffer buffer;
        MemorySegment bufferMemory;
        long bufferPosition = -1;
        boolean failed;
    }

    /**
     * Open staging files each of {@code pipelines} extractors may hold: half of the process's file
     * descriptor limit (the JVM raises the soft limit to the hard one) beyond 512 kept for everything else,
     * shared by the pipelines, between 64 and 65536; {@link #DEFAULT_MAX_OPEN_FILES} when the limit is
     * unknown.
     */
    public static int openFileBudget(final int pipelines) {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            final long limit = unix.getMaxFileDescriptorCount();
            return (int) Math.clamp((limit - 512) / 2 / Math.max(1, pipelines), 64, 65_536);
        }
        return DEFAULT_MAX_OPEN_FILES;
    }

    /**
     * With the default resource bounds ({@link #DEFAULT_MAX_BUFFERS}, {@link #DEFAULT_MAX_OPEN_FILES}).
     *
     * @param uniquePrefix makes names unique across runs and pipelines (e.g. run id and pipeline index)
     */
    public HttpFileExtractor(final Path directory, final long chunkBytes, final StagedFiles staged,
                             final ExtractedFileListener listener, final String uniquePrefix) {
        this(directory, chunkBytes, staged, listener, uniquePrefix, DEFAULT_MAX_BUFFERS, DEFAULT_MAX_OPEN_FILES);
    }

    /**
     * @param maxBuffers   most 64 KiB write buffers held at once
     * @param maxOpenFiles most staging files open at once (at least 1)
     */
    public HttpFileExtractor(final Path directory, final long chunkBytes, final StagedFiles staged,
                             final ExtractedFileListener listener, final String uniquePrefix, final int maxBuffers,
                             final int maxOpenFiles) {
        this.directory = directory.toAbsolutePath().normalize();
        this.chunkBytes = chunkBytes;
        this.staged = staged;
        this.listener = listener;
        this.uniquePrefix = uniquePrefix;
        this.maxBuffers = maxBuffers;
        this.maxOpenFiles = Math.max(1, maxOpenFiles);
        try {
            Files.createDirectories(this.directory);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot create the file-extraction staging directory " + directory + ": "
                + e.getMessage(), e);
        }
    }

    /**
     * The staging path of the body of {@code transaction} ({@code <dir>/<name>}; parts add
     * {@code .<offset>.part}), from its response header on, or null when it is not being staged.
     */
    public static Path stagingPath(final HttpTransaction transaction) {
        return transaction.attachment instanceof StagedBody body ? body.base : null;
    }

    @Override
    public void onResponse(final int flow, final HttpTransaction transaction, final long timestampNanos) {
        if (transaction.ignored) {
            return;
        }
        final StagedBody body = new StagedBody();
        final String uri = transaction.request() == null ? "" : transaction.request().uri();
        body.base = StagingNames.path(directory, transaction.host(), uri, uniquePrefix + "-" + (++sequence));
        transaction.attachment = body;
    }

    @Override
    public void onBody(final int flow, final HttpTransaction transaction, long offset, final MemorySegment memory,
                       long memoryOffset, int length, final long timestampNanos) {
        if (!(transaction.attachment instanceof StagedBody body) || body.failed || transaction.ignored) {
            return;
        }
        while (length > 0) {
            final long partEnd = body.partStart + chunkBytes;
            if (offset >= partEnd) {
                body.multipart = true;
                finishPart(flow, transaction, body, true, timestampNanos);
                body.partStart = partEnd;
                body.partLength = 0;
                body.created = false;
                continue;
            }
            final int take = (int) Math.min(length, partEnd - offset);
            write(body, offset - body.partStart, memory, memoryOffset, take);
            if (body.failed) {
                return;
            }
            counters.bytes += take;
            offset += take;
            memoryOffset += take;
            length -= take;
        }
    }

    @Override
    public void onBodyEnd(final int flow, final HttpTransaction transaction, final long timestampNanos) {
        if (!(transaction.attachment instanceof StagedBody body) || transaction.ignored) {
            return;
        }
        transaction.attachment = null;
        if (body.failed) {
            releaseBuffer(body);
            return;
        }
        if (transaction.bodyLength() > body.partStart + chunkBytes) {
            body.multipart = true;
        }
        counters.extracted++;
        if (transaction.isPartial()) {
            counters.partial++;
        }
        finishPart(flow, transaction, body, body.multipart || transaction.isPartial(), timestampNanos);
        releaseBuffer(body);
    }

    private void write(final StagedBody body, final long position, final MemorySegment memory, final long memoryOffset,
                       final int length) {
        try {
            body.partLength = Math.max(body.partLength, position + length);
            if (body.buffer == null && length < BUFFER_BYTES) {
                takeBuffer(body);
            }
            final ByteBuffer buffer = body.buffer;
            if (buffer == null || length >= BUFFER_BYTES) {
                flush(body);
                writeThrough(body, position, memory.asSlice(memoryOffset, length).asByteBuffer());
                return;
            }
            final boolean contiguous = body.bufferPosition >= 0 && body.bufferPosition + buffer.position() == position;
            if (buffer.position() > 0 && (!contiguous || buffer.remaining() < length)) {
                flush(body);
            }
            if (buffer.position() == 0) {
                body.bufferPosition = position;
            }
            MemorySegment.copy(memory, memoryOffset, body.bufferMemory, buffer.position(), length);
            buffer.position(buffer.position() + length);
        } catch (final IOException e) {
            fail(body, e);
        }
    }

    private void takeBuffer(final StagedBody body) {
        if (!pool.isEmpty()) {
            body.buffer = pool.pop();
        } else if (buffersInUse < maxBuffers) {
            body.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        } else {
            counters.unbufferedWrites++;
            return; // every buffer is taken: this body writes through
        }
        buffersInUse++;
        body.bufferMemory = MemorySegment.ofBuffer(body.buffer);
        body.buffer.clear();
        body.bufferPosition = -1;
    }

    private void flush(final StagedBody body) throws IOException {
        final ByteBuffer buffer = body.buffer;
        if (buffer == null || buffer.position() == 0) {
            return;
        }
        buffer.flip();
        writeThrough(body, body.bufferPosition, buffer);
        buffer.clear();
        body.bufferPosition = -1;
    }

    private void writeThrough(final StagedBody body, final long position, final ByteBuffer bytes) throws IOException {
        final FileChannel channel = channel(body);
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    /** The body's working file, open; closes the least recently written one when too many are. */
    private FileChannel channel(final StagedBody body) throws IOException {
        if (body.channel != null) {
            open.get(body); // most recently used now
            return body.channel;
        }
        if (open.size() >= maxOpenFiles) {
            final Iterator<StagedBody> oldest = open.keySet().iterator();
            final StagedBody victim = oldest.next();
            oldest.remove();
            victim.channel.close();
            victim.channel = null;
        }
        if (body.created) {
            counters.reopened++;
            body.channel = FileChannel.open(body.working, StandardOpenOption.WRITE);
        } else {
            body.working = body.base.resolveSibling(body.base.getFileName() + ".writing"); // made when needed: memory
            body.channel = FileChannel.open(body.working, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
            body.created = true;
        }
        open.put(body, body);
        return body.channel;
    }

    private void closeChannel(final StagedBody body) throws IOException {
        if (body.channel != null) {
            open.remove(body);
            body.channel.close();
            body.channel = null;
        }
    }

    /** Closes the current part (or the whole body), names it, reports it, and lets AutoDelete have it. */
    private void finishPart(final int flow, final HttpTransaction transaction, final StagedBody body, final boolean partial,
                            final long timestampNanos) {
        final Path finalPath = body.multipart
            ? body.base.resolveSibling(body.base.getFileName() + "." + body.partStart + ".part") : body.base;
        final long length = body.partLength;
        try {
            flush(body);
            if (!body.created) {
                channel(body); // an empty body (304, 204, length 0): an empty file
            }
            closeChannel(body);
            Files.move(body.working, finalPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            body.working = null;
        } catch (final IOException e) {
            fail(body, e);
            return;
        }
        staged.stage(finalPath);
        counters.filesReported++;
        try {
            listener.onFile(flow, transaction, finalPath, length, partial, timestampNanos);
        } finally {
            staged.release(finalPath);
        }
    }

    private void fail(final StagedBody body, final IOException e) {
        body.failed = true;
        counters.writeErrors++;
        lastError = e.toString();
        try {
            closeChannel(body);
            if (body.working != null) {
                Files.deleteIfExists(body.working);
            }
        } catch (final IOException ignored) {
            // the staging directory is unusable; the error is counted and kept for the summary
        }
    }

    private void releaseBuffer(final StagedBody body) {
        if (body.buffer != null) {
            body.buffer.clear();
            pool.push(body.buffer);
            buffersInUse--;
        }
        body.buffer = null;
        body.bufferMemory = null;
    }

    public FileCounters counters() {
        return counters;
    }

    /** The last write error, for the summary, or null. */
    public String lastError() {
        return lastError;
    }

    /** Buffers now in use by bodies being staged (for tests and diagnostics). */
    public int buffersInUse() {
        return buffersInUse;
    }

    /** Staging files open now (for tests and diagnostics). */
    public int openFiles() {
        return open.size();
    }

    /** Closes what is still open (flows that never ended cleanly are ended by the pipeline first). */
    public void close() {
        for (final StagedBody body : open.keySet()) {
            try {
                body.channel.close();
            } catch (final IOException ignored) {
                // closing at shutdown; nothing to report it to
            }
            body.channel = null;
        }
        open.clear();
        pool.clear();
    }
}

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

/**
 * Stages decoded HTTP response bodies as files (file mode). A body is written to
 * {@code <dir>/<name>.writing}; at its end the file is renamed to {@code <dir>/<name>} and reported. A
 * body larger than the chunk size is cut into parts: each part becomes {@code <dir>/<name>.<offset>.part}
 * (offset = the part's position in the body) and is reported with {@code partial = true} as soon as it
 * is full; the last part too. A body cut short is reported with {@code partial = true}. Bytes are
 * collected in pooled 64 KiB direct buffers and written positionally, so holes after a gap stay holes.
 *
 * <p>Threading: one instance per pipeline, on the pipeline thread. Disk writes happen here, which is why
 * the staging directory should be a tmpfs.
 */
public final class HttpFileExtractor implements HttpListener {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_POOLED_BUFFERS = 256;

    private final Path directory;
    private final long chunkBytes;
    private final StagedFiles staged;
    private final ExtractedFileListener listener;
    private final String uniquePrefix;
    private final FileCounters counters = new FileCounters();
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    private long sequence;
    private String lastError;

    /** Per body being staged. */
    private static final class StagedBody {
        Path base;
        Path working;
        FileChannel channel;
        long partStart;
        boolean multipart;
        ByteBuffer buffer;
        MemorySegment bufferMemory;
        long bufferPosition = -1;
        boolean failed;
    }

    /**
     * @param uniquePrefix makes names unique across runs and pipelines (e.g. run id and pipeline index)
     */
    public HttpFileExtractor(final Path directory, final long chunkBytes, final StagedFiles staged,
                             final ExtractedFileListener listener, final String uniquePrefix) {
        this.directory = directory.toAbsolutePath().normalize();
        this.chunkBytes = chunkBytes;
        this.staged = staged;
        this.listener = listener;
        this.uniquePrefix = uniquePrefix;
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
            if (body.channel == null) {
                open(body);
            }
            if (body.buffer == null) {
                body.buffer = pool.isEmpty() ? ByteBuffer.allocateDirect(BUFFER_BYTES) : pool.pop();
                body.bufferMemory = MemorySegment.ofBuffer(body.buffer);
                body.buffer.clear();
                body.bufferPosition = -1;
            }
            final ByteBuffer buffer = body.buffer;
            final boolean contiguous = body.bufferPosition >= 0 && body.bufferPosition + buffer.position() == position;
            if (buffer.position() > 0 && (!contiguous || buffer.remaining() < length)) {
                flush(body);
            }
            if (length >= BUFFER_BYTES) {
                final ByteBuffer direct = memory.asSlice(memoryOffset, length).asByteBuffer();
                long at = position;
                while (direct.hasRemaining()) {
                    at += body.channel.write(direct, at);
                }
                return;
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

    private void flush(final StagedBody body) throws IOException {
        final ByteBuffer buffer = body.buffer;
        if (buffer == null || buffer.position() == 0) {
            return;
        }
        buffer.flip();
        long at = body.bufferPosition;
        while (buffer.hasRemaining()) {
            at += body.channel.write(buffer, at);
        }
        buffer.clear();
        body.bufferPosition = -1;
    }

    private void open(final StagedBody body) throws IOException {
        body.working = body.base.resolveSibling(body.base.getFileName() + ".writing");
        body.channel = FileChannel.open(body.working, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Closes the current part (or the whole body), names it, reports it, and lets AutoDelete have it. */
    private void finishPart(final int flow, final HttpTransaction transaction, final StagedBody body, final boolean partial,
                            final long timestampNanos) {
        final Path finalPath = body.multipart
            ? body.base.resolveSibling(body.base.getFileName() + "." + body.partStart + ".part") : body.base;
        final long length;
        try {
            if (body.channel == null) {
                open(body); // an empty body (304, 204, length 0): an empty file
            }
            flush(body);
            length = body.channel.size();
            body.channel.close();
            body.channel = null;
            Files.move(body.working, finalPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
            if (body.channel != null) {
                body.channel.close();
            }
            if (body.working != null) {
                Files.deleteIfExists(body.working);
            }
        } catch (final IOException ignored) {
            // the staging directory is unusable; the error is counted and kept for the summary
        }
        body.channel = null;
    }

    private void releaseBuffer(final StagedBody body) {
        if (body.buffer != null && pool.size() < MAX_POOLED_BUFFERS) {
            body.buffer.clear();
            pool.push(body.buffer);
        }
        body.buffer = null;
    }

    public FileCounters counters() {
        return counters;
    }

    /** The last write error, for the summary, or null. */
    public String lastError() {
        return lastError;
    }

    /** Closes bodies still open (flows that never ended cleanly are ended by the pipeline first). */
    public void close() {
        pool.clear();
    }
}

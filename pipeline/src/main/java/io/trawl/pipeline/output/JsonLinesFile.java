package io.trawl.pipeline.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends JSON objects, one per line, to a file shared by several writers. Each writer (one per pipeline)
 * builds lines in its own direct buffer without allocating and appends whole lines with one write on an
 * {@code O_APPEND} channel; the kernel serialises appends, so lines never interleave and no lock is
 * taken. Strings are escaped per RFC 8259.
 *
 * <p>Usage: {@code begin()}, then {@code field(...)} calls, then {@code end()}. Not thread-safe: one
 * instance per writing thread.
 */
public final class JsonLinesFile implements AutoCloseable {
    private static final int FLUSH_THRESHOLD = 192 * 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Path path;
    private final FileChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    private boolean firstField;
    private long lines;
    private IOException failure;

    /** Opens {@code path} for appending, creating it (and its directory) if needed. */
    public JsonLinesFile(final Path path) {
        this.path = path;
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open " + path + " for writing: " + e.getMessage(), e);
        }
    }

    /** Starts a line's object. */
    public JsonLinesFile begin() {
        ensure(1);
        buffer.put((byte) '{');
        firstField = true;
        return this;
    }

    /** Ends the object and the line; appends to the file when enough lines are buffered. */
    public JsonLinesFile end() {
        ensure(2);
        buffer.put((byte) '}').put((byte) '\n');
        lines++;
        if (buffer.position() >= FLUSH_THRESHOLD) {
            flush();
        }
        return this;
    }

    public JsonLinesFile field(final String name, final long value) {
        name(name);
        ensure(20);
        putLong(value);
        return this;
    }

    /** A number with up to 9 decimals, written from a nanosecond count as seconds ({@code 1.500000000}). */
    public JsonLinesFile fieldSeconds(final String name, final long nanos) {
        name(name);
        ensure(32);
        final long seconds = Math.floorDiv(nanos, 1_000_000_000L);
        final long fraction = Math.floorMod(nanos, 1_000_000_000L);
        putLong(seconds);
        buffer.put((byte) '.');
        for (long div = 100_000_000L; div > 0; div /= 10) {
            buffer.put((byte) ('0' + (fraction / div) % 10));
        }
        return this;
    }

    public JsonLinesFile field(final String name, final double value) {
        name(name);
        if (Double.isFinite(value)) {
            if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                ensure(20);
                putLong((long) value);
            } else {
                putAscii(Double.toString(value));
            }
        } else {
            putAscii("null");
        }
        return this;
    }

    public JsonLinesFile field(final String name, final boolean value) {
        name(name);
        putAscii(value ? "true" : "false");
        return this;
    }

    /** A string field; null writes JSON null. */
    public JsonLinesFile field(final String name, final CharSequence value) {
        name(name);
        if (value == null) {
            putAscii("null");
        } else {
            string(value);
        }
        return this;
    }

    /** A field whose value is written by the caller with {@link #rawValue}. */
    public JsonLinesFile name(final String name) {
        ensure(1);
        if (!firstField) {
            buffer.put((byte) ',');
        }
        firstField = false;
        string(name);
        ensure(1);
        buffer.put((byte) ':');
        return this;
    }

    /** Writes already-valid JSON text as a value (after {@link #name}). */
    public JsonLinesFile rawValue(final CharSequence json) {
        putAscii(json);
        return this;
    }

    private void string(final CharSequence value) {
        ensure(value.length() * 6 + 2);
        buffer.put((byte) '"');
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                buffer.put((byte) '\\').put((byte) c);
            } else if (c < 0x20) {
                switch (c) {
                    case '\n' -> buffer.put((byte) '\\').put((byte) 'n');
                    case '\r' -> buffer.put((byte) '\\').put((byte) 'r');
                    case '\t' -> buffer.put((byte) '\\').put((byte) 't');
                    default -> unicodeEscape(c);
                }
            } else if (c < 0x80) {
                buffer.put((byte) c);
            } else if (c < 0x800) {
                buffer.put((byte) (0xC0 | (c >>> 6))).put((byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                buffer.put((byte) (0xF0 | (cp >>> 18))).put((byte) (0x80 | ((cp >>> 12) & 0x3F)))
                    .put((byte) (0x80 | ((cp >>> 6) & 0x3F))).put((byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                unicodeEscape(c);
            } else {
                buffer.put((byte) (0xE0 | (c >>> 12))).put((byte) (0x80 | ((c >>> 6) & 0x3F)))
                    .put((byte) (0x80 | (c & 0x3F)));
            }
        }
        buffer.put((byte) '"');
    }

    private void unicodeEscape(final char c) {
        buffer.put((byte) '\\').put((byte) 'u').put(HEX[(c >>> 12) & 0xF]).put(HEX[(c >>> 8) & 0xF])
            .put(HEX[(c >>> 4) & 0xF]).put(HEX[c & 0xF]);
    }

    private void putAscii(final CharSequence text) {
        ensure(text.length());
        for (int i = 0; i < text.length(); i++) {
            buffer.put((byte) text.charAt(i));
        }
    }

    private void putLong(final long value) {
        if (value == Long.MIN_VALUE) {
            putAscii("-9223372036854775808");
            return;
        }
        long v = value;
        if (v < 0) {
            buffer.put((byte) '-');
            v = -v;
        }
        long div = 1;
        while (v / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            buffer.put((byte) ('0' + (v / div) % 10));
        }
    }

    private void ensure(final int bytes) {
        if (buffer.remaining() < bytes) {
            final ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buffer.capacity() * 2, buffer.position() + bytes + 1024));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    /** Appends every complete buffered line to the file. */
    public void flush() {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (final IOException e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            buffer.clear();
        }
    }

    /** Lines written so far. */
    public long lines() {
        return lines;
    }

    /** The first write error (disk full...), or null. Lines buffered when it happened are lost. */
    public IOException failure() {
        return failure;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        flush();
        try {
            channel.close();
        } catch (final IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}

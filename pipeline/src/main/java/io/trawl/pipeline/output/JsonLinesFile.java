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
 * builds lines in its own buffer without allocating and appends whole lines with one write on an
 * {@code O_APPEND} channel; the kernel serialises appends, so lines never interleave and no lock is
 * taken. Strings are escaped per RFC 8259.
 *
 * <p>Usage: {@code begin()}, then {@code field(...)} calls, then {@code end()}. Not thread-safe: one
 * instance per writing thread.
 */
public final class JsonLinesFile implements AutoCloseable {
    private static final int FLUSH_THRESHOLD = 192 * 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** "00", "01", ... "99": two digits per lookup. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private final Path path;
    private final FileChannel channel;
    /** Lines being built: a heap array written by index (cheap even before the JIT compiles the writer). */
    private byte[] buffer = new byte[256 * 1024];
    private ByteBuffer bufferView = ByteBuffer.wrap(buffer);
    private int position;
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
        buffer[position++] = '{';
        firstField = true;
        return this;
    }

    /** Ends the object and the line; appends to the file when enough lines are buffered. */
    public JsonLinesFile end() {
        ensure(2);
        buffer[position++] = '}';
        buffer[position++] = '\n';
        lines++;
        if (position >= FLUSH_THRESHOLD) {
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
        seconds(nanos);
        return this;
    }

    private void seconds(final long nanos) {
        ensure(32);
        putLong(Math.floorDiv(nanos, 1_000_000_000L));
        buffer[position++] = '.';
        long fraction = Math.floorMod(nanos, 1_000_000_000L);
        final byte[] b = buffer;
        final int end = position + 9;
        int at = end;
        while (at > position + 1) {
            final long quotient = dividedBy100(fraction);
            final int pair = (int) (fraction - quotient * 100);
            fraction = quotient;
            b[--at] = DIGIT_PAIRS[2 * pair + 1];
            b[--at] = DIGIT_PAIRS[2 * pair];
        }
        b[--at] = (byte) ('0' + fraction);
        position = end;
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
        ensure(name.length() * 6 + 4);
        if (!firstField) {
            buffer[position++] = ',';
        }
        firstField = false;
        string(name);
        buffer[position++] = ':';
        return this;
    }

    /** A field whose value is written next ({@link #rawValue} or the {@code field} overloads' value). */
    public JsonLinesFile name(final JsonFieldName name) {
        final byte[] bytes = name.encoded;
        ensure(bytes.length + 1);
        if (!firstField) {
            buffer[position++] = ',';
        }
        firstField = false;
        System.arraycopy(bytes, 0, buffer, position, bytes.length);
        position += bytes.length;
        return this;
    }

    public JsonLinesFile field(final JsonFieldName name, final long value) {
        name(name);
        ensure(20);
        putLong(value);
        return this;
    }

    /** A string field; null writes JSON null. */
    public JsonLinesFile field(final JsonFieldName name, final CharSequence value) {
        name(name);
        if (value == null) {
            putAscii("null");
        } else {
            string(value);
        }
        return this;
    }

    /** Like {@link #fieldSeconds(String, long)}. */
    public JsonLinesFile fieldSeconds(final JsonFieldName name, final long nanos) {
        name(name);
        seconds(nanos);
        return this;
    }

    /**
     * Makes room for a value the caller writes itself as already-valid JSON bytes (after {@link #name}):
     * write at most {@code maxBytes} into the returned array from {@link #valueStart()}, then call
     * {@link #valueEnd(int)} with the index after the last byte. For writers of hot, fixed formats.
     */
    public byte[] valueBuffer(final int maxBytes) {
        ensure(maxBytes);
        return buffer;
    }

    /** Where the value reserved by {@link #valueBuffer} starts. */
    public int valueStart() {
        return position;
    }

    /** Ends a value written into {@link #valueBuffer}. */
    public JsonLinesFile valueEnd(final int end) {
        position = end;
        return this;
    }

    /** Writes already-valid JSON text as a value (after {@link #name}). */
    public JsonLinesFile rawValue(final CharSequence json) {
        putAscii(json);
        return this;
    }

    private void string(final CharSequence value) {
        final int length = value.length();
        ensure(length * 6 + 2);
        final byte[] b = buffer;
        int at = position;
        b[at++] = '"';
        for (int i = 0; i < length; i++) {
            final char c = value.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                b[at++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                b[at++] = '\\';
                b[at++] = (byte) c;
            } else if (c < 0x20) {
                switch (c) {
                    case '\n' -> {
                        b[at++] = '\\';
                        b[at++] = 'n';
                    }
                    case '\r' -> {
                        b[at++] = '\\';
                        b[at++] = 'r';
                    }
                    case '\t' -> {
                        b[at++] = '\\';
                        b[at++] = 't';
                    }
                    default -> at = unicodeEscape(b, at, c);
                }
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >>> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                b[at++] = (byte) (0xF0 | (cp >>> 18));
                b[at++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
                b[at++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                at = unicodeEscape(b, at, c);
            } else {
                b[at++] = (byte) (0xE0 | (c >>> 12));
                b[at++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        b[at++] = '"';
        position = at;
    }

    private static int unicodeEscape(final byte[] b, final int from, final char c) {
        int at = from;
        b[at++] = '\\';
        b[at++] = 'u';
        b[at++] = HEX[(c >>> 12) & 0xF];
        b[at++] = HEX[(c >>> 8) & 0xF];
        b[at++] = HEX[(c >>> 4) & 0xF];
        b[at++] = HEX[c & 0xF];
        return at;
    }

    private void putAscii(final CharSequence text) {
        final int length = text.length();
        ensure(length);
        final byte[] b = buffer;
        int at = position;
        for (int i = 0; i < length; i++) {
            b[at++] = (byte) text.charAt(i);
        }
        position = at;
    }

    /** Needs 20 bytes of room. */
    private void putLong(final long value) {
        if (value == Long.MIN_VALUE) {
            putAscii("-9223372036854775808");
            return;
        }
        long v = value;
        final byte[] b = buffer;
        if (v < 0) {
            b[position++] = '-';
            v = -v;
        }
        final int end = position + digits(v);
        int at = end;
        while (v >= 1L << 32) {
            final int pair = (int) (v % 100);
            v /= 100;
            b[--at] = DIGIT_PAIRS[2 * pair + 1];
            b[--at] = DIGIT_PAIRS[2 * pair];
        }
        while (v >= 100) {
            final long quotient = dividedBy100(v);
            final int pair = (int) (v - quotient * 100);
            v = quotient;
            b[--at] = DIGIT_PAIRS[2 * pair + 1];
            b[--at] = DIGIT_PAIRS[2 * pair];
        }
        if (v >= 10) {
            b[--at] = DIGIT_PAIRS[2 * (int) v + 1];
            b[--at] = DIGIT_PAIRS[2 * (int) v];
        } else {
            b[--at] = (byte) ('0' + v);
        }
        position = end;
    }

    /**
     * {@code value / 100} for {@code 0 <= value < 2^32} by a multiply and a shift (exact over that range):
     * flows often end in bulk before the JIT has compiled this, and the interpreter and C1 divide slowly.
     */
    private static long dividedBy100(final long value) {
        return (value * 1374389535L) >>> 37;
    }

    /** Decimal digits of a non-negative value. */
    private static int digits(final long value) {
        int digits = 1;
        for (long bound = 10; digits < 19 && value >= bound; bound *= 10) {
            digits++;
        }
        return digits;
    }

    private void ensure(final int bytes) {
        if (buffer.length - position < bytes) {
            buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + bytes + 1024));
            bufferView = ByteBuffer.wrap(buffer);
        }
    }

    /** Appends every complete buffered line to the file. */
    public void flush() {
        if (position == 0) {
            return;
        }
        // One write of whole lines (the channel copies a heap buffer into its cached direct buffer once), so
        // the kernel's O_APPEND keeps other writers' lines from landing inside ours.
        final ByteBuffer lines = bufferView.clear().limit(position);
        try {
            while (lines.hasRemaining()) {
                channel.write(lines);
            }
        } catch (final IOException e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            position = 0;
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

package io.trawl.pipeline.http;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Streaming decoder of one body's content coding: identity (bytes pass through without a copy), gzip
 * (header parsed here, raw deflate inflated, trailer skipped) or deflate (zlib, or raw deflate when the
 * first two bytes are not a zlib header, as some servers send). Corrupt input stops decoding and marks the
 * body partial.
 */
final class ContentDecoder {
    /** Receives decoded bytes. */
    interface Sink {
        void decoded(MemorySegment memory, long offset, int length);
    }

    enum Coding { IDENTITY, GZIP, DEFLATE }

    private final ByteBuffer output;
    private final MemorySegment outputSegment;
    private Coding coding = Coding.IDENTITY;
    private Inflater inflater;
    private boolean failed;
    private boolean finished;
    // gzip header parsing
    private int gzipState;
    private int gzipFlags;
    private int gzipSkip;
    private int gzipExtraLength;
    // deflate format detection
    private final byte[] deflateStart = new byte[2];
    private int deflateStartLength;

    /** {@code outputSegment} is {@code output} as a segment (shared by every decoder of a pipeline). */
    ContentDecoder(final ByteBuffer output, final MemorySegment outputSegment) {
        this.output = output;
        this.outputSegment = outputSegment;
    }

    /** Starts a new body. */
    void reset(final Coding newCoding) {
        coding = newCoding;
        failed = false;
        finished = false;
        gzipState = 0;
        gzipFlags = 0;
        gzipSkip = 0;
        deflateStartLength = 0;
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    /** True for bodies without a content coding. */
    boolean isIdentity() {
        return coding == Coding.IDENTITY;
    }

    /** Stops decoding this body (a hole in compressed data). */
    void abandon() {
        failed = true;
    }

    /** True when the coding could not be decoded (the body is partial). */
    boolean failed() {
        return failed;
    }

    /** Feeds encoded bytes. */
    void feed(final MemorySegment memory, final long offset, final int length, final Sink sink) {
        if (failed || length == 0) {
            return;
        }
        switch (coding) {
            case IDENTITY -> sink.decoded(memory, offset, length);
            case GZIP -> gzip(memory, offset, length, sink);
            case DEFLATE -> deflate(memory, offset, length, sink);
        }
    }

    private void gzip(final MemorySegment memory, final long offset, final int length, final Sink sink) {
        int at = 0;
        while (at < length && gzipState != 99) {
            final int b = memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + at) & 0xFF;
            at++;
            switch (gzipState) {
                case 0 -> gzipState = b == 0x1F ? 1 : fail();
                case 1 -> gzipState = b == 0x8B ? 2 : fail();
                case 2 -> gzipState = b == 8 ? 3 : fail();
                case 3 -> {
                    gzipFlags = b;
                    gzipSkip = 6; // mtime, xfl, os
                    gzipState = 4;
                }
                case 4 -> {
                    if (--gzipSkip == 0) {
                        gzipState = (gzipFlags & 4) != 0 ? 5 : 7;
                    }
                }
                case 5 -> {
                    gzipExtraLength = b;
                    gzipState = 6;
                }
                case 6 -> {
                    gzipExtraLength |= b << 8;
                    gzipSkip = gzipExtraLength;
                    gzipState = gzipSkip == 0 ? 7 : 10;
                }
                case 10 -> {
                    if (--gzipSkip == 0) {
                        gzipState = 7;
                    }
                }
                case 7 -> { // FNAME
                    if ((gzipFlags & 8) == 0) {
                        at--;
                        gzipState = 8;
                    } else if (b == 0) {
                        gzipState = 8;
                    }
                }
                case 8 -> { // FCOMMENT
                    if ((gzipFlags & 16) == 0) {
                        at--;
                        gzipState = 9;
                    } else if (b == 0) {
                        gzipState = 9;
                    }
                }
                case 9 -> { // FHCRC
                    if ((gzipFlags & 2) == 0) {
                        at--;
                        startInflater(true);
                        gzipState = 99;
                    } else {
                        gzipSkip = 2;
                        gzipState = 11;
                        at--;
                    }
                }
                case 11 -> {
                    if (--gzipSkip == 0) {
                        startInflater(true);
                        gzipState = 99;
                    }
                }
                default -> gzipState = fail();
            }
            if (failed) {
                return;
            }
        }
        if (gzipState == 99 && at < length) {
            inflate(memory, offset + at, length - at, sink);
        }
    }

    private void deflate(final MemorySegment memory, final long offset, final int length, final Sink sink) {
        int at = 0;
        if (inflater == null) {
            while (deflateStartLength < 2 && at < length) {
                deflateStart[deflateStartLength++] = memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + at++);
            }
            if (deflateStartLength < 2) {
                return;
            }
            final int cmf = deflateStart[0] & 0xFF;
            final int flg = deflateStart[1] & 0xFF;
            final boolean zlib = (cmf & 0x0F) == 8 && ((cmf << 8) | flg) % 31 == 0;
            startInflater(!zlib);
            inflate(MemorySegment.ofArray(deflateStart), 0, 2, sink);
        }
        if (at < length) {
            inflate(memory, offset + at, length - at, sink);
        }
    }

    private void startInflater(final boolean raw) {
        inflater = new Inflater(raw);
    }

    private void inflate(final MemorySegment memory, final long offset, final int length, final Sink sink) {
        if (finished || failed) {
            return; // trailer bytes after the end of the deflate stream
        }
        final ByteBuffer input = memory.asSlice(offset, length).asByteBuffer();
        inflater.setInput(input);
        try {
            while (!inflater.finished()) {
                output.clear();
                final int produced = inflater.inflate(output);
                if (produced > 0) {
                    sink.decoded(outputSegment, 0, produced);
                } else if (inflater.needsInput() || inflater.needsDictionary()) {
                    break;
                }
            }
            if (inflater.finished()) {
                finished = true;
            }
        } catch (final DataFormatException e) {
            fail();
        }
    }

    private int fail() {
        failed = true;
        return 98;
    }

    /** Releases the inflater. */
    void close() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }
}

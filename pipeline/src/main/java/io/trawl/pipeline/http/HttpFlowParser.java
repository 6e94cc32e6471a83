package io.trawl.pipeline.http;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Parses the HTTP/1.x conversation of one TCP connection from its two reassembled streams. Requests
 * queue up (pipelining) until their responses arrive; each response is paired with the oldest unanswered
 * request. Response bodies are decoded (transfer coding, then content coding) and reported to the
 * listener; request bodies are framed and skipped.
 *
 * <p>Threading: the pipeline thread. Allocates per message (header objects), never per byte.
 */
public final class HttpFlowParser {
    /** Largest header block accepted; beyond it the direction is not treated as HTTP. */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final byte[] NO_HEADER = new byte[0];
    private static final int FIRST_HEADER_BYTES = 512;
    private static final int MAX_CHUNK_LINE = 1024;

    private enum State { START, HEADER, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER, BODY_UNTIL_CLOSE, DEAD }

    private final int flow;
    private final HttpListener listener;
    private final Direction requests;
    private final Direction responses;
    private final ArrayDeque<HttpTransaction> unanswered = new ArrayDeque<>();
    private long transactions;
    private long timestamp;

    /**
     * @param decodeBuffer a direct buffer the pipeline lends to every parser for decompressed output
     */
    public HttpFlowParser(final int flow, final HttpListener listener, final ByteBuffer decodeBuffer) {
        this(flow, listener, decodeBuffer, MemorySegment.ofBuffer(decodeBuffer));
    }

    /** With the decode buffer also as a segment, made once per pipeline. */
    public HttpFlowParser(final int flow, final HttpListener listener, final ByteBuffer decodeBuffer,
                          final MemorySegment decodeSegment) {
        this.flow = flow;
        this.listener = listener;
        this.requests = new Direction(true, null);
        this.responses = new Direction(false, new ContentDecoder(decodeBuffer, decodeSegment));
    }

    /** Reassembled bytes of one direction. */
    public void onData(final boolean fromClient, final MemorySegment memory, final long offset, final int length,
                       final long timestampNanos) {
        timestamp = timestampNanos;
        (fromClient ? requests : responses).consume(memory, offset, length);
    }

    /** Bytes lost in one direction. */
    public void onGap(final boolean fromClient, final long missing) {
        (fromClient ? requests : responses).gap(missing);
    }

    /**
     * One direction ended; {@code complete} when it ended at a FIN with every byte seen (a body read until
     * the close is partial otherwise).
     */
    public void onStreamEnd(final boolean fromClient, final boolean complete) {
        (fromClient ? requests : responses).end(complete);
    }

    /** True when neither direction looks like HTTP any more. */
    public boolean isDead() {
        return requests.state == State.DEAD && responses.state == State.DEAD;
    }

    /** Releases decoder resources. */
    public void close() {
        if (responses.decoder != null) {
            responses.decoder.close();
        }
    }

    /** One direction's parser. */
    private final class Direction implements ContentDecoder.Sink {
        final boolean isRequest;
        final ContentDecoder decoder;
        State state = State.START;
        /** Header bytes being collected; only between a message's first byte and its header's end. */
        byte[] header = NO_HEADER;
        int headerLength;
        long remaining;
        final StringBuilder chunkLine = new StringBuilder();
        HttpTransaction current;
        boolean skipBody;

        Direction(final boolean isRequest, final ContentDecoder decoder) {
            this.isRequest = isRequest;
            this.decoder = decoder;
        }

        void consume(final MemorySegment memory, final long offset, final int length) {
            int at = 0;
            while (at < length) {
                switch (state) {
                    case DEAD -> {
                        return;
                    }
                    case START -> {
                        final byte b = memory.get(ValueLayout.JAVA_BYTE, offset + at);
                        if (b == '\r' || b == '\n') {
                            at++; // blank lines between messages
                        } else {
                            headerLength = 0;
                            state = State.HEADER;
                        }
                    }
                    case HEADER -> at = header(memory, offset, length, at);
                    case BODY_LENGTH -> {
                        final int take = (int) Math.min(remaining, length - at);
                        body(memory, offset + at, take);
                        at += take;
                        remaining -= take;
                        if (remaining == 0) {
                            endMessage(false);
                        }
                    }
                    case BODY_UNTIL_CLOSE -> {
                        body(memory, offset + at, length - at);
                        at = length;
                    }
                    case CHUNK_SIZE, CHUNK_TRAILER, CHUNK_DATA_END -> at = chunkLine(memory, offset, length, at);
                    case CHUNK_DATA -> {
                        final int take = (int) Math.min(remaining, length - at);
                        body(memory, offset + at, take);
                        at += take;
                        remaining -= take;
                        if (remaining == 0) {
                            state = State.CHUNK_DATA_END;
                        }
                    }
                }
            }
        }

        /** Accumulates header bytes until the empty line; returns the new position. */
        private int header(final MemorySegment memory, final long offset, final int length, int at) {
            while (at < length) {
                final byte b = memory.get(ValueLayout.JAVA_BYTE, offset + at++);
                if (headerLength == header.length) {
                    if (header.length >= MAX_HEADER_BYTES) {
                        state = State.DEAD;
                        header = NO_HEADER;
                        return length;
                    }
                    header = java.util.Arrays.copyOf(header, Math.max(FIRST_HEADER_BYTES, header.length * 2));
                }
                header[headerLength++] = b;
                if (headerLength == 8 && !plausibleStart()) {
                    state = State.DEAD;
                    header = NO_HEADER;
                    return length;
                }
                if (b == '\n' && endsWithEmptyLine()) {
                    headerComplete();
                    return at;
                }
            }
            return at;
        }

        private boolean plausibleStart() {
            if (!isRequest) {
                return header[0] == 'H' && header[1] == 'T' && header[2] == 'T' && header[3] == 'P' && header[4] == '/';
            }
            for (int i = 0; i < 8; i++) {
                final byte c = header[i];
                if (c == ' ') {
                    return i > 0;
                }
                if (c < 'A' || c > 'Z') {
                    return false;
                }
            }
            return true; // a long method name; HttpHeader.parse decides
        }

        private boolean endsWithEmptyLine() {
            final int n = headerLength;
            return (n >= 2 && header[n - 2] == '\n') || (n >= 4 && header[n - 4] == '\r' && header[n - 3] == '\n' && header[n - 2] == '\r');
        }

        private void headerComplete() {
            final String block = new String(header, 0, headerLength, StandardCharsets.ISO_8859_1).stripTrailing();
            header = NO_HEADER; // an idle keep-alive connection holds no header buffer
            final HttpHeader parsed = HttpHeader.parse(block, isRequest);
            if (parsed == null) {
                state = State.DEAD;
                return;
            }
            if (isRequest) {
                current = new HttpTransaction(++transactions, parsed);
                unanswered.addLast(current);
                listener.onRequest(flow, current, timestamp);
                skipBody = true;
                frameBody(parsed, false);
                return;
            }
            if (parsed.status() >= 100 && parsed.status() < 200 && parsed.status() != 101) {
                state = State.START; // interim response: the final one follows
                return;
            }
            final HttpTransaction request = unanswered.pollFirst();
            current = request != null ? request : new HttpTransaction(++transactions, null);
            current.response(parsed);
            listener.onResponse(flow, current, timestamp);
            skipBody = false;
            final boolean head = current.request() != null && "HEAD".equalsIgnoreCase(current.request().method());
            final int status = parsed.status();
            if (head || status == 204 || status == 304 || status == 101) {
                endMessage(false);
                if (status == 101) {
                    state = State.DEAD; // switched protocols: no longer HTTP
                }
                return;
            }
            final String coding = parsed.value("Content-Encoding");
            decoder.reset(coding == null ? ContentDecoder.Coding.IDENTITY
                : switch (coding.strip().toLowerCase(Locale.ROOT)) {
                    case "gzip", "x-gzip" -> ContentDecoder.Coding.GZIP;
                    case "deflate" -> ContentDecoder.Coding.DEFLATE;
                    default -> ContentDecoder.Coding.IDENTITY;
                });
            frameBody(parsed, true);
        }

        /** Chooses how the body after this header is delimited. */
        private void frameBody(final HttpHeader parsed, final boolean response) {
            if (parsed.hasToken("Transfer-Encoding", "chunked")) {
                chunkLine.setLength(0);
                state = State.CHUNK_SIZE;
                return;
            }
            final String contentLength = parsed.value("Content-Length");
            if (contentLength != null) {
                try {
                    remaining = Long.parseLong(contentLength.strip());
                } catch (final NumberFormatException e) {
                    remaining = -1;
                }
                if (remaining < 0) {
                    if (response) {
                        current.partial = true;
                    }
                    state = State.DEAD;
                    endMessage(true);
                    state = State.DEAD;
                    return;
                }
                if (remaining == 0) {
                    endMessage(false);
                } else {
                    state = State.BODY_LENGTH;
                }
                return;
            }
            if (response) {
                state = State.BODY_UNTIL_CLOSE;
            } else {
                endMessage(false); // a request without length has no body
            }
        }

        /** Reads chunk-size lines, the CRLF after chunk data, and trailers. */
        private int chunkLine(final MemorySegment memory, final long offset, final int length, int at) {
            while (at < length) {
                final char c = (char) (memory.get(ValueLayout.JAVA_BYTE, offset + at++) & 0xFF);
                if (c != '\n') {
                    if (chunkLine.length() >= MAX_CHUNK_LINE) {
                        brokenFraming();
                        return length;
                    }
                    chunkLine.append(c);
                    continue;
                }
                final String line = chunkLine.toString().strip();
                chunkLine.setLength(0);
                switch (state) {
                    case CHUNK_DATA_END -> {
                        if (!line.isEmpty()) {
                            brokenFraming();
                            return length;
                        }
                        state = State.CHUNK_SIZE;
                    }
                    case CHUNK_SIZE -> {
                        final int semicolon = line.indexOf(';');
                        final String digits = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
                        final long size;
                        try {
                            size = Long.parseLong(digits, 16);
                        } catch (final NumberFormatException e) {
                            brokenFraming();
                            return length;
                        }
                        if (size < 0) {
                            brokenFraming();
                            return length;
                        }
                        if (size == 0) {
                            state = State.CHUNK_TRAILER;
                        } else {
                            remaining = size;
                            state = State.CHUNK_DATA;
                        }
                    }
                    case CHUNK_TRAILER -> {
                        if (line.isEmpty()) {
                            endMessage(false);
                        }
                    }
                    default -> {
                    }
                }
                return at;
            }
            return at;
        }

        private void brokenFraming() {
            endMessage(true);
            state = State.DEAD;
        }

        private void body(final MemorySegment memory, final long offset, final int length) {
            if (skipBody || current == null || length == 0) {
                return;
            }
            decoder.feed(memory, offset, length, this);
        }

        @Override
        public void decoded(final MemorySegment memory, final long offset, final int length) {
            final long at = current.bodyLength;
            current.bodyLength += length;
            listener.onBody(flow, current, at, memory, offset, length, timestamp);
        }

        /** The message ends; {@code cut} when bytes are missing. */
        private void endMessage(final boolean cut) {
            final HttpTransaction transaction = current;
            current = null;
            state = State.START;
            if (isRequest || transaction == null || transaction.ended) {
                return;
            }
            transaction.partial |= cut || decoder.failed();
            transaction.ended = true;
            listener.onBodyEnd(flow, transaction, timestamp);
        }

        void gap(final long missing) {
            switch (state) {
                case BODY_LENGTH -> {
                    if (current != null) {
                        current.partial = true;
                    }
                    if (missing < remaining) {
                        remaining -= missing;
                        if (current != null && !skipBody) {
                            if (decoder.isIdentity()) {
                                current.bodyLength += missing; // later bytes keep their true body offsets
                            } else {
                                decoder.abandon(); // compressed data cannot be decoded past a hole
                            }
                        }
                    } else {
                        endMessage(true);
                        state = State.DEAD; // the next message started somewhere in the hole
                    }
                }
                case BODY_UNTIL_CLOSE -> {
                    if (current != null) {
                        current.partial = true;
                        endMessage(true);
                    }
                    state = State.DEAD;
                }
                case START -> state = State.DEAD;
                case DEAD -> {
                }
                default -> {
                    if (current != null) {
                        endMessage(true);
                    }
                    state = State.DEAD;
                }
            }
        }

        void end(final boolean complete) {
            switch (state) {
                case BODY_UNTIL_CLOSE -> endMessage(!complete);
                case BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER -> endMessage(true);
                case HEADER, START, DEAD -> {
                    if (current != null) {
                        endMessage(true);
                    }
                }
            }
            state = State.DEAD;
            if (!isRequest) {
                // Requests that never got an answer: nothing to report for them.
                unanswered.clear();
            }
        }
    }
}

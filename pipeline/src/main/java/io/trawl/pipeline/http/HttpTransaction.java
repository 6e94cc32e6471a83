package io.trawl.pipeline.http;

/**
 * One request/response exchange on a connection. The request is null when the response's request was not
 * seen (connection picked up midstream). Mutable only by the parser; listeners read it.
 */
public final class HttpTransaction {
    private final long id;
    private final HttpHeader request;
    private HttpHeader response;
    long bodyLength;
    boolean partial;
    boolean ended;
    /** Free for the consumer of the events (e.g. the file extractor's state for this body). */
    public Object attachment;
    /** Set by a listener (a script's filter) to stop later listeners from acting on this transaction. */
    public boolean ignored;
    /**
     * Free for one listener that needs a bit set per transaction (the scripts' filex layer: which
     * {@code filex_monitor} instances still follow it).
     */
    public long followers;

    HttpTransaction(final long id, final HttpHeader request) {
        this.id = id;
        this.request = request;
    }

    /** Sequence number of the transaction within its connection, from 1. */
    public long id() {
        return id;
    }

    public HttpHeader request() {
        return request;
    }

    public HttpHeader response() {
        return response;
    }

    void response(final HttpHeader header) {
        this.response = header;
    }

    /** Decoded response body bytes delivered so far. */
    public long bodyLength() {
        return bodyLength;
    }

    /** True when the body was cut by a gap, the connection's end or an undecodable coding. */
    public boolean isPartial() {
        return partial;
    }

    /** The Host of the request, or "" when unknown. */
    public String host() {
        final String host = request == null ? null : request.value("Host");
        return host == null ? "" : host;
    }
}

/**
 * HTTP/1.x over reassembled TCP streams: {@link io.trawl.pipeline.http.HttpFlowParser} parses requests and
 * responses (pipelining and keep-alive, Content-Length, chunked transfer coding, bodies until close,
 * HEAD/1xx/204/304 without bodies), pairs responses with requests, decodes gzip and deflate content
 * codings, and reports headers ({@link io.trawl.pipeline.http.HttpHeader}) and decoded body bytes to an
 * {@link io.trawl.pipeline.http.HttpListener}. Bodies cut by a gap or by the connection's end are marked
 * partial, never silently truncated. A direction that does not look like HTTP is left alone.
 *
 * <p>Threading: the pipeline thread.
 */
package io.trawl.pipeline.http;

package io.trawl.capture;

import io.trawl.config.TrawlContext;

/**
 * Opens sources of one kind, named by the scheme of a source spec ({@code pcap} for {@code pcap:PATH}).
 * Implementations are registered in {@code META-INF/services/io.trawl.capture.CaptureSourceProvider}.
 */
public interface CaptureSourceProvider {
    /** The scheme this provider handles, e.g. {@code "pcap"}. */
    String scheme();

    /** One line for {@code --help}: the spec syntax and what it reads. */
    String usage();

    /**
     * Opens the source for {@code argument} (the spec after {@code scheme:}).
     *
     * @param context the concluded configuration (queues wanted = pipelines, speed, limits, options)
     * @throws CaptureException with an operator-readable message when it cannot be opened
     */
    CaptureSource open(String argument, TrawlContext context);
}

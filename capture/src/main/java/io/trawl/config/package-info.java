/**
 * Configuration: every setting declared once ({@link io.trawl.config.TrawlSettings}: key, default,
 * meaning, parser), one {@link io.trawl.config.TrawlContext} per process filled from the YAML config file
 * and the command line and then {@link io.trawl.config.TrawlContext#conclude() concluded} (defaults
 * derived, everything validated, fail fast with a message naming the key). After that, components only
 * read it.
 *
 * <p>It lives in the capture module because that is the lowest module with settings; every module above
 * reads the same context.
 */
package io.trawl.config;

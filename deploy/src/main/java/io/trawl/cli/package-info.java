/**
 * The {@code trawl} command line: {@code run}, {@code demo}, {@code counters}, {@code config}. Options of
 * {@code run} and {@code demo} are generated from {@link io.trawl.config.TrawlSettings}, so every option
 * has a config key and the same validation. Exit codes: 0 success, 2 usage or configuration error, 1
 * runtime failure.
 */
package io.trawl.cli;

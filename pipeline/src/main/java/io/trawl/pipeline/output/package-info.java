/**
 * Output files: JSON Lines appenders that pipelines write to without locks (each pipeline buffers whole
 * lines and appends them with one {@code write} on an {@code O_APPEND} channel, so lines from different
 * pipelines never interleave), and the JSON writer of {@code summary.json}.
 */
package io.trawl.pipeline.output;

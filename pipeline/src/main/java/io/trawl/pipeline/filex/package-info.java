/**
 * HTTP file extraction in file mode: {@link io.trawl.pipeline.filex.HttpFileExtractor} writes decoded
 * response bodies into the staging directory (a tmpfs is recommended), in parts of the configured chunk
 * size for large bodies, under names built from host, URI and a unique id and sanitised so that nothing
 * from the traffic can leave the directory; then it reports each file
 * ({@link io.trawl.pipeline.filex.ExtractedFileListener}, i.e. the scripts' {@code onfile_http}) and hands
 * it to {@link io.trawl.pipeline.filex.StagedFiles}, which deletes it once every script has seen it and
 * every queued operation that reads it has finished (AutoDelete).
 */
package io.trawl.pipeline.filex;

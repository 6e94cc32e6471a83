package io.trawl.pipeline.filex;

import io.trawl.pipeline.http.HttpTransaction;

import java.nio.file.Path;

/** Told about each staged file (the scripts' {@code onfile_http}), on the pipeline thread. */
@FunctionalInterface
public interface ExtractedFileListener {
    /**
     * A staged file is ready. It exists until this call returns, and longer only if something
     * {@link StagedFiles#retain retains} it during the call.
     *
     * @param length  bytes in this file (a part's length for parts)
     * @param partial true for a part of a larger body ({@code <name>.<offset>.part}) or a body cut short
     */
    void onFile(int flow, HttpTransaction transaction, Path path, long length, boolean partial, long timestampNanos);
}

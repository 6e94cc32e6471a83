package io.trawl.pipeline.filex;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a pipeline's file extractor counted; summed into summary.json {@code files}. */
public final class FileCounters {
    /** Bodies staged (one per response; parts of one body count once). */
    long extracted;
    /** Of those, bodies cut short (gap, reset, connection end, undecodable coding). */
    long partial;
    /** Staged files reported to scripts (parts count separately). */
    long filesReported;
    /** Decoded body bytes written. */
    long bytes;
    /** Bodies not staged because writing failed (disk full, permissions). */
    long writeErrors;
    /** Writes made without a buffer because every buffer was taken (many bodies in flight). */
    long unbufferedWrites;
    /** Staging files reopened after being closed to stay under the open-files bound. */
    long reopened;

    public void add(final FileCounters other) {
        extracted += other.extracted;
        partial += other.partial;
        filesReported += other.filesReported;
        bytes += other.bytes;
        writeErrors += other.writeErrors;
        unbufferedWrites += other.unbufferedWrites;
        reopened += other.reopened;
    }

    public Map<String, Object> toMap() {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("extracted", extracted);
        out.put("partial", partial);
        out.put("bytes", bytes);
        out.put("files_reported", filesReported);
        out.put("write_errors", writeErrors);
        out.put("unbuffered_writes", unbufferedWrites);
        out.put("reopened", reopened);
        return out;
    }

    public long extracted() {
        return extracted;
    }

    public long partial() {
        return partial;
    }

    public long bytes() {
        return bytes;
    }

    public long writeErrors() {
        return writeErrors;
    }
}

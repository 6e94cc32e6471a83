package io.trawl.pipeline.filex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AutoDelete of staged files by reference count. A file is staged with one reference (held while the
 * scripts look at it); anything that will read it later — a queued T.async operation — {@link #retain}s
 * it first and {@link #release}s it when done. The file is deleted when the count reaches zero.
 *
 * <p>Threading: any thread (pipelines stage and release; async workers retain and release). One instance
 * per run, shared by all pipelines.
 */
public final class StagedFiles {
    private final ConcurrentHashMap<Path, AtomicInteger> references = new ConcurrentHashMap<>();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong deleteFailures = new AtomicLong();

    /** Directories files were staged in (as text, with a trailing separator), for the cheap pre-check. */
    private final java.util.Set<String> directories = ConcurrentHashMap.newKeySet();

    /** A new staged file, with one reference held by the caller. */
    public void stage(final Path file) {
        final Path key = file.toAbsolutePath().normalize();
        if (key.getParent() != null) {
            directories.add(key.getParent() + java.io.File.separator);
        }
        references.put(key, new AtomicInteger(1));
    }

    /**
     * Cheap pre-check for text that might name a staged file (it starts with a staging directory), so
     * callers on the fast path skip parsing strings that cannot be one.
     */
    public boolean mayBeStaged(final String text) {
        if (references.isEmpty()) {
            return false;
        }
        for (final String directory : directories) {
            if (text.startsWith(directory)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a reference to a staged file.
     *
     * @return false when {@code file} is not (or no longer) a staged file: nothing to protect
     */
    public boolean retain(final Path file) {
        final AtomicInteger count = references.get(file.toAbsolutePath().normalize());
        if (count == null) {
            return false;
        }
        while (true) {
            final int current = count.get();
            if (current <= 0) {
                return false; // being deleted
            }
            if (count.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one deletes the file. */
    public void release(final Path file) {
        final Path key = file.toAbsolutePath().normalize();
        final AtomicInteger count = references.get(key);
        if (count == null) {
            return;
        }
        if (count.decrementAndGet() == 0) {
            references.remove(key, count);
            try {
                Files.deleteIfExists(key);
                deleted.incrementAndGet();
            } catch (final IOException e) {
                deleteFailures.incrementAndGet();
            }
        }
    }

    /** True while {@code file} is staged and referenced. */
    public boolean isStaged(final Path file) {
        final AtomicInteger count = references.get(file.toAbsolutePath().normalize());
        return count != null && count.get() > 0;
    }

    /** Files staged and not yet deleted. */
    public int size() {
        return references.size();
    }

    public long deleted() {
        return deleted.get();
    }

    public long deleteFailures() {
        return deleteFailures.get();
    }
}

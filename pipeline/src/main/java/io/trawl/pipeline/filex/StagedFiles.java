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
 * <p>Deleting a file costs a system call that frees its pages; {@link #withBackgroundDeletion()} makes
 * an instance whose deletions happen on a helper thread, so the thread dropping the last reference (a
 * pipeline) never waits for it; {@link #awaitDeletions()} waits until every deletion requested so far is
 * done (before reporting, and at the end of a run).
 *
 * <p>Threading: any thread (pipelines stage and release; async workers retain and release). One instance
 * per run, shared by all pipelines.
 */
public final class StagedFiles {
    private static final Path STOP = Path.of("");

    private final ConcurrentHashMap<Path, AtomicInteger> references = new ConcurrentHashMap<>();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong deleteFailures = new AtomicLong();
    private final java.util.concurrent.LinkedBlockingQueue<Path> toDelete;
    private final AtomicLong deletionsRequested = new AtomicLong();
    private Thread deleter;

    /** Deletes on the thread that drops the last reference. */
    public StagedFiles() {
        this.toDelete = null;
    }

    private StagedFiles(final boolean background) {
        this.toDelete = background ? new java.util.concurrent.LinkedBlockingQueue<>() : null;
    }

    /** An instance whose deletions happen on a helper thread (started on first need; a daemon). */
    public static StagedFiles withBackgroundDeletion() {
        return new StagedFiles(true);
    }

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
            if (toDelete == null) {
                delete(key);
            } else {
                deletionsRequested.incrementAndGet();
                startDeleter();
                toDelete.add(key);
            }
        }
    }

    private void delete(final Path key) {
        try {
            Files.deleteIfExists(key);
            deleted.incrementAndGet();
        } catch (final IOException e) {
            deleteFailures.incrementAndGet();
        }
    }

    private synchronized void startDeleter() {
        if (deleter != null) {
            return;
        }
        deleter = Thread.ofPlatform().name("staged-files-deleter").daemon().start(() -> {
            try {
                while (true) {
                    final Path next = toDelete.take();
                    if (next == STOP) {
                        return;
                    }
                    delete(next);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Waits until every deletion requested so far has happened (or failed, counted). */
    public void awaitDeletions() {
        if (toDelete == null) {
            return;
        }
        final long wanted = deletionsRequested.get();
        while (deleted.get() + deleteFailures.get() < wanted) {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }

    /** Waits for pending deletions and stops the helper thread (end of run). */
    public void close() {
        awaitDeletions();
        synchronized (this) {
            if (deleter != null) {
                toDelete.add(STOP);
                deleter = null;
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

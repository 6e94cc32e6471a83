package io.trawl.async.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Chronicle queue with one writer thread. The appender is created on that thread at its first
 * record (Chronicle appenders are thread-confined); the queue's first record is a header (magic,
 * format, writer kind). A failed append (disk full, a fault on the mapped file) marks the writer failed:
 * the caller then refuses to run the job instead of running it unjournaled.
 *
 * <p>Threading: {@link #begin()}/{@link #end} on the writer thread; the open-file set is read by the syncer.
 */
final class QueueWriter implements AutoCloseable {
    /** Records per index entry (see the builder below). */
    static final int INDEX_SPACING = 8;
    private final ChronicleQueue queue;
    private final byte writerKind;
    private final boolean syncEachRecord;
    private final Set<File> openFiles = ConcurrentHashMap.newKeySet();
    /** Every cycle file this writer created, by cycle (for deleting finished cycles). */
    private final java.util.concurrent.ConcurrentSkipListMap<Integer, File> cycleFiles = new java.util.concurrent.ConcurrentSkipListMap<>();
    private ExcerptAppender appender;
    /** The appender has been taken over by the writer thread. */
    private boolean adopted;
    private DocumentContext document;
    /** Bytes written per cycle (for what deleting a cycle frees). */
    private final Map<Integer, java.util.concurrent.atomic.AtomicLong> cycleBytes = new ConcurrentHashMap<>();
    private int bytesCycle = Integer.MIN_VALUE;
    private java.util.concurrent.atomic.AtomicLong bytesOfCycle;
    private long recordStart;
    private int headerCycle = Integer.MIN_VALUE;
    private final net.openhft.chronicle.core.time.TimeProvider time;
    private volatile long bytesWritten;
    private volatile Throwable failure;

    QueueWriter(final Path directory, final byte writerKind, final boolean syncEachRecord,
                final net.openhft.chronicle.core.time.TimeProvider time) {
        this.writerKind = writerKind;
        this.syncEachRecord = syncEachRecord;
        this.time = time;
        this.queue = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(RollCycles.FIVE_MINUTELY)
            .timeProvider(time)
            .blockSize(4L << 20)
            // Every append asks the store for its last sequence number, which Chronicle finds by scanning
            // from the last index entry: FIVE_MINUTELY's spacing of 256 made that a scan of ~128 records per
            // append. Indexing every 8th record keeps the scan short (and indexes up to 32 M records a cycle).
            .indexSpacing(INDEX_SPACING)
            .storeFileListener(new StoreFileListener() {
                @Override
                public void onAcquired(final int cycle, final File file) {
                    openFiles.add(file);
                    cycleFiles.put(cycle, file);
                }

                @Override
                public void onReleased(final int cycle, final File file) {
                    openFiles.remove(file);
                }
            })
            .build();
        prepare();
    }

    /** Starts a record; returns its bytes, or null when the journal has failed. Writer thread. */
    Bytes<?> begin() {
        if (failure != null) {
            return null;
        }
        try {
            if (!adopted) {
                if (appender == null) {
                    appender = queue.createAppender();
                }
                appender.singleThreadedCheckReset(); // created by the thread that opened the journal
                adopted = true;
            }
            writeHeaderIfNewCycle();
            document = appender.writingDocument();
            final Bytes<?> bytes = document.wire().bytes();
            recordStart = bytes.writePosition();
            return bytes;
        } catch (final Throwable t) {
            fail(t);
            return null;
        }
    }

    /** Every cycle file starts with a header, so a cycle stays readable when earlier ones are deleted. */
    private void writeHeaderIfNewCycle() {
        final int cycle = RollCycles.FIVE_MINUTELY.current(time, 0);
        if (cycle != headerCycle) {
            headerCycle = cycle;
            try (DocumentContext header = appender.writingDocument()) {
                final Bytes<?> bytes = header.wire().bytes();
                bytes.writeByte(JournalRecord.HEADER);
                bytes.writeLong(JournalRecord.MAGIC);
                bytes.writeInt(JournalRecord.FORMAT);
                bytes.writeByte(writerKind);
                bytes.writeLong(System.currentTimeMillis());
            }
        }
    }

    /**
     * Creates the appender and the current cycle's file (with its header) now, on the thread opening the
     * journal, before the run starts: otherwise the first T.async call of a pipeline would pay for
     * Chronicle's file creation, mapping and first-use initialisation (~100 ms in a cold process) on the
     * fast path. The writer thread adopts the appender at its first record.
     */
    private void prepare() {
        try {
            appender = queue.createAppender();
            writeHeaderIfNewCycle();
        } catch (final Throwable t) {
            fail(t);
        }
    }

    /** Ends the record started by {@link #begin()}. Returns false when writing failed. Writer thread. */
    boolean end() {
        final DocumentContext current = document;
        document = null;
        if (current == null) {
            return false;
        }
        try {
            final long length = current.wire().bytes().writePosition() - recordStart;
            current.close();
            bytesWritten += length;
            final int cycle = appender.cycle();
            if (cycle != bytesCycle) {
                bytesCycle = cycle; // (the per-cycle map is touched once per cycle, not per record: no boxing)
                bytesOfCycle = new java.util.concurrent.atomic.AtomicLong();
                cycleBytes.put(cycle, bytesOfCycle);
            }
            bytesOfCycle.lazySet(bytesOfCycle.get() + length); // single writer
            if (syncEachRecord) {
                appender.sync();
            }
            return true;
        } catch (final Throwable t) {
            fail(t);
            return false;
        }
    }

    /** Abandons the record started by {@link #begin()} (e.g. after an exception while filling it). */
    void rollback() {
        final DocumentContext current = document;
        document = null;
        if (current != null) {
            try {
                current.rollbackOnClose();
                current.close();
            } catch (final Throwable t) {
                fail(t);
            }
        }
    }

    /** Records a failure met while filling a record. */
    void recordFailure(final Throwable t) {
        fail(t);
    }

    private void fail(final Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    /** Why the journal stopped accepting records, or null. */
    Throwable failure() {
        return failure;
    }

    /** Bytes appended so far. */
    long bytesWritten() {
        return bytesWritten;
    }

    /** The cycle files currently mapped (for the syncer). */
    Set<File> openFiles() {
        return openFiles;
    }

    /** The cycle of the last record appended, or -1 (writer thread). */
    int cycle() {
        return appender == null ? -1 : appender.cycle();
    }

    /**
     * Deletes the cycle files before {@code cycle} (their records are no longer needed). Any thread;
     * only cycles the writer has moved past may be given.
     *
     * @return bytes freed
     */
    long deleteCyclesBefore(final int cycle) {
        long freed = 0;
        for (final var entry : cycleFiles.headMap(cycle).entrySet()) {
            if (entry.getValue().delete() || !entry.getValue().exists()) {
                cycleFiles.remove(entry.getKey());
                final java.util.concurrent.atomic.AtomicLong bytes = cycleBytes.remove(entry.getKey());
                freed += bytes == null ? 0 : bytes.get();
                deletedCycles++;
            }
        }
        return freed;
    }

    private volatile int deletedCycles;

    int deletedCycles() {
        return deletedCycles;
    }

    /** Cycle files this writer created, by cycle. */
    java.util.concurrent.ConcurrentSkipListMap<Integer, File> cycleFiles() {
        return cycleFiles;
    }

    /** The queue's directory. */
    File directory() {
        return queue.file();
    }

    @Override
    public void close() {
        try {
            if (appender != null) {
                appender.close();
            }
        } catch (final Throwable ignored) {
            // closing after a failure: nothing more to save
        }
        queue.close();
    }
}

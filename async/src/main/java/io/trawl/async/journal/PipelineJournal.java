package io.trawl.async.journal;

import io.trawl.async.job.AsyncJob;
import net.openhft.chronicle.bytes.Bytes;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The journal of one pipeline: SUBMIT before a job goes to the conductor or a worker; the ids of jobs
 * whose completion reached the script, written as one DELIVERED record per duty cycle ({@link #flush}).
 * Pipeline thread only.
 */
public final class PipelineJournal {
    private final QueueWriter writer;
    private final Journal journal;
    private final java.nio.ByteBuffer bounce = java.nio.ByteBuffer.allocateDirect(64 * 1024);
    private final MemorySegment bounceMemory = MemorySegment.ofBuffer(bounce);

    PipelineJournal(final Journal journal, final QueueWriter writer) {
        this.journal = journal;
        this.writer = writer;
    }

    /**
     * Journals a job before it is handed on.
     *
     * @param payload a schedule's task as the task codec encodes it (null for file operations)
     * @return false when the journal cannot take it (failed or over its disk bound): do not run the job
     */
    public boolean submitted(final AsyncJob job, final long ticket, final String scriptName, final String scriptPath,
                             final byte[] payload, final long recoveredIntent) {
        if (!journal.hasRoom()) {
            return false;
        }
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return false;
        }
        try {
            bytes.writeByte(JournalRecord.SUBMIT);
            bytes.writeLong(job.id());
            bytes.writeLong(ticket);
            bytes.writeInt(job.pipeline());
            writeString(bytes, scriptName);
            writeString(bytes, scriptPath);
            bytes.writeByte((byte) job.kind().ordinal());
            writeString(bytes, job.source() == null ? null : job.source().toString());
            writeString(bytes, job.target() == null ? null : job.target().toString());
            bytes.writeLong(job.seekpos());
            bytes.writeLong(recoveredIntent);
            final MemorySegment data = job.bytes();
            if (data == null) {
                bytes.writeInt(-1);
            } else {
                bytes.writeInt(job.byteCount());
                if (data.isNative() && job.byteCount() <= Integer.MAX_VALUE) {
                    // One native copy from the staging memory into the mapped queue (the staging slot stays
                    // allocated until the job completes, so the address is valid here).
                    bytes.unsafeWrite(data.address() + job.bytesOffset(), job.byteCount());
                } else {
                    writeBounced(bytes, data, job.bytesOffset(), job.byteCount());
                }
            }
            if (payload == null) {
                bytes.writeInt(-1);
            } else {
                bytes.writeInt(payload.length);
                bytes.write(payload);
            }
        } catch (final Throwable t) {
            writer.rollback();
            writer.recordFailure(t);
            return false;
        }
        return finishSubmitted(job);
    }

    /**
     * Writes {@code text} exactly as {@code Bytes.writeUtf8} does (stop-bit byte length, then the bytes),
     * but an ASCII string (script names, paths: the usual case) as one bulk copy of bytes encoded once and
     * cached by identity (a script's name and path, a confined target path are the same String instances
     * call after call) instead of Chronicle's byte-at-a-time encoder.
     */
    private void writeString(final Bytes<?> bytes, final String text) {
        if (text == null) {
            bytes.writeUtf8((String) null);
            return;
        }
        final int slot = System.identityHashCode(text) & (ENCODED_SLOTS - 1);
        byte[] encoded = encodedKeys[slot] == text ? encodedValues[slot] : null;
        if (encoded == null) {
            encoded = asciiOrNull(text);
            if (encoded == null) {
                bytes.writeUtf8(text);
                return;
            }
            encodedKeys[slot] = text;
            encodedValues[slot] = encoded;
        }
        bytes.writeStopBit(encoded.length);
        bytes.write(encoded);
    }

    private static byte[] asciiOrNull(final String text) {
        final byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            final char c = text.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            out[i] = (byte) c;
        }
        return out;
    }

    private static final int ENCODED_SLOTS = 256;
    private final String[] encodedKeys = new String[ENCODED_SLOTS];
    private final byte[][] encodedValues = new byte[ENCODED_SLOTS][];

    /** Copies heap (or other) segment bytes through a plain direct buffer Chronicle can read. */
    private void writeBounced(final Bytes<?> bytes, final MemorySegment data, final long offset, final long count) {
        long copied = 0;
        while (copied < count) {
            final int piece = (int) Math.min(bounce.capacity(), count - copied);
            MemorySegment.copy(data, offset + copied, bounceMemory, 0, piece);
            bounce.clear().limit(piece);
            bytes.writeSome(bounce);
            copied += piece;
        }
    }

    /** Ends the SUBMIT record and counts the job as open in its cycle. */
    private boolean finishSubmitted(final AsyncJob job) {
        if (!writer.end()) {
            return false;
        }
        final int cycle = writer.cycle();
        job.journalCycle = cycle;
        if (cycle == lastCycle) {
            // the usual case: no boxing, no tree walk
            if (lastCount[0]++ == 0 && oldestOpenCycle == Integer.MAX_VALUE) {
                oldestOpenCycle = cycle; // (any other open cycle is older and stays the oldest)
            }
            return true;
        }
        if (lastCount != null && lastCount[0] == 0) {
            outstanding.remove(lastCycle); // the previous cycle's entry, kept while it was current
        }
        final long[] count = outstanding.computeIfAbsent(cycle, c -> new long[1]);
        count[0]++;
        lastCycle = cycle;
        lastCount = count;
        oldestOpenCycle = oldestOpen();
        return true;
    }

    /** Per cycle: jobs submitted in it and not delivered yet (pipeline thread). */
    private final java.util.TreeMap<Integer, long[]> outstanding = new java.util.TreeMap<>();
    /** The oldest cycle still holding an undelivered job, or MAX_VALUE (read by the journal's syncer). */
    private volatile int oldestOpenCycle = Integer.MAX_VALUE;
    /** The cycle of the last SUBMIT and its entry in {@link #outstanding}, kept even at 0 (-1: none). */
    private int lastCycle = -1;
    private long[] lastCount;

    int oldestOpenCycle() {
        return oldestOpenCycle;
    }

    private void settled(final int cycle) {
        final long[] count = cycle == lastCycle ? lastCount : outstanding.get(cycle);
        if (count != null && --count[0] == 0) {
            if (cycle != lastCycle) {
                outstanding.remove(cycle); // (the current cycle's entry stays: submitting again allocates nothing)
            }
            oldestOpenCycle = oldestOpen();
        }
    }

    /** The oldest cycle with an undelivered job, or MAX_VALUE. */
    private int oldestOpen() {
        if (outstanding.size() == 1 && lastCount != null) {
            return lastCount[0] > 0 ? lastCycle : Integer.MAX_VALUE; // the common case, no iterator
        }
        for (final java.util.Map.Entry<Integer, long[]> entry : outstanding.entrySet()) {
            if (entry.getValue()[0] > 0) {
                return entry.getKey();
            }
        }
        return Integer.MAX_VALUE;
    }

    /**
     * The job's completion was delivered (onresult/onerror ran): it is finished. Recorded in a batch that
     * {@link #flush()} writes (the pipeline flushes once per duty cycle); a crash before that delivers it
     * again after recovery (at least once, as the contract allows).
     */
    public void delivered(final io.trawl.async.job.AsyncJob job) {
        delivered(job.id());
        if (job.journalCycle >= 0) {
            settled(job.journalCycle);
        }
    }

    /** Journals a job (by id) as delivered; no cycle bookkeeping (a job journaled by an earlier run). */
    public void delivered(final long jobId) {
        if (pendingDelivered == pendingIds.length) {
            flush();
        }
        pendingIds[pendingDelivered++] = jobId;
    }

    /** Writes the deliveries recorded since the last flush as one record. Pipeline thread. */
    public void flush() {
        if (pendingDelivered == 0) {
            return;
        }
        final int count = pendingDelivered;
        pendingDelivered = 0;
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return;
        }
        try {
            bytes.writeByte(JournalRecord.DELIVERED_MANY);
            bytes.writeInt(count);
            for (int i = 0; i < count; i++) {
                bytes.writeLong(pendingIds[i]);
            }
        } catch (final Throwable t) {
            writer.rollback();
            return;
        }
        writer.end();
    }

    private final long[] pendingIds = new long[1024];
    private int pendingDelivered;

    /** Why this journal failed, or null. */
    public Throwable failure() {
        return writer.failure();
    }

    Path directory() {
        return writer.directory().toPath();
    }
}

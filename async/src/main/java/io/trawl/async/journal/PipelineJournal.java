package io.trawl.async.journal;

import io.trawl.async.job.AsyncJob;
import net.openhft.chronicle.bytes.Bytes;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The journal of one pipeline: SUBMIT before a job goes to the conductor or a worker, DELIVERED after
 * its completion reached the script. Pipeline thread only.
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
            bytes.writeUtf8(scriptName);
            bytes.writeUtf8(scriptPath);
            bytes.writeByte((byte) job.kind().ordinal());
            bytes.writeUtf8(job.source() == null ? null : job.source().toString());
            bytes.writeUtf8(job.target() == null ? null : job.target().toString());
            bytes.writeLong(job.seekpos());
            bytes.writeLong(recoveredIntent);
            final MemorySegment data = job.bytes();
            if (data == null) {
                bytes.writeInt(-1);
            } else {
                bytes.writeInt(job.byteCount());
                // Chronicle cannot read buffers of shared-arena segments: bounce through a plain direct buffer.
                long copied = 0;
                while (copied < job.byteCount()) {
                    final int piece = (int) Math.min(bounce.capacity(), job.byteCount() - copied);
                    MemorySegment.copy(data, job.bytesOffset() + copied, bounceMemory, 0, piece);
                    bounce.clear().limit(piece);
                    bytes.writeSome(bounce);
                    copied += piece;
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
        if (!writer.end()) {
            return false;
        }
        job.journalCycle = writer.cycle();
        final long[] count = outstanding.computeIfAbsent(job.journalCycle, c -> new long[1]);
        count[0]++;
        oldestOpenCycle = outstanding.firstKey();
        return true;
    }

    /** Per cycle: jobs submitted in it and not delivered yet (pipeline thread). */
    private final java.util.TreeMap<Integer, long[]> outstanding = new java.util.TreeMap<>();
    /** The oldest cycle still holding an undelivered job, or MAX_VALUE (read by the journal's syncer). */
    private volatile int oldestOpenCycle = Integer.MAX_VALUE;

    int oldestOpenCycle() {
        return oldestOpenCycle;
    }

    private void settled(final int cycle) {
        final long[] count = outstanding.get(cycle);
        if (count != null && --count[0] == 0) {
            outstanding.remove(cycle);
            oldestOpenCycle = outstanding.isEmpty() ? Integer.MAX_VALUE : outstanding.firstKey();
        }
    }

    /** The job's completion was delivered (onresult/onerror ran): it is finished. */
    public void delivered(final io.trawl.async.job.AsyncJob job) {
        delivered(job.id());
        if (job.journalCycle >= 0) {
            settled(job.journalCycle);
        }
    }

    /** Journals a job (by id) as delivered; no cycle bookkeeping (a job journaled by an earlier run). */
    public void delivered(final long jobId) {
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return;
        }
        try {
            bytes.writeByte(JournalRecord.DELIVERED);
            bytes.writeLong(jobId);
        } catch (final Throwable t) {
            writer.rollback();
            return;
        }
        writer.end();
    }

    /** Why this journal failed, or null. */
    public Throwable failure() {
        return writer.failure();
    }

    Path directory() {
        return writer.directory().toPath();
    }
}

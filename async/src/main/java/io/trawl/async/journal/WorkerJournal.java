package io.trawl.async.journal;

import io.trawl.async.job.Outcome;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The journal of one worker: the offsets appends are about to write at (INTENTS, one record per batch of
 * copybuffer writes; INTENT for a single {@code cat}), and the jobs whose effects are done (EFFECTS, one
 * record per batch with their common outcome; EFFECT for one job, with a schedule's result). Worker thread only. A worker whose journal failed keeps working;
 * the jobs it finishes then may run again after a crash (at-least-once), which the summary reports.
 */
public final class WorkerJournal {
    private final QueueWriter writer;

    WorkerJournal(final QueueWriter writer) {
        this.writer = writer;
    }

    /** The append of job {@code jobId} is about to write at {@code offset}. */
    public void intent(final long jobId, final long offset) {
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return;
        }
        try {
            bytes.writeByte(JournalRecord.INTENT);
            bytes.writeLong(jobId);
            bytes.writeLong(offset);
        } catch (final Throwable t) {
            writer.rollback();
            return;
        }
        writer.end();
    }

    /**
     * The appends {@code ids[0..count)} are about to write at {@code offsets[0..count)}: one record for a
     * batch, written before any of its bytes.
     */
    public void intents(final long[] ids, final long[] offsets, final int count) {
        if (count == 0) {
            return;
        }
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return;
        }
        try {
            bytes.writeByte(JournalRecord.INTENTS);
            bytes.writeInt(count);
            for (int i = 0; i < count; i++) {
                bytes.writeLong(ids[i]);
                bytes.writeLong(offsets[i]);
            }
        } catch (final Throwable t) {
            writer.rollback();
            return;
        }
        writer.end();
    }

    /** The effects of jobs {@code ids[0..count)} are done, all with the same outcome (a batch of writes to one file). */
    public void effects(final long[] ids, final int count, final Outcome outcome, final String error) {
        if (count == 0) {
            return;
        }
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return;
        }
        try {
            bytes.writeByte(JournalRecord.EFFECTS);
            bytes.writeInt(count);
            bytes.writeByte((byte) outcome.ordinal());
            bytes.writeUtf8(error);
            for (int i = 0; i < count; i++) {
                bytes.writeLong(ids[i]);
            }
        } catch (final Throwable t) {
            writer.rollback();
            return;
        }
        writer.end();
    }

    /** The effects of job {@code jobId} are done. */
    public void effect(final long jobId, final Outcome outcome, final String result, final String error) {
        final Bytes<?> bytes = writer.begin();
        if (bytes == null) {
            return;
        }
        try {
            bytes.writeByte(JournalRecord.EFFECT);
            bytes.writeLong(jobId);
            bytes.writeByte((byte) outcome.ordinal());
            bytes.writeUtf8(result);
            bytes.writeUtf8(error);
        } catch (final Throwable t) {
            writer.rollback();
            return;
        }
        writer.end();
    }
}

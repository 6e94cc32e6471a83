package io.trawl.async.journal;

import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.Outcome;
import io.trawl.pipeline.RunConsole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Runs the journal's write path (SUBMIT of copybuffers and schedules, a worker's INTENTS/EFFECTS/EFFECT,
 * batched deliveries, on real Chronicle queues) on a scratch journal before a run starts, then deletes it.
 * Without it the first few thousand T.async calls of a run journal through cold code — interpreted and
 * then C1-compiled Chronicle appends, tens of microseconds each instead of about one — and the JIT
 * compiles that code while packets flow, on the CPUs the pipelines need. The loop stops after 20,000
 * iterations or 200 ms, whichever comes first (in a cold JVM the first iterations run interpreted); the
 * compilations it queues start before the first packet (a trial that also waited for them to finish gained
 * nothing measurable and delayed every start). Creating the scratch queues also takes Chronicle's
 * first-use cost (~0.3 s in a cold JVM), which the run's own journal would otherwise pay.
 *
 * <p>Threading: the thread opening the run's journal, before any pipeline or worker starts.
 */
public final class JournalWarmUp {
    /** Iterations of one job's records: enough for the JIT's C2 thresholds on the whole write path. */
    static final int ITERATIONS = 20_000;
    private static final int BATCH = 64;
    /** The most startup time the warm-up may take (a cold JVM runs the first iterations interpreted). */
    private static final long MAX_NANOS = 200_000_000L;

    private JournalWarmUp() {
    }

    /**
     * Writes and deletes a scratch journal in {@code scratch} (which must not be a journal of value: it
     * is removed). Never fails the run: a problem here (a full disk...) only skips the warm-up.
     */
    public static void run(final Path scratch, final RunConsole console) {
        Journal journal = null;
        Journal.deleteFinished(scratch); // what a run killed during its warm-up left
        try (Arena arena = Arena.ofConfined()) {
            journal = Journal.open(scratch, "none", Long.MAX_VALUE, console);
            final PipelineJournal pipeline = journal.pipeline(0);
            final WorkerJournal worker = journal.worker(0);
            final Path target = scratch.resolve("warm-up.bin");
            final MemorySegment small = arena.allocate(64);
            final MemorySegment large = arena.allocate(1500);
            final AsyncJob[] jobs = {
                AsyncJob.copyBuffer(1, 0, 0, target, -1, small, 0, 64),
                AsyncJob.copyBuffer(2, 0, 0, target, -1, large, 0, 1500),
                AsyncJob.schedule(3, 0, 0, "warm-up"),
            };
            final byte[] payload = new byte[300];
            final long[] ids = new long[BATCH];
            final long[] offsets = new long[BATCH];
            int pending = 0;
            final long deadline = System.nanoTime() + MAX_NANOS;
            for (int i = 1; i <= ITERATIONS && (i % 256 != 0 || System.nanoTime() < deadline); i++) {
                final AsyncJob job = jobs[i % jobs.length];
                final boolean schedule = job.kind() == io.trawl.async.job.JobKind.SCHEDULE;
                if (!pipeline.submitted(job, i, "warm-up.lua", "/trawl/warm-up.lua", schedule ? payload : null, -1)) {
                    return; // the scratch journal cannot be written: no warm-up
                }
                if (schedule) {
                    worker.effect(i, Outcome.COMPLETED, "result", null);
                } else {
                    ids[pending] = i;
                    offsets[pending++] = (long) i * 64;
                }
                if (pending == BATCH) {
                    worker.intents(ids, offsets, pending);
                    worker.effects(ids, pending, Outcome.COMPLETED, null);
                    pending = 0;
                }
                pipeline.delivered(job);
                if (i % 16 == 0) {
                    pipeline.flush();
                }
            }
        } catch (final RuntimeException e) {
            // the warm-up is an optimisation: the run's own journal reports real problems
        } finally {
            if (journal != null) {
                journal.close(true);
            }
            Journal.deleteFinished(scratch);
        }
    }

}

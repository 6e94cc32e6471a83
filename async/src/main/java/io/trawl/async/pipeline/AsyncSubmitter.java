package io.trawl.async.pipeline;

import io.trawl.async.exec.ScriptAsync;
import io.trawl.async.files.PathPolicy;
import io.trawl.async.files.PathRefusedException;
import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.CompletionHandler;
import io.trawl.async.job.JobKind;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.filex.StagedFiles;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * What a pipeline's Lua states call to submit T.async jobs. Every call returns at once: it confines the
 * paths, reserves room in the script's bounded queue, captures copybuffer bytes into off-heap staging
 * memory, keeps staged files it reads from AutoDelete, and offers the job to the conductor. A call that
 * cannot be accepted is counted and logged (rate-limited) and returns the reason; it never waits.
 *
 * <p>Threading: the owning pipeline thread only.
 */
public final class AsyncSubmitter {
    private static final long REJECTION_LOG_INTERVAL_NANOS = 1_000_000_000L;

    private final int pipeline;
    private final ScriptAsync[] scripts;
    private final PathPolicy paths;
    private final StagingPool staging;
    private final StagedFiles stagedFiles;
    private final Queue<AsyncJob> toConductor;
    /** Per script: the direct queues (this pipeline → each worker) for jobs without paths. */
    private final Queue<AsyncJob>[][] toWorkers;
    private final int[] nextWorker;
    /** Per script: this pipeline's jobs in the conductor (submitted, completion not processed yet). */
    private final int[] viaConductor;
    /** Per script: jobs numbered as they go to the conductor (gaps where the ring refused one). */
    private final long[] conductorSeq;
    /** Per script: conductorSeq of the last schedule sent to the conductor. */
    private final long[] lastScheduleSeq;
    private static final Path[] NO_PATHS = new Path[0];
    private final RunConsole console;
    private final io.trawl.async.journal.PipelineJournal journal;
    private final java.util.concurrent.atomic.AtomicLong tickets;
    private final long idPrefix;
    private long journalRejections;
    private long sequence;
    private long outstanding;
    /** Confined paths by the script's string: scripts use a few file names over and over. */
    private final java.util.LinkedHashMap<String, Path> confined = new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final java.util.Map.Entry<String, Path> eldest) {
            return size() > 1024;
        }
    };
    private final long[] lastRejectionLog;
    private final long[] rejectionsSinceLog;

    AsyncSubmitter(final int pipeline, final ScriptAsync[] scripts, final PathPolicy paths, final StagingPool staging,
                   final StagedFiles stagedFiles, final Queue<AsyncJob> toConductor, final Queue<AsyncJob>[][] toWorkers,
                   final RunConsole console, final io.trawl.async.journal.PipelineJournal journal,
                   final java.util.concurrent.atomic.AtomicLong tickets, final long idPrefix) {
        this.pipeline = pipeline;
        this.scripts = scripts;
        this.paths = paths;
        this.staging = staging;
        this.stagedFiles = stagedFiles;
        this.toConductor = toConductor;
        this.toWorkers = toWorkers;
        this.nextWorker = new int[scripts.length];
        this.viaConductor = new int[scripts.length];
        this.conductorSeq = new long[scripts.length];
        this.lastScheduleSeq = new long[scripts.length];
        this.console = console;
        this.journal = journal;
        this.tickets = tickets;
        this.idPrefix = idPrefix;
        this.lastRejectionLog = new long[scripts.length];
        this.rejectionsSinceLog = new long[scripts.length];
    }

    public int pipeline() {
        return pipeline;
    }

    /** {@code T.async:cat(from, to)}. Returns null when accepted, else why not. */
    public String cat(final int script, final String from, final String to, final CompletionHandler handler, final Object state) {
        return fileToFile(script, JobKind.CAT, from, to, handler, state);
    }

    /** {@code T.async:copy(from, to)}. */
    public String copy(final int script, final String from, final String to, final CompletionHandler handler, final Object state) {
        return fileToFile(script, JobKind.COPY, from, to, handler, state);
    }

    private String fileToFile(final int script, final JobKind kind, final String from, final String to,
                              final CompletionHandler handler, final Object state) {
        final Path source;
        final Path target;
        try {
            source = confine(kind.method(), from);
            target = confine(kind.method(), to);
        } catch (final PathRefusedException e) {
            return refused(script, e.getMessage());
        }
        if (!scripts[script].tryReserve(0)) {
            return rejected(script, kind);
        }
        final AsyncJob job = AsyncJob.fileToFile(nextId(), script, pipeline, kind, source, target).onCompletion(handler, state);
        retainStaged(job, source);
        return offer(job);
    }

    /** {@code T.async:rm(file)}. */
    public String rm(final int script, final String file, final CompletionHandler handler, final Object state) {
        final Path target;
        try {
            target = confine("rm", file);
        } catch (final PathRefusedException e) {
            return refused(script, e.getMessage());
        }
        if (!scripts[script].tryReserve(0)) {
            return rejected(script, JobKind.RM);
        }
        return offer(AsyncJob.remove(nextId(), script, pipeline, target).onCompletion(handler, state));
    }

    /**
     * {@code T.async:copybuffer(buf, file[, seekpos])}: the bytes are copied now, once, into off-heap
     * staging memory.
     *
     * @param seekpos position to write at, or -1 to append
     */
    public String copyBuffer(final int script, final MemorySegment memory, final long offset, final int length, final String file,
                             final long seekpos, final CompletionHandler handler, final Object state) {
        final Path target;
        try {
            target = confine("copybuffer", file);
        } catch (final PathRefusedException e) {
            return refused(script, e.getMessage());
        }
        if (!scripts[script].tryReserve(length)) {
            return rejected(script, JobKind.COPYBUFFER);
        }
        final StagingPool.Slot slot = staging.stage(memory, offset, length);
        final AsyncJob job = AsyncJob.copyBuffer(nextId(), script, pipeline, target, seekpos, slot.memory(), slot.offset(), length)
            .onCompletion(handler, state);
        job.stagingHandle = slot.handle();
        return offer(job);
    }

    /**
     * {@code T.async:schedule{...}}: {@code task} is the snapshot the TaskRunner needs. Staged files named
     * in {@code referencedPaths} (the data string, string upvalues) are kept from AutoDelete until the job
     * finishes.
     */
    public String schedule(final int script, final Object task, final List<String> referencedPaths,
                           final CompletionHandler handler, final Object state) {
        return schedule(script, task, referencedPaths, handler, state, null, -1);
    }

    /**
     * {@link #schedule(int, Object, List, CompletionHandler, Object)} with the schedule's journal payload
     * (when journaling) and, for a recovered job, its original id (else -1).
     */
    public String schedule(final int script, final Object task, final List<String> referencedPaths,
                           final CompletionHandler handler, final Object state, final byte[] journalPayload, final long id) {
        if (!scripts[script].tryReserve(0)) {
            return rejected(script, JobKind.SCHEDULE);
        }
        final AsyncJob job = AsyncJob.schedule(id >= 0 ? id : nextId(), script, pipeline, task).onCompletion(handler, state);
        job.journalPayload = journalPayload;
        job.recovered = id >= 0;
        if (referencedPaths != null) {
            job.paths = orderingPaths(referencedPaths);
        }
        if (stagedFiles != null && referencedPaths != null) {
            final List<Path> retained = new ArrayList<>();
            for (final String reference : referencedPaths) {
                if (!stagedFiles.mayBeStaged(reference)) {
                    continue;
                }
                try {
                    final Path path = Path.of(reference).toAbsolutePath().normalize();
                    if (stagedFiles.retain(path)) {
                        retained.add(path);
                    }
                } catch (final RuntimeException e) {
                    // not a path
                }
            }
            if (!retained.isEmpty()) {
                job.retaining(retained.toArray(new Path[0]));
            }
        }
        return offer(job);
    }

    /**
     * The paths a schedule is ordered with (rule 5): every absolute path among its strings that lies in the
     * allowed roots. Relative strings are not paths to onexecute (it runs in trawl's working directory).
     */
    private Path[] orderingPaths(final List<String> references) {
        Path[] found = NO_PATHS;
        for (final String reference : references) {
            if (reference.length() < 2 || reference.charAt(0) != '/' || reference.length() > 4096) {
                continue;
            }
            try {
                final Path path = paths.confine("schedule", reference);
                if (!java.util.Arrays.asList(found).contains(path)) {
                    found = java.util.Arrays.copyOf(found, found.length + 1);
                    found[found.length - 1] = path;
                }
            } catch (final PathRefusedException e) {
                // not a path T.async may touch: no ordering with file operations
            }
        }
        return found;
    }

    private Path confine(final String method, final String raw) throws PathRefusedException {
        final Path cached = confined.get(raw);
        if (cached != null) {
            return cached;
        }
        final Path path = paths.confine(method, raw);
        confined.put(raw, path);
        return path;
    }

    /** True when jobs are journaled (the Lua binding then encodes schedules for the journal). */
    public boolean journaling() {
        return journal != null;
    }

    /**
     * Submits a job recovered from the journal with its original id: confined again (the allowed roots may
     * have changed), an append's journaled offset kept; not journaled again (its SUBMIT record stays in the
     * old journal until it is delivered).
     */
    public String resubmit(final io.trawl.async.journal.JournaledJob recovered, final int script, final CompletionHandler handler,
                           final Object state) {
        final JobKind kind = recovered.kind();
        final Path source;
        final Path target;
        try {
            source = recovered.source() == null ? null : confine(kind.method(), recovered.source());
            target = recovered.target() == null ? null : confine(kind.method(), recovered.target());
        } catch (final PathRefusedException e) {
            return refused(script, e.getMessage());
        }
        final int length = recovered.bytes() == null ? 0 : recovered.bytes().length;
        if (!scripts[script].tryReserve(length)) {
            return rejected(script, kind);
        }
        final AsyncJob job = switch (kind) {
            case CAT, COPY -> AsyncJob.fileToFile(recovered.id(), script, pipeline, kind, source, target);
            case RM -> AsyncJob.remove(recovered.id(), script, pipeline, target);
            // the bytes the journal gave back are this job's alone: the worker writes from them, no staging copy
            case COPYBUFFER -> AsyncJob.copyBuffer(recovered.id(), script, pipeline, target, recovered.seekpos(),
                MemorySegment.ofArray(recovered.bytes()), 0, length);
            case SCHEDULE -> throw new IllegalArgumentException("schedules are resubmitted through schedule(...)");
        };
        job.onCompletion(handler, state);
        job.recoveredIntent = recovered.intent();
        job.recovered = true;
        return offer(job);
    }

    /**
     * True when a job of {@code script} with {@code bytes} staged would be taken now (queue bounds, rings):
     * recovery submits only then, so a recovered job is never rejected for a transient lack of room.
     */
    public boolean hasRoom(final int script, final long bytes) {
        if (!scripts[script].hasRoom(bytes) || !ringHasRoom(toConductor)) {
            return false;
        }
        for (final Queue<AsyncJob> queue : toWorkers[script]) {
            if (!ringHasRoom(queue)) {
                return false;
            }
        }
        return true;
    }

    private static boolean ringHasRoom(final Queue<AsyncJob> queue) {
        return !(queue instanceof org.jctools.queues.MessagePassingQueue<?> ring) || ring.size() < ring.capacity() - 1;
    }

    /** T.async calls refused because the journal could not take them (full or failed). */
    public long journalRejections() {
        return journalRejections;
    }

    /** The pipeline's journal, or null. */
    io.trawl.async.journal.PipelineJournal journal() {
        return journal;
    }

    /** {@code T.async:pending_items()}: the script's unfinished jobs. */
    public long pendingItems(final int script) {
        return scripts[script].pendingJobs();
    }

    /** Jobs this pipeline submitted whose completion it has not processed yet. */
    public long outstanding() {
        return outstanding;
    }

    void completed(final AsyncJob job) {
        outstanding--;
        if (job.viaConductor) {
            viaConductor[job.script()]--;
        }
    }

    StagingPool staging() {
        return staging;
    }

    StagedFiles stagedFiles() {
        return stagedFiles;
    }

    private void retainStaged(final AsyncJob job, final Path source) {
        if (stagedFiles != null && stagedFiles.retain(source)) {
            job.retaining(new Path[] {source});
        }
    }

    private String offer(final AsyncJob job) {
        if (journal != null && !job.recovered) {
            final ScriptAsync script = scripts[job.script()];
            if (!journal.submitted(job, tickets.incrementAndGet(), script.name(), script.path(), job.journalPayload,
                job.recoveredIntent)) {
                undo(job);
                journalRejections++;
                final String reason = journal.failure() != null
                    ? "the T.async journal failed (" + journal.failure() + ")"
                    : "the T.async journal is full (async.journal.max_bytes)";
                if (script.recordError(reason)) {
                    console.warn("trawl: " + script.name() + ": T.async:" + job.kind().method() + " rejected: " + reason
                        + "; jobs that cannot be journaled are not run");
                }
                return rejected(job.script(), job.kind());
            }
        }
        // Jobs with paths are ordered by the conductor; so is everything of a one-worker script while this
        // pipeline has jobs there (a direct job would overtake them).
        job.viaConductor = job.paths.length > 0
            || (toWorkers[job.script()].length == 1 && viaConductor[job.script()] > 0);
        if (job.viaConductor) {
            job.conductorSeq = ++conductorSeq[job.script()];
            job.lastScheduleSeq = lastScheduleSeq[job.script()];
        }
        if (!(job.viaConductor ? toConductor.offer(job) : offerDirect(job))) {
            // The submission ring is full: undo and count, the fast path does not wait.
            undo(job);
            if (journal != null) {
                journal.delivered(job); // journaled, but it will never run: finished as rejected
            }
            return rejected(job.script(), job.kind());
        }
        scripts[job.script()].countSubmitted(pipeline);
        outstanding++;
        if (job.viaConductor) {
            viaConductor[job.script()]++;
            if (job.kind() == JobKind.SCHEDULE) {
                lastScheduleSeq[job.script()] = job.conductorSeq; // only once it reached the conductor
            }
        }
        return null;
    }

    private void undo(final AsyncJob job) {
        scripts[job.script()].release(job.byteCount());
        if (job.stagingHandle != -1) {
            staging.free(job.stagingHandle, job.byteCount());
        }
        if (job.retained() != null) {
            for (final Path path : job.retained()) {
                stagedFiles.release(path);
            }
        }
    }

    /** A job without paths needs no ordering: straight to a worker of its script, round-robin. */
    private boolean offerDirect(final AsyncJob job) {
        final Queue<AsyncJob>[] queues = toWorkers[job.script()];
        for (int i = 0; i < queues.length; i++) {
            final int w = nextWorker[job.script()];
            nextWorker[job.script()] = w + 1 == queues.length ? 0 : w + 1;
            if (queues[w].offer(job)) {
                return true;
            }
        }
        return false;
    }

    /** Unique across runs: a per-run prefix, the pipeline, a sequence. */
    private long nextId() {
        return idPrefix | ((long) pipeline << 40) | ++sequence;
    }

    private String refused(final int script, final String message) {
        scripts[script].countRefused(pipeline);
        if (scripts[script].recordError(message)) {
            console.warn("trawl: " + scripts[script].name() + ": " + message);
        }
        return message;
    }

    private String rejected(final int script, final JobKind kind) {
        final ScriptAsync s = scripts[script];
        s.countRejected(pipeline);
        rejectionsSinceLog[script]++;
        final long now = System.nanoTime();
        if (now - lastRejectionLog[script] >= REJECTION_LOG_INTERVAL_NANOS) {
            console.warn("trawl: " + s.name() + ": T.async queue full (" + s.pendingJobs() + " jobs pending); rejected "
                + rejectionsSinceLog[script] + " call(s) (last: " + kind.method() + "); raise async.queue_jobs / async.queue_bytes "
                + "or request_async_workers");
            lastRejectionLog[script] = now;
            rejectionsSinceLog[script] = 0;
        }
        return "T.async:" + kind.method() + " rejected: the script's queue is full";
    }
}

package io.trawl.async.job;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One T.async call. Created by a pipeline, ordered by the conductor, executed by a worker, completed on
 * the pipeline again; it travels between those threads only through queues, so each phase sees the
 * previous phase's writes. Fields are grouped by the thread that writes them.
 */
public final class AsyncJob {
    // ---- written by the submitting pipeline, read-only afterwards ----------------------------------
    private final long id;
    private final int script;
    private final int pipeline;
    private final JobKind kind;
    private final Path source;
    private final Path target;
    private final long seekpos;
    private final long submittedNanos;
    MemorySegment bytes;
    long bytesOffset;
    int byteCount;
    Object task;
    CompletionHandler handler;
    Object callbackState;
    Path[] retained;
    /** Pipeline-private: the staging handle to free at completion. */
    public long stagingHandle = -1;
    /** A recovered append: the offset its interrupted run journaled (write there, truncate after), or -1. */
    public long recoveredIntent = -1;
    /**
     * A job of an interrupted run, submitted again: its SUBMIT record stays in the old journal (not
     * journaled again); its progress and delivery go to this run's journal.
     */
    public boolean recovered;
    /** The journal cycle its SUBMIT went to (pipeline bookkeeping), or -1. */
    public int journalCycle = -1;
    /** A schedule as the journal keeps it (the task codec's bytes), or null. */
    public byte[] journalPayload;

    // ---- conductor ---------------------------------------------------------------------------------
    /**
     * Paths this job touches (ordering keys). For a schedule: the absolute paths inside the allowed roots
     * that its data string or captured string upvalues name (it may read them), often none.
     */
    public Path[] paths;
    /** Pipeline-private: true when it went through the conductor (not straight to a worker). */
    public boolean viaConductor;
    /** Its place among the jobs its pipeline sent the conductor for its script (1, 2, ...). */
    public long conductorSeq;
    /** The conductorSeq of the last schedule its pipeline sent the conductor for its script before it (0: none). */
    public long lastScheduleSeq;
    /** True once handed to a worker. */
    public boolean dispatched;
    /** True while it waits in the conductor for room at a worker. */
    public boolean waitingForCapacity;
    /** True while a one-worker script's schedule gate holds it back. */
    public boolean heldByGate;
    /** On a batch's first job: how many jobs the batch holds (set by the conductor). */
    public int batchSize;
    /** The next job of the same batch (same worker, run back to back), or null. */
    public AsyncJob batchNext;
    /** The worker it was dispatched to. */
    public int worker = -1;

    // ---- worker ------------------------------------------------------------------------------------
    Outcome outcome;
    String result;
    String error;
    long bytesWritten;
    long startedNanos;
    long finishedNanos;

    private AsyncJob(final long id, final int script, final int pipeline, final JobKind kind, final Path source,
                     final Path target, final long seekpos) {
        this.id = id;
        this.script = script;
        this.pipeline = pipeline;
        this.kind = kind;
        this.source = source;
        this.target = target;
        this.seekpos = seekpos;
        this.submittedNanos = System.nanoTime();
        this.paths = source == null ? (target == null ? new Path[0] : new Path[] {target})
            : target == null ? new Path[] {source} : new Path[] {source, target};
    }

    /** cat / copy. */
    public static AsyncJob fileToFile(final long id, final int script, final int pipeline, final JobKind kind, final Path from,
                                      final Path to) {
        return new AsyncJob(id, script, pipeline, kind, from, to, -1);
    }

    /** rm. */
    public static AsyncJob remove(final long id, final int script, final int pipeline, final Path file) {
        return new AsyncJob(id, script, pipeline, JobKind.RM, null, file, -1);
    }

    /** copybuffer: {@code length} bytes at {@code memory[offset]} (staging memory the caller owns until completion). */
    public static AsyncJob copyBuffer(final long id, final int script, final int pipeline, final Path file, final long seekpos,
                                      final MemorySegment memory, final long offset, final int length) {
        final AsyncJob job = new AsyncJob(id, script, pipeline, JobKind.COPYBUFFER, null, file, seekpos);
        job.bytes = memory;
        job.bytesOffset = offset;
        job.byteCount = length;
        return job;
    }

    /** schedule: {@code task} is the TaskRunner's payload (functions and data, already snapshotted). */
    public static AsyncJob schedule(final long id, final int script, final int pipeline, final Object task) {
        final AsyncJob job = new AsyncJob(id, script, pipeline, JobKind.SCHEDULE, null, null, -1);
        job.task = task;
        return job;
    }

    public long id() {
        return id;
    }

    public int script() {
        return script;
    }

    public int pipeline() {
        return pipeline;
    }

    public JobKind kind() {
        return kind;
    }

    /** cat/copy source. */
    public Path source() {
        return source;
    }

    /** cat/copy destination, rm/copybuffer file. */
    public Path target() {
        return target;
    }

    /** copybuffer position, or -1 to append. */
    public long seekpos() {
        return seekpos;
    }

    public long submittedNanos() {
        return submittedNanos;
    }

    public MemorySegment bytes() {
        return bytes;
    }

    public long bytesOffset() {
        return bytesOffset;
    }

    public int byteCount() {
        return byteCount;
    }

    public Object task() {
        return task;
    }

    public CompletionHandler handler() {
        return handler;
    }

    public Object callbackState() {
        return callbackState;
    }

    /** Staged files kept from AutoDelete until this job finishes, or null. */
    public Path[] retained() {
        return retained;
    }

    /** Pipeline, before submission: where the result goes and what it needs. */
    public AsyncJob onCompletion(final CompletionHandler completionHandler, final Object state) {
        this.handler = completionHandler;
        this.callbackState = state;
        return this;
    }

    /** Pipeline, before submission: staged files this job reads. */
    public AsyncJob retaining(final Path[] files) {
        this.retained = files;
        return this;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** A schedule's onexecute result (a string), or null. */
    public String result() {
        return result;
    }

    /** Why the job failed, or null. */
    public String error() {
        return error;
    }

    /** Bytes the job wrote to files. */
    public long bytesWritten() {
        return bytesWritten;
    }

    public long startedNanos() {
        return startedNanos;
    }

    public long finishedNanos() {
        return finishedNanos;
    }

    /** Worker: records the outcome. */
    public void finish(final Outcome how, final String resultText, final String errorText, final long written) {
        this.outcome = how;
        this.result = resultText;
        this.error = errorText;
        this.bytesWritten = written;
        this.finishedNanos = System.nanoTime();
    }

    /** Worker: the job starts running. */
    public void start() {
        this.startedNanos = System.nanoTime();
    }

    /** Worker: the job starts running at {@code nanos} (one clock read for a whole batch). */
    public void start(final long nanos) {
        this.startedNanos = nanos;
    }

    /** Worker: records the outcome, finished at {@code nanos}. */
    public void finish(final Outcome how, final String resultText, final String errorText, final long written, final long nanos) {
        this.outcome = how;
        this.result = resultText;
        this.error = errorText;
        this.bytesWritten = written;
        this.finishedNanos = nanos;
    }

    @Override
    public String toString() {
        return "T.async:" + kind.method() + "#" + id + (target != null ? " " + target : "");
    }
}

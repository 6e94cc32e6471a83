package io.trawl.perf.async;

import io.trawl.async.job.AsyncJob;
import io.trawl.async.journal.Journal;
import io.trawl.async.journal.PipelineJournal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the T.async journal costs the pipeline per job: the SUBMIT record written before a job is handed
 * on (a {@code copybuffer} with its bytes, or a {@code schedule} with a 300-byte encoded task) plus its
 * share of the DELIVERED record written after completions (one record per pipeline duty cycle for the
 * deliveries of that cycle: {@code deliveriesPerFlush} jobs, 1 being the worst case of one completion per
 * cycle), on a real Chronicle Queue. The worker's records (INTENTS, EFFECTS) go to the worker's own queue
 * on its thread and are not on the fast path. Each iteration starts a
 * fresh journal (so the disk holds one iteration's records). Run with {@code -prof gc} for B/op.
 *
 * <p>{@code perf/run jmh JournalAppendBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JournalAppendBenchmark {
    /** The journaled job. */
    @Param({"copybuffer-64", "copybuffer-1500", "schedule"})
    public String job;

    /** async.journal.sync (always is one fsync per record: not a fast-path setting, measured by the rig). */
    @Param({"none", "batch"})
    public String sync;

    /** Deliveries written per DELIVERED record (completions drained in one pipeline duty cycle). */
    @Param({"1", "64"})
    public int deliveriesPerFlush;

    private Path directory;
    private Journal journal;
    private PipelineJournal pipeline;
    private AsyncJob asyncJob;
    private byte[] payload;
    private long ticket;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "trawl-journal-bench");
        final Path target = directory.resolve("out/file.bin");
        asyncJob = switch (job) {
            case "copybuffer-64" -> copybuffer(target, 64);
            case "copybuffer-1500" -> copybuffer(target, 1500);
            default -> AsyncJob.schedule(1, 0, 0, "task");
        };
        payload = job.equals("schedule") ? new byte[300] : null;
    }

    private static AsyncJob copybuffer(final Path target, final int length) {
        final MemorySegment memory = Arena.ofAuto().allocate(length);
        return AsyncJob.copyBuffer(1, 0, 0, target, -1, memory, 0, length);
    }

    @Setup(Level.Iteration)
    public void openJournal() {
        journal = Journal.open(directory.resolve("journal"), sync, 1L << 40, AsyncHarness.QUIET);
        pipeline = journal.pipeline(0);
    }

    @TearDown(Level.Iteration)
    public void closeJournal() throws IOException {
        journal.close(true);
        deleteTree(directory.resolve("journal"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        deleteTree(directory);
    }

    @Benchmark
    public boolean submitAndDeliver() {
        final boolean taken = pipeline.submitted(asyncJob, ++ticket, "bench.lua", "/opt/trawl/scripts/bench.lua", payload, -1);
        pipeline.delivered(asyncJob);
        if (ticket % deliveriesPerFlush == 0) {
            pipeline.flush();
        }
        return taken;
    }

    private static void deleteTree(final Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (final Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

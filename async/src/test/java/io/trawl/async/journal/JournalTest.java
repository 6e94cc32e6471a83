package io.trawl.async.journal;

import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.JobKind;
import io.trawl.async.job.Outcome;
import io.trawl.pipeline.RunConsole;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The journal on its own: what it records, what recovery reads back, damage, foreign formats, cycles, a full disk. */
class JournalTest {
    @TempDir
    Path temp;

    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final RunConsole console = new RunConsole() {
        @Override
        public void info(final String line) {
        }

        @Override
        public void warn(final String line) {
            warnings.add(line);
        }

        @Override
        public void scriptOutput(final String line) {
        }
    };

    private static AsyncJob copybuffer(final long id, final String file, final byte[] bytes) {
        final MemorySegment memory = Arena.ofAuto().allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, memory, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return AsyncJob.copyBuffer(id, 0, 0, Path.of(file), -1, memory, 0, bytes.length);
    }

    private Journal open(final Path dir) {
        return Journal.open(dir, "none", 1L << 30, console);
    }

    @Test
    void unfinishedJobsComeBackWithTheirProgress() {
        final Path dir = temp.resolve("journal");
        final Journal journal = open(dir);
        final PipelineJournal pipeline = journal.pipeline(0);
        final WorkerJournal worker = journal.worker(0);
        final List<AsyncJob> jobs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            final AsyncJob job = copybuffer(i, "/out/f.bin", ("bytes-" + i).getBytes());
            jobs.add(job);
            assertThat(pipeline.submitted(job, i, "s.lua", "/scripts/s.lua", null, -1)).isTrue();
        }
        final AsyncJob schedule = AsyncJob.schedule(6, 0, 0, "task");
        assertThat(pipeline.submitted(schedule, 6, "s.lua", "/scripts/s.lua", new byte[] {1, 2, 3}, -1)).isTrue();
        worker.intent(1, 0);
        worker.effect(1, Outcome.COMPLETED, null, null);
        pipeline.delivered(jobs.get(0));
        worker.intent(2, 7);
        worker.effect(3, Outcome.FAILED, null, "no space");
        worker.effect(6, Outcome.COMPLETED, "the result", null);
        journal.close(false);

        final JournalReader.Contents contents = JournalReader.read(dir);
        assertThat(contents.incompatible()).isNull();
        final List<JournaledJob> unfinished = contents.unfinished();
        assertThat(unfinished).extracting(JournaledJob::id).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(unfinished.get(0).intent()).isEqualTo(7);
        assertThat(unfinished.get(0).bytes()).isEqualTo("bytes-2".getBytes());
        assertThat(unfinished.get(0).target()).isEqualTo("/out/f.bin");
        assertThat(unfinished.get(0).scriptPath()).isEqualTo("/scripts/s.lua");
        assertThat(unfinished.get(1).effect()).isEqualTo(Outcome.FAILED);
        assertThat(unfinished.get(1).error()).isEqualTo("no space");
        assertThat(unfinished.get(4).kind()).isEqualTo(JobKind.SCHEDULE);
        assertThat(unfinished.get(4).payload()).containsExactly(1, 2, 3);
        assertThat(unfinished.get(4).result()).isEqualTo("the result");

        // a new journal on the same directory takes those over and sets the old one aside
        final Journal next = open(dir);
        assertThat(next.recovered().unfinished()).hasSize(5);
        next.recoveryFinished();
        next.close(true);
        assertThat(dir).doesNotExist();
        assertThat(JournalReader.read(dir).unfinished()).isEmpty();
    }

    @Test
    void pathsAndNamesComeBackExactlyAsciiOrNot() {
        final Path dir = temp.resolve("journal");
        final Journal journal = open(dir);
        final PipelineJournal pipeline = journal.pipeline(0);
        final String[] targets = {"/out/plain.bin", "/out/caf\u00e9-\u00fc.bin", "/out/\uD83D\uDE00-emoji.bin", "/out/plain.bin"};
        for (int i = 0; i < targets.length; i++) {
            assertThat(pipeline.submitted(copybuffer(i + 1, targets[i], new byte[] {(byte) i}), i + 1, "s\u00e9.lua",
                "/scripts/s\u00e9.lua", null, -1)).isTrue();
        }
        journal.close(false);
        final List<JournaledJob> read = JournalReader.read(dir).unfinished();
        assertThat(read).extracting(JournaledJob::target).containsExactly(targets);
        assertThat(read).extracting(JournaledJob::script).containsOnly("s\u00e9.lua");
        assertThat(read).extracting(JournaledJob::scriptPath).containsOnly("/scripts/s\u00e9.lua");
    }

    @Test
    void theWarmUpLeavesNothingBehindAndNeverFailsTheRun() throws IOException {
        final Path scratch = temp.resolve("journal-warmup");
        JournalWarmUp.run(scratch, console);
        assertThat(scratch).doesNotExist();
        // a scratch directory that cannot be created (its parent is a file): skipped, no exception
        final Path file = Files.writeString(temp.resolve("not-a-directory"), "x");
        JournalWarmUp.run(file.resolve("journal-warmup"), console);
        assertThat(file).hasContent("x");
    }

    @Test
    void aCrashDuringRecoveryMergesTheOldJournalWithTheProgressOfTheNewOne() throws IOException {
        final Path dir = temp.resolve("journal");
        final Journal first = open(dir);
        final PipelineJournal firstPipeline = first.pipeline(0);
        for (int i = 1; i <= 4; i++) {
            assertThat(firstPipeline.submitted(copybuffer(i, "/out/f.bin", ("bytes-" + i).getBytes()), i, "s.lua", "/s.lua",
                null, -1)).isTrue();
        }
        first.close(false); // a crash: four jobs left

        // the recovering run does not journal the jobs again: only their progress and delivery
        final Journal second = open(dir);
        assertThat(second.recovered().unfinished()).extracting(JournaledJob::id).containsExactly(1L, 2L, 3L, 4L);
        second.worker(0).intent(1, 0);
        second.worker(0).effect(1, Outcome.COMPLETED, null, null);
        second.pipeline(0).delivered(1);
        second.worker(0).intent(2, 7);
        second.worker(0).effect(3, Outcome.FAILED, null, "no space");
        second.close(false); // a crash during recovery: the old journal stays beside the new one
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("journal.recovering-")))
                .hasSize(1);
        }

        final Journal third = open(dir);
        final List<JournaledJob> left = third.recovered().unfinished();
        assertThat(left).extracting(JournaledJob::id).containsExactly(2L, 3L, 4L);
        assertThat(left.get(0).intent()).as("the offset journaled by the recovering run").isEqualTo(7);
        assertThat(left.get(0).bytes()).isEqualTo("bytes-2".getBytes());
        assertThat(left.get(1).effect()).isEqualTo(Outcome.FAILED);
        assertThat(left.get(1).error()).isEqualTo("no space");
        assertThat(left.get(2).intent()).isEqualTo(-1);
        for (final long id : new long[] {2, 3, 4}) {
            third.pipeline(0).delivered(id);
        }
        third.recoveryFinished();
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("journal.recovering-")))
                .as("both old journals removed once every recovered job was delivered").isEmpty();
        }
        third.close(true);
        assertThat(dir).doesNotExist();
    }

    @Test
    void aDamagedTailIsSkippedAndCountedNeverACrash() throws IOException {
        final Random random = new Random(3);
        for (int round = 0; round < 8; round++) {
            final Path dir = temp.resolve("damaged-" + round);
            final Journal journal = open(dir);
            final PipelineJournal pipeline = journal.pipeline(0);
            for (int i = 1; i <= 200; i++) {
                pipeline.submitted(copybuffer(i, "/out/f.bin", new byte[100 + i]), i, "s.lua", "/s.lua", null, -1);
            }
            journal.close(false);
            final Path file;
            try (Stream<Path> files = Files.walk(dir)) {
                file = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
            }
            // cut the queue file at a random byte inside the records written
            final long written = journal.bytes();
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(1024 + (long) (random.nextDouble() * written));
            }
            final JournalReader.Contents contents = JournalReader.read(dir);
            assertThat(contents.incompatible()).isNull();
            final List<Long> ids = contents.unfinished().stream().map(JournaledJob::id).toList();
            assertThat(ids).as("a prefix of what was written").isEqualTo(
                java.util.stream.LongStream.rangeClosed(1, ids.size()).boxed().toList());
            // opening over it works and reports
            final Journal reopened = open(dir);
            assertThat(reopened.recovered().unfinished()).hasSize(ids.size());
            reopened.close(false);
        }
    }

    @Test
    void aJournalOfAnotherFormatIsSetAsideWithAMessage() throws IOException {
        final Path dir = temp.resolve("journal");
        final Path queue = dir.resolve("submit-0");
        try (var q = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(queue)
            .rollCycle(net.openhft.chronicle.queue.RollCycles.FIVE_MINUTELY).blockSize(4L << 20).build();
             var appender = q.createAppender();
             var document = appender.writingDocument()) {
            final var bytes = document.wire().bytes();
            bytes.writeByte(JournalRecord.HEADER);
            bytes.writeLong(JournalRecord.MAGIC);
            bytes.writeInt(JournalRecord.FORMAT + 1);
        }
        final Journal journal = open(dir);
        assertThat(journal.recovered().unfinished()).isEmpty();
        assertThat(warnings).anyMatch(w -> w.contains("not recovered") && w.contains("format " + (JournalRecord.FORMAT + 1))
            && w.contains("refused"));
        journal.close(true);
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("journal.refused-"));
        }
    }

    @Test
    void cyclesWhoseJobsAllFinishedAreDeleted() throws IOException {
        final SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis()).advanceMillis(0);
        final Path dir = temp.resolve("journal");
        final Journal journal = Journal.open(dir, "none", 1L << 30, console, clock);
        final PipelineJournal pipeline = journal.pipeline(0);
        final WorkerJournal worker = journal.worker(0);
        final List<AsyncJob> first = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            final AsyncJob job = copybuffer(i, "/out/a", new byte[1000]);
            pipeline.submitted(job, i, "s.lua", "/s.lua", null, -1);
            worker.effect(i, Outcome.COMPLETED, null, null);
            first.add(job);
        }
        clock.advanceMillis(TimeUnit.MINUTES.toMillis(11));
        final AsyncJob open = copybuffer(11, "/out/b", new byte[1000]);
        pipeline.submitted(open, 11, "s.lua", "/s.lua", null, -1);
        worker.effect(11, Outcome.COMPLETED, null, null);
        journal.deleteFinishedCycles();
        assertThat(cycleFiles(dir)).as("nothing finished yet").isEqualTo(4);
        first.forEach(pipeline::delivered);
        clock.advanceMillis(TimeUnit.MINUTES.toMillis(11));
        journal.deleteFinishedCycles();
        assertThat(cycleFiles(dir)).as("the first cycle of both queues is gone").isEqualTo(2);
        assertThat(journal.statistics().get("deleted_cycles")).isEqualTo(2L);
        journal.close(false);
        assertThat(JournalReader.read(dir).unfinished()).extracting(JournaledJob::id).containsExactly(11L);
    }

    private static long cycleFiles(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void aFullDiskRefusesNewJobsWithAClearReasonAndLosesNothingWritten() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs");
        final Path mount = temp.resolve("small");
        Files.createDirectories(mount);
        final Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()).start();
        Assumptions.assumeTrue(mounting.waitFor() == 0, "cannot mount a tmpfs here");
        try {
            final Journal journal = open(mount.resolve("journal"));
            final PipelineJournal pipeline = journal.pipeline(0);
            int accepted = 0;
            for (int i = 1; i <= 2000; i++) {
                if (!pipeline.submitted(copybuffer(i, "/out/f.bin", new byte[4000]), i, "s.lua", "/s.lua", null, -1)) {
                    break;
                }
                accepted++;
            }
            assertThat(accepted).as("the disk filled up").isLessThan(2000).isPositive();
            assertThat(pipeline.failure()).isNotNull();
            assertThat(journal.statistics().get("failure").toString()).isNotBlank();
            journal.close(false);
            final JournalReader.Contents contents = JournalReader.read(mount.resolve("journal"));
            assertThat(contents.unfinished()).as("every accepted job is still there").hasSizeGreaterThanOrEqualTo(accepted - 1);
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
        }
    }
}

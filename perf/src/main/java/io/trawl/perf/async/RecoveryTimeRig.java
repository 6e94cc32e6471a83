package io.trawl.perf.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.async.job.AsyncJob;
import io.trawl.async.journal.Journal;
import io.trawl.async.journal.JournalReader;
import io.trawl.async.journal.PipelineJournal;
import io.trawl.perf.Peer;
import io.trawl.perf.TrawlJvm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Recovery time for a journal holding many pending small jobs, as a crash would leave it: {@code jobs}
 * unfinished 64-byte {@code copybuffer} appends spread over {@code files} files, journaled by a script that
 * did nothing else. Two figures per round: reading the journal back (in-process {@link JournalReader}, the
 * part every restart pays before it can start new input) and {@code trawl recover} end to end as a process
 * (JVM start, reading, running every append with its progress and delivery journaled, writing the outputs,
 * removing the old journal), wall time, started after a {@code sync} (the writeback of the journal just
 * written is not recovery's work). Checks that every byte landed.
 *
 * <p>{@code perf/run main io.trawl.perf.async.RecoveryTimeRig [jobs] [files] [rounds]}; environment:
 * {@code TRAWL_RECOVER_JAVA_OPTS} extra JVM options for {@code trawl recover} (a JFR recording),
 * {@code TRAWL_RIG_PREPARE_ONLY=1} only writes the journal and prints the command, {@code TRAWL_RIG_KEEP=1}
 * keeps the directories.
 */
public final class RecoveryTimeRig {
    private static final int JOB_BYTES = 64;

    private RecoveryTimeRig() {
    }

    public static void main(final String[] args) throws Exception {
        final int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int files = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final Path jar = Path.of("deploy/target/trawl.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build first: " + jar);
        }
        final List<Double> reads = new ArrayList<>();
        final List<Double> recovers = new ArrayList<>();
        final List<Path> finished = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%d pending %d-byte copybuffer appends over %d files%n", jobs, JOB_BYTES, files);
        System.out.println("round  journal MB  read s  trawl recover s (process wall)  recovered");
        for (int round = 1; round <= rounds; round++) {
            final Path dir = Files.createTempDirectory(Path.of("perf/target").toAbsolutePath(), "recovery-rig");
            try {
                final Path out = dir.resolve("out");
                final Path state = out.resolve("state");
                final Path script = dir.resolve("bench.lua");
                Files.writeString(script, "TrisulPlugin = { id = { name = \"bench\", description = \"recovery rig\" } }\n");
                writeJournal(state.resolve("journal"), out.resolve("files"), script, jobs, files);
                final double megabytes = sizeOf(state.resolve("journal")) / 1e6;
                if (System.getenv("TRAWL_RIG_PREPARE_ONLY") != null) {
                    System.out.println("journal written: trawl recover --state " + state + " --out " + out);
                    return;
                }
                final long readStart = System.nanoTime();
                final JournalReader.Contents contents = JournalReader.read(state.resolve("journal"));
                final int unfinished = contents.unfinished().size();
                final double read = (System.nanoTime() - readStart) / 1e9;
                if (unfinished != jobs) {
                    throw new IllegalStateException("read back " + unfinished + " unfinished jobs, wrote " + jobs);
                }
                // the crashed run's dirty pages (and the last round's deletions) reach the disk before the clock
                // starts, as they would have long before a restart: recovery is not charged for their writeback
                new ProcessBuilder("sync").inheritIO().start().waitFor();
                final List<String> command = new ArrayList<>();
                command.add(TrawlJvm.javaExecutable());
                command.addAll(Arrays.asList(TrawlJvm.flags()));
                final String extra = System.getenv("TRAWL_RECOVER_JAVA_OPTS"); // e.g. a JFR recording
                if (extra != null && !extra.isBlank()) {
                    command.addAll(Arrays.asList(extra.trim().split("\\s+")));
                }
                command.addAll(List.of("-jar", jar.toString(), "recover", "--state", state.toString(), "--out", out.toString()));
                final Peer.Run recover = Peer.run(command);
                final JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
                final long recovered = summary.get("async").get("recovered").asLong();
                final long bytes = sizeOf(out.resolve("files"));
                if (recovered != jobs || bytes != (long) jobs * JOB_BYTES) {
                    throw new IllegalStateException("recovered " + recovered + " jobs, " + bytes + " bytes: " + recover.stdout());
                }
                reads.add(read);
                recovers.add(recover.wallSeconds());
                System.out.printf(Locale.ROOT, "%5d  %10.1f  %6.2f  %30.2f  %d%n", round, megabytes, read, recover.wallSeconds(),
                    recovered);
            } finally {
                if (System.getenv("TRAWL_RIG_KEEP") == null && System.getenv("TRAWL_RIG_PREPARE_ONLY") == null) {
                    finished.add(dir);
                } else {
                    System.out.println("kept " + dir);
                }
            }
        }
        // Removed only now: ext4 avoids reusing inodes freed within the last minute by scanning for them, so
        // deleting a round's thousand output files would slow the next round's file creation.
        for (final Path dir : finished) {
            deleteTree(dir);
        }
        System.out.printf(Locale.ROOT, "median: read %.2f s, trawl recover %.2f s (target < 5 s for 1M jobs)%n",
            Peer.median(reads), Peer.median(recovers));
    }

    private static void writeJournal(final Path directory, final Path outputs, final Path script, final int jobs, final int files) {
        final Journal journal = Journal.open(directory, "none", 1L << 40, AsyncHarness.QUIET);
        final PipelineJournal pipeline = journal.pipeline(0);
        final MemorySegment bytes = Arena.ofAuto().allocate(JOB_BYTES);
        final Path[] targets = new Path[files];
        for (int f = 0; f < files; f++) {
            targets[f] = outputs.resolve("f-" + f + ".bin");
        }
        for (int i = 1; i <= jobs; i++) {
            final AsyncJob job = AsyncJob.copyBuffer(i, 0, 0, targets[i % files], -1, bytes, 0, JOB_BYTES);
            if (!pipeline.submitted(job, i, "bench.lua", script.toString(), null, -1)) {
                throw new IllegalStateException("journal refused job " + i);
            }
        }
        journal.close(false);
    }

    private static long sizeOf(final Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(final Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (final Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

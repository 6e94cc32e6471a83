package io.trawl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PacketSink;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.capture.synthetic.SyntheticClock;
import io.trawl.capture.synthetic.TcpConversation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill -9 rig: a generated capture of hundreds of HTTP downloads (two of them large, staged in parts)
 * runs through a script that saves every body with T.async (copy, cat, copybuffer appended and
 * positioned) and hashes every file on a worker. The trawl JVM is killed with SIGKILL at 10 points spread
 * over the time it spends finishing its jobs (one lands while the large appends are in flight), then
 * {@code trawl recover} finishes with the same state directory. Every output file must equal the
 * uninterrupted run's byte for byte, no job may be left, and every hash must have been alerted at least
 * once, with its job id.
 */
class CrashRecoveryIT {
    private static final Path PROJECT = Path.of(System.getProperty("trawl.project.dir", "..")).toAbsolutePath().normalize();
    private static final int KILLS = 10;

    @TempDir
    static Path shared;
    private static Path capture;
    private static Path script;
    private static Path config;

    @TempDir
    Path temp;

    @BeforeAll
    static void generate() throws IOException {
        capture = shared.resolve("downloads.pcap");
        final Random random = new Random(61);
        final PacketBuilder builder = new PacketBuilder();
        final SyntheticClock clock = new SyntheticClock(1_767_225_600_000_000_000L, 100_000);
        try (PcapWriter writer = PcapWriter.ethernet(capture)) {
            final PacketSink sink = PacketSink.of(writer);
            for (int i = 0; i < 300; i++) {
                final int size = i == 100 || i == 200 ? 3 * 1024 * 1024 + random.nextInt(100_000) : 500 + random.nextInt(60_000);
                final byte[] body = new byte[size];
                random.nextBytes(body);
                final Endpoint client = Endpoint.of("10.7." + (i / 200) + "." + (1 + i % 200), 40000 + i);
                final Endpoint server = Endpoint.of("192.0.2." + (1 + i % 50), 80);
                final TcpConversation tcp = new TcpConversation(sink, builder, client, server, clock, 1000L * i, 7_000_000L * i);
                tcp.handshake();
                tcp.send(true, ("GET /files/f" + i + ".bin HTTP/1.1\r\nHost: files" + (i % 7) + ".example\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                final byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                final byte[] response = new byte[head.length + size];
                System.arraycopy(head, 0, response, 0, head.length);
                System.arraycopy(body, 0, response, head.length, size);
                tcp.send(false, response).close();
            }
        }
        script = PROJECT.resolve("deploy/src/test/resources/crash_rig.lua");
        config = shared.resolve("rig.yaml");
        Files.writeString(config, "filex:\n  chunk_size_mb: 1\nasync:\n  journal:\n    sync: batch\n");
    }

    private static Process start(final Path out, final Path log, final String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(PROJECT.resolve("trawl").toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(out.getParent().toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("JAVA_HOME");
        return builder.start();
    }

    private static int run(final Path out, final Path log, final String... args) throws Exception {
        final Process process = start(out, log, args);
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("finished: %s", Files.readString(log)).isTrue();
        return process.exitValue();
    }

    private static String[] runArgs(final Path out) {
        return new String[] {"run", "--source", "pcap:" + capture, "--script", script.toString(), "--config", config.toString(),
            "--out", out.toString(), "--progress", "never"};
    }

    /** Directory → multiset of SHA-256 of its files (staged names differ between runs; contents must not). */
    private static Map<String, List<String>> outputs(final Path out) throws IOException {
        final Map<String, List<String>> result = new TreeMap<>();
        for (final String dir : List.of("saved", "cb-append", "cb-pos")) {
            final List<String> hashes = new ArrayList<>();
            final Path path = out.resolve(dir);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    for (final Path file : files.toList()) {
                        if (dir.equals("saved")) {
                            hashes.add(sha256(Files.readAllBytes(file)));
                        } else {
                            hashes.add(file.getFileName() + " " + sha256(Files.readAllBytes(file)));
                        }
                    }
                }
            }
            hashes.sort(null);
            result.put(dir, hashes);
        }
        return result;
    }

    private static String sha256(final byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> alerts(final Path out) throws IOException {
        final List<JsonNode> alerts = new ArrayList<>();
        final Path file = out.resolve("alerts.jsonl");
        if (Files.exists(file)) {
            final ObjectMapper json = new ObjectMapper();
            for (final String line : Files.readAllLines(file)) {
                alerts.add(json.readTree(line));
            }
        }
        return alerts;
    }

    @Test
    void killedAtTenPointsAndRecoveredEveryOutputEqualsTheUninterruptedRun() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROJECT.resolve("deploy/target/trawl.jar")), "package first");
        final Path reference = temp.resolve("reference");
        final Path referenceLog = temp.resolve("reference.log");
        final Process uninterrupted = start(reference, referenceLog, runArgs(reference));
        while (!Files.readString(referenceLog).contains("input ended") && uninterrupted.isAlive()) {
            Thread.sleep(5);
        }
        final long inputEnded = System.nanoTime();
        assertThat(uninterrupted.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(uninterrupted.exitValue()).as(Files.readString(referenceLog)).isZero();
        // how long the uninterrupted run spent finishing its T.async jobs after the input ended
        final double drainSeconds = (System.nanoTime() - inputEnded) / 1e9;
        final Map<String, List<String>> expected = outputs(reference);
        assertThat(expected.get("saved")).hasSize(300);
        final List<String> expectedHashes = alerts(reference).stream().map(a -> a.get("message").asText()).sorted().toList();
        assertThat(expectedHashes).hasSize(298 + 2 * 4); // 298 whole bodies, 2 large ones in 4 parts each (1 MiB chunks)

        int killedDuringDrain = 0;
        int killedDuringRecovery = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            final Path out = temp.resolve("kill-" + kill);
            final Path log = temp.resolve("kill-" + kill + ".log");
            final Process process = start(out, log, runArgs(out));
            // wait for the input to end, then kill at a point spread over the time jobs take to finish
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log).contains("input ended") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            final long delayMillis = (long) (kill * drainSeconds * 1000 / KILLS);
            Thread.sleep(delayMillis);
            final boolean alive = process.isAlive();
            new ProcessBuilder("kill", "-KILL", String.valueOf(process.pid())).start().waitFor();
            process.waitFor(30, TimeUnit.SECONDS);
            if (alive) {
                killedDuringDrain++;
            }
            if (kill % 3 == 1) {
                // a crash during recovery too: the next recovery merges both journals
                final Path firstRecoverLog = temp.resolve("recover-killed-" + kill + ".log");
                final Process recovering = start(out, firstRecoverLog, "recover", "--state", out.resolve("state").toString(),
                    "--out", out.toString(), "--config", config.toString());
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(firstRecoverLog).contains("recovering") && recovering.isAlive()
                    && System.nanoTime() < until) {
                    Thread.sleep(2);
                }
                Thread.sleep(kill * 3L);
                new ProcessBuilder("kill", "-KILL", String.valueOf(recovering.pid())).start().waitFor();
                recovering.waitFor(30, TimeUnit.SECONDS);
                try (java.util.stream.Stream<Path> left = Files.list(out.resolve("state"))) {
                    if (left.anyMatch(p -> p.getFileName().toString().startsWith("journal.recovering-"))) {
                        killedDuringRecovery++; // the set-aside journal and the recovery's own one, to be merged
                    }
                }
            }
            final Path recoverLog = temp.resolve("recover-" + kill + ".log");
            assertThat(run(out, recoverLog, "recover", "--state", out.resolve("state").toString(), "--out", out.toString(),
                "--config", config.toString())).as(Files.readString(recoverLog)).isZero();
            final Map<String, List<String>> actual = outputs(out);
            for (final String dir : expected.keySet()) {
                final List<String> missing = new ArrayList<>(expected.get(dir));
                actual.get(dir).forEach(missing::remove);
                final List<String> extra = new ArrayList<>(actual.get(dir));
                expected.get(dir).forEach(extra::remove);
                assertThat(missing.size() + extra.size()).as("%s after kill %d (%d ms after the input ended): %d files, "
                        + "missing %s, unexpected %s; recover log: %s", dir, kill, delayMillis, actual.get(dir).size(),
                    missing.stream().limit(3).toList(), extra.stream().limit(3).toList(), Files.readString(recoverLog))
                    .isZero();
            }
            assertThat(out.resolve("state/journal")).as("every job finished: the journal is gone").doesNotExist();
            try (java.util.stream.Stream<Path> left = Files.list(out.resolve("state"))) {
                assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("journal.")))
                    .as("no old journal left after kill %d", kill).isEmpty();
            }
            final List<JsonNode> alerts = alerts(out);
            assertThat(alerts).allMatch(a -> a.has("async_job"));
            assertThat(alerts.stream().map(a -> a.get("message").asText()).distinct().sorted().toList())
                .as("every onresult recorded at least once").containsExactlyElementsOf(
                    expectedHashes.stream().distinct().sorted().toList());
            // (killed after its last delivery, a run leaves nothing to recover: then the summary, if it got
            // written, is the killed run's own)
            if (!Files.readString(recoverLog).contains("nothing to recover")) {
                final JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
                assertThat(summary.get("async").get("failed").asLong()).as("recover summary after kill %d", kill).isZero();
            }
        }
        assertThat(killedDuringDrain).as("kills that hit a running trawl").isGreaterThanOrEqualTo(KILLS / 2);
        assertThat(killedDuringRecovery).as("recoveries killed while the old journal was set aside").isPositive();
    }

    /** Content hash → true, for every output file (to tell whole files from lost ones). */
    private static java.util.Set<String> completeFiles(final Path out, final Map<String, List<String>> reference) throws IOException {
        final java.util.Set<String> complete = new java.util.HashSet<>();
        final Map<String, List<String>> now = outputs(out);
        for (final String dir : now.keySet()) {
            for (final String entry : now.get(dir)) {
                if (reference.get(dir).contains(entry)) {
                    complete.add(dir + ":" + entry);
                }
            }
        }
        return complete;
    }

    @Test
    void aDamagedJournalTailGivesAClearMessageAndLosesNoCompletedData() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROJECT.resolve("deploy/target/trawl.jar")), "package first");
        final Path reference = temp.resolve("reference");
        assertThat(run(reference, temp.resolve("reference.log"), runArgs(reference))).isZero();
        final Map<String, List<String>> expected = outputs(reference);
        final Path out = temp.resolve("damaged");
        final Path log = temp.resolve("damaged.log");
        final Process process = start(out, log, runArgs(out));
        while (!Files.readString(log).contains("input ended") && process.isAlive()) {
            Thread.sleep(10);
        }
        Thread.sleep(150);
        new ProcessBuilder("kill", "-KILL", String.valueOf(process.pid())).start().waitFor();
        process.waitFor(30, TimeUnit.SECONDS);
        final java.util.Set<String> completeBefore = completeFiles(out, expected);
        // cut the newest journal file at a random byte
        final Path newest;
        try (Stream<Path> files = Files.walk(out.resolve("state/journal"))) {
            newest = files.filter(p -> p.toString().endsWith(".cq4")).max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified()))
                .orElseThrow();
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(newest.toFile(), "rw")) {
            raf.setLength(new Random(5).nextLong(1024, Math.max(2048, Files.size(newest) / 8)));
        }
        final Path recoverLog = temp.resolve("recover.log");
        assertThat(run(out, recoverLog, "recover", "--state", out.resolve("state").toString(), "--out", out.toString(),
            "--config", config.toString())).as(Files.readString(recoverLog)).isZero();
        assertThat(Files.readString(recoverLog)).contains("damaged").doesNotContain("Exception");
        final java.util.Set<String> completeAfter = completeFiles(out, expected);
        assertThat(completeAfter).as("files complete before the damage are still complete").containsAll(completeBefore);
        // a second recovery finds nothing left to do: never a crash loop
        assertThat(run(out, temp.resolve("again.log"), "recover", "--state", out.resolve("state").toString(), "--out",
            out.toString())).isZero();
    }

    @Test
    void aFullDiskForTheJournalRefusesJobsWithAClearMessageAndKeepsWhatCompleted() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROJECT.resolve("deploy/target/trawl.jar")), "package first");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs");
        final Path state = temp.resolve("small-state");
        Files.createDirectories(state);
        final Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", state.toString()).start();
        Assumptions.assumeTrue(mounting.waitFor() == 0, "cannot mount a tmpfs here");
        try {
            final Path out = temp.resolve("full");
            final List<String> args = new ArrayList<>(List.of(runArgs(out)));
            args.addAll(List.of("--state", state.toString()));
            final Path log = temp.resolve("full.log");
            final int exit = run(out, log, args.toArray(new String[0]));
            final String text = Files.readString(log);
            assertThat(exit).as(text).isZero();
            assertThat(text).contains("T.async journal").containsAnyOf("failed", "full").doesNotContain("Exception in");
            final JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
            final JsonNode async = summary.get("async");
            assertThat(async.get("journal_rejections").asLong()).isPositive();
            assertThat(async.get("completed").asLong()).as("jobs that were journaled ran").isPositive();
            // what completed is intact: every saved whole body is one of the reference run's
            final Path reference = temp.resolve("reference-full");
            assertThat(run(reference, temp.resolve("reference-full.log"), runArgs(reference))).isZero();
            final List<String> expected = outputs(reference).get("saved");
            assertThat(outputs(out).get("saved")).isNotEmpty().allMatch(expected::contains);
        } finally {
            new ProcessBuilder("umount", "-l", state.toString()).start().waitFor();
        }
    }
}

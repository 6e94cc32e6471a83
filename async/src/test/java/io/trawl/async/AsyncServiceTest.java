package io.trawl.async;

import io.trawl.async.exec.CallableTaskRunner;
import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.Outcome;
import io.trawl.async.pipeline.AsyncSubmitter;
import io.trawl.async.pipeline.CompletionStage;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.filex.StagedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The async engine without Lua: real worker threads, real files, Java Callable tasks. The test thread
 * plays pipeline 0 (it owns the submitter and drives the completion stage, as a pipeline's duty cycle does).
 */
class AsyncServiceTest {
    @TempDir
    Path temp;

    private AsyncService service;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final StagedFiles staged = new StagedFiles();

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

    private AsyncService start(final int workers, final Map<io.trawl.config.Setting<?>, Object> settings) {
        final TrawlContext context = new TrawlContext().set(TrawlSettings.OUT, temp.resolve("out"), "test");
        settings.forEach((k, v) -> context.setRaw(k, v, "test"));
        context.conclude();
        service = new AsyncService(context, List.of(new AsyncService.ScriptSpec("test.lua", workers)),
            (script, worker) -> new CallableTaskRunner(), staged, console);
        service.start();
        return service;
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private void drain(final int pipeline) {
        final CompletionStage stage = service.completionStage(pipeline);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!stage.isDrained()) {
            assertThat(System.nanoTime()).as("drained within 60 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static MemorySegment bytes(final byte[] data) {
        final MemorySegment segment = Arena.ofAuto().allocate(Math.max(1, data.length));
        MemorySegment.copy(data, 0, segment, ValueLayout.JAVA_BYTE, 0, data.length);
        return segment;
    }

    @Test
    void fileOperationsTakeEffectInSubmissionOrderWithFourWorkers() throws IOException {
        start(4, Map.of());
        final AsyncSubmitter async = service.submitter(0);
        final Path dir = temp.resolve("out/files");
        final ByteArrayOutputStream expectedA = new ByteArrayOutputStream();
        final List<byte[]> snapshots = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 40; i++) {
                final byte[] chunk = ("round " + round + " piece " + i + "\n").getBytes();
                assertThat(async.copyBuffer(0, bytes(chunk), 0, chunk.length, dir + "/a.log", -1, null, null)).isNull();
                expectedA.writeBytes(chunk);
            }
            // dependent operations on a.log: snapshot it, append it to b.log
            assertThat(async.copy(0, dir + "/a.log", dir + "/snap-" + round, null, null)).isNull();
            assertThat(async.cat(0, dir + "/a.log", dir + "/b.log", null, null)).isNull();
            snapshots.add(expectedA.toByteArray());
        }
        assertThat(async.rm(0, dir + "/snap-0", null, null)).isNull();
        drain(0);
        assertThat(Files.readAllBytes(dir.resolve("a.log"))).isEqualTo(expectedA.toByteArray());
        final ByteArrayOutputStream expectedB = new ByteArrayOutputStream();
        for (int round = 0; round < 50; round++) {
            if (round > 0) {
                assertThat(Files.readAllBytes(dir.resolve("snap-" + round))).as("snapshot %d", round).isEqualTo(snapshots.get(round));
            }
            expectedB.writeBytes(snapshots.get(round));
        }
        assertThat(Files.readAllBytes(dir.resolve("b.log"))).isEqualTo(expectedB.toByteArray());
        assertThat(dir.resolve("snap-0")).doesNotExist();
        assertThat(service.script(0).completed()).isEqualTo(50 * 40 + 100 + 1);
        assertThat(service.script(0).failed()).isZero();
    }

    @Test
    void copybufferCapturesBytesAtCallTimeAndWritesAtPositions() throws IOException {
        start(2, Map.of());
        final AsyncSubmitter async = service.submitter(0);
        final MemorySegment buffer = bytes("AAAA".getBytes());
        final Path file = temp.resolve("out/pos.bin");
        async.copyBuffer(0, buffer, 0, 4, file.toString(), 8, null, null);
        buffer.set(ValueLayout.JAVA_BYTE, 0, (byte) 'Z'); // the script's buffer changes after the call
        async.copyBuffer(0, bytes("BBBB".getBytes()), 0, 4, file.toString(), 0, null, null);
        async.copyBuffer(0, bytes("CC".getBytes()), 0, 2, file.toString(), -1, null, null);
        drain(0);
        assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
            .isEqualTo("BBBB\0\0\0\0AAAACC");
    }

    @Test
    void resultsComeBackOnThePipelineThreadThatSubmitted() throws Exception {
        start(2, Map.of());
        final List<String> results = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final Thread pipelineThread = Thread.currentThread();
        final List<Thread> executedOn = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            final int n = i;
            final Callable<String> task = () -> {
                executedOn.add(Thread.currentThread());
                return "result-" + n;
            };
            service.submitter(0).schedule(0, task, List.of(), job -> {
                threads.add(Thread.currentThread());
                results.add(job.result());
            }, null);
        }
        drain(0);
        assertThat(results).hasSize(20).contains("result-0", "result-19");
        assertThat(threads).containsOnly(pipelineThread);
        assertThat(executedOn).doesNotContain(pipelineThread);
        assertThat(service.completionStage(0)).isNotNull();
    }

    @Test
    void aFullQueueRejectsAndCountsWithoutWaiting() throws Exception {
        start(1, Map.of(TrawlSettings.ASYNC_QUEUE_JOBS, 16));
        final CountDownLatch release = new CountDownLatch(1);
        final Callable<String> blocked = () -> {
            release.await();
            return null;
        };
        int rejected = 0;
        final long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            if (service.submitter(0).schedule(0, blocked, List.of(), null, null) != null) {
                rejected++;
            }
        }
        final long elapsed = System.nanoTime() - start;
        assertThat(rejected).isEqualTo(84);
        assertThat(service.script(0).rejected()).isEqualTo(84);
        assertThat(service.submitter(0).pendingItems(0)).isEqualTo(16);
        assertThat(elapsed).as("submitting never waited for the blocked worker").isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(warnings).anyMatch(w -> w.contains("queue full") && w.contains("async.queue_jobs"));
        release.countDown();
        drain(0);
        assertThat(service.submitter(0).pendingItems(0)).isZero();
    }

    @Test
    void aTaskOverTheTimeLimitIsStoppedAndCounted() {
        start(1, Map.of(TrawlSettings.ASYNC_TIMEOUT, 0.2));
        final List<AsyncJob> done = new ArrayList<>();
        service.submitter(0).schedule(0, (Callable<String>) () -> {
            Thread.sleep(60_000);
            return "never";
        }, List.of(), done::add, null);
        service.submitter(0).schedule(0, (Callable<String>) () -> "next", List.of(), done::add, null);
        drain(0);
        assertThat(done).extracting(AsyncJob::outcome).containsExactly(Outcome.TIMED_OUT, Outcome.COMPLETED);
        assertThat(done.get(1).result()).isEqualTo("next");
        assertThat(service.script(0).timedOut()).isEqualTo(1);
    }

    @Test
    void failuresAreCountedAndLoggedOncePerDistinctMessage() {
        start(2, Map.of());
        for (int i = 0; i < 5; i++) {
            service.submitter(0).cat(0, temp.resolve("out/missing.txt").toString(), temp.resolve("out/x").toString(), null, null);
            service.submitter(0).schedule(0, (Callable<String>) () -> {
                throw new IllegalStateException("test.lua:12: boom");
            }, List.of(), null, null);
        }
        drain(0);
        assertThat(service.script(0).failed()).isEqualTo(10);
        assertThat(warnings.stream().filter(w -> w.contains("boom"))).hasSize(1);
        assertThat(warnings.stream().filter(w -> w.contains("no such file"))).hasSize(1);
        assertThat(service.script(0).toMap().get("errors").toString()).contains("test.lua:12: boom=5");
    }

    @Test
    void pathsOutsideTheRootsDotDotAndSymlinkEscapesAreRefused() throws IOException {
        final Path allowed = temp.resolve("allowed");
        Files.createDirectories(allowed);
        Files.createDirectories(temp.resolve("out"));
        Files.createSymbolicLink(temp.resolve("out/escape"), temp.resolve("elsewhere"));
        start(1, Map.of(TrawlSettings.ASYNC_ALLOWED_ROOTS, List.of(allowed.toString())));
        final AsyncSubmitter async = service.submitter(0);
        assertThat(async.copy(0, "/etc/passwd", allowed + "/p", null, null))
            .contains("refused '/etc/passwd'").contains("--allow-path /etc").contains("async.allowed_roots");
        assertThat(async.cat(0, allowed + "/../out/x", allowed + "/y", null, null)).contains("'..' is not allowed");
        assertThat(async.copyBuffer(0, bytes("x".getBytes()), 0, 1, allowed + "/ok.txt", -1, null, null)).isNull();
        final List<AsyncJob> done = new ArrayList<>();
        assertThat(async.copyBuffer(0, bytes("x".getBytes()), 0, 1, temp.resolve("out/escape/file").toString(), -1, done::add, null))
            .as("lexically inside OUT").isNull();
        drain(0);
        assertThat(done.getFirst().outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(done.getFirst().error()).contains("symlink");
        assertThat(temp.resolve("elsewhere")).doesNotExist();
        assertThat(allowed.resolve("ok.txt")).exists();
        assertThat(service.script(0).refused()).isEqualTo(3);
    }

    @Test
    void stagedFilesWaitForTheJobsThatReadThem() throws IOException {
        start(1, Map.of());
        final Path stagedFile = temp.resolve("out/state/filex/file.bin");
        Files.createDirectories(stagedFile.getParent());
        Files.writeString(stagedFile, "payload");
        staged.stage(stagedFile);
        final CountDownLatch release = new CountDownLatch(1);
        service.submitter(0).schedule(0, (Callable<String>) () -> {
            release.await();
            return null;
        }, List.of(), null, null);
        service.submitter(0).copy(0, stagedFile.toString(), temp.resolve("out/saved.bin").toString(), null, null);
        service.submitter(0).schedule(0, (Callable<String>) () -> Files.readString(stagedFile), List.of(stagedFile.toString()), null, null);
        staged.release(stagedFile); // the scripts have seen it: AutoDelete may go ahead, but jobs still read it
        assertThat(stagedFile).exists();
        release.countDown();
        drain(0);
        assertThat(temp.resolve("out/saved.bin")).hasContent("payload");
        assertThat(stagedFile).doesNotExist();
        assertThat(service.script(0).failed()).isZero();
    }
}

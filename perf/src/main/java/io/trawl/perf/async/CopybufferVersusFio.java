package io.trawl.perf.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.async.AsyncService;
import io.trawl.async.pipeline.AsyncSubmitter;
import io.trawl.async.pipeline.CompletionStage;
import io.trawl.config.TrawlSettings;
import io.trawl.perf.Peer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writing a stream of 1500-byte buffers to one file: trawl's {@code copybuffer} (captured off-heap at call
 * time, appended by a worker with coalesced gathering writes) against {@code fio --rw=write --bs=64k
 * --ioengine=psync} on the same filesystem, and against a naive Java loop doing one {@code write} per
 * 1500-byte buffer. MB/s from the first call to the last completion; interleaved rounds.
 *
 * <p>Usage: {@code perf/run main io.trawl.perf.async.CopybufferVersusFio [rounds] [megabytes] [dir]}
 */
public final class CopybufferVersusFio {
    private static final int BUFFER = 1500;

    private CopybufferVersusFio() {
    }

    public static void main(final String[] args) throws Exception {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final long megabytes = args.length > 1 ? Long.parseLong(args[1]) : 256;
        final Path dir = Path.of(args.length > 2 ? args[2] : "perf/target/copybuffer").toAbsolutePath();
        Files.createDirectories(dir);
        final long bytes = megabytes << 20;
        final List<Double> trawl = new ArrayList<>();
        final List<Double> fio = new ArrayList<>();
        final List<Double> naive = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%d MiB in %d-byte buffers to one file in %s%n", megabytes, BUFFER, dir);
        System.out.println("round  trawl MB/s   fio MB/s   naive MB/s");
        for (int round = 1; round <= rounds; round++) {
            trawl.add(trawl(dir, bytes));
            fio.add(fio(dir, megabytes));
            naive.add(naive(dir, bytes));
            System.out.printf(Locale.ROOT, "%5d  %10.0f %10.0f %12.0f%n", round, trawl.getLast(), fio.getLast(), naive.getLast());
        }
        System.out.printf(Locale.ROOT, "median  trawl %.0f MB/s | fio %.0f MB/s (trawl/fio %.2fx) | naive %.0f MB/s (trawl/naive %.1fx)%n",
            Peer.median(trawl), Peer.median(fio), Peer.median(trawl) / Peer.median(fio), Peer.median(naive),
            Peer.median(trawl) / Peer.median(naive));
    }

    private static double trawl(final Path dir, final long bytes) throws IOException {
        final Path file = dir.resolve("trawl.dat");
        Files.deleteIfExists(file);
        final AsyncService service = AsyncHarness.javaService(dir.resolve("out"), Map.of(
            TrawlSettings.ASYNC_ALLOWED_ROOTS, List.of(dir.toString()), TrawlSettings.ASYNC_QUEUE_JOBS, 1 << 22,
            TrawlSettings.ASYNC_QUEUE_BYTES, "2g", TrawlSettings.ASYNC_IDLE, System.getProperty("trawl.perf.idle", "backoff")));
        try {
            final AsyncSubmitter submitter = service.submitter(0);
            final CompletionStage completions = service.completionStage(0);
            final MemorySegment source = Arena.ofAuto().allocate(BUFFER * 64L);
            for (long i = 0; i < source.byteSize(); i++) {
                source.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            final String name = file.toString();
            final long calls = bytes / BUFFER;
            final long start = System.nanoTime();
            for (long i = 0; i < calls; i++) {
                while (submitter.copyBuffer(0, source, (i & 63) * BUFFER, BUFFER, name, -1, null, null) != null) {
                    completions.doDuty(System.nanoTime()); // queue full: a pipeline would count a rejection; here we wait
                }
                if ((i & 255) == 0) {
                    completions.doDuty(System.nanoTime());
                }
            }
            final long submitted = System.nanoTime();
            while (!completions.isDrained()) {
                Thread.onSpinWait();
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            if (System.getProperty("trawl.perf.verbose") != null) {
                System.out.printf("  trawl: submitting took %.3f s, draining %.3f s%n", (submitted - start) / 1e9,
                    (System.nanoTime() - submitted) / 1e9);
            }
            if (System.getProperty("trawl.perf.verbose") != null) {
                System.out.printf("  trawl: %d batches for %d jobs, %d rejected%n", service.conductor().batches(),
                    service.conductor().batchedJobs(), service.script(0).rejected());
            }
            if (Files.size(file) != calls * BUFFER) {
                throw new IllegalStateException("wrote " + Files.size(file) + " bytes");
            }
            return calls * BUFFER / seconds / 1e6;
        } finally {
            service.close();
            Files.deleteIfExists(file);
        }
    }

    private static double fio(final Path dir, final long megabytes) throws IOException {
        final Path file = dir.resolve("fio.dat");
        final Peer.Run run = Peer.run(List.of("fio", "--name=w", "--rw=write", "--bs=64k", "--ioengine=psync",
            "--size=" + megabytes + "m", "--filename=" + file, "--output-format=json"));
        Files.deleteIfExists(file);
        final JsonNode json = new ObjectMapper().readTree(run.stdout().substring(run.stdout().indexOf('{')));
        return json.get("jobs").get(0).get("write").get("bw_bytes").asDouble() / 1e6;
    }

    private static double naive(final Path dir, final long bytes) throws IOException {
        final Path file = dir.resolve("naive.dat");
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        final long calls = bytes / BUFFER;
        final long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long i = 0; i < calls; i++) {
                buffer.clear();
                channel.write(buffer);
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        Files.deleteIfExists(file);
        return calls * BUFFER / seconds / 1e6;
    }
}

package io.trawl.pipeline.http;

import io.trawl.config.Setting;
import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.RunFixture;
import io.trawl.pipeline.filex.HttpFileExtractor;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.reassembly.ReassemblyStage;
import io.trawl.pipeline.reassembly.RecordingStreams;
import io.trawl.config.TrawlSettings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Runs HTTP extraction over a capture and records files and bodies, the way a test script would. */
public final class HttpCapture {
    /** A staged file as reported to onfile_http. */
    public record ExtractedFile(String name, long length, boolean partial, String sha256, String uri, int status, byte[] content) {
    }

    /** A body as delivered to onpayload_http, concatenated. */
    public record Body(String uri, int status, boolean partial, String sha256, byte[] content) {
    }

    public final List<ExtractedFile> files = Collections.synchronizedList(new ArrayList<>());
    public final List<Body> bodies = Collections.synchronizedList(new ArrayList<>());
    public final List<Path> stagedPaths = Collections.synchronizedList(new ArrayList<>());
    public final StagedFiles staged = new StagedFiles();
    public RunFixture.Output output;

    public static String sha256(final byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code capture} with file extraction into {@code out}. */
    public static HttpCapture run(final Path capture, final Path out, final int pipelines, final Map<Setting<?>, Object> extra) {
        return run(capture, out, pipelines, extra, null);
    }

    /** Like {@link #run(Path, Path, int, Map)}, also recording the raw streams into {@code streams} when not null. */
    public static HttpCapture run(final Path capture, final Path out, final int pipelines, final Map<Setting<?>, Object> extra,
                                  final Map<String, RecordingStreams.Stream> streams) {
        final HttpCapture result = new HttpCapture();
        final Map<Setting<?>, Object> settings = new java.util.HashMap<>(extra);
        final ReassemblyStage.Factory factory = new ReassemblyStage.Factory(pipeline -> {
            final List<io.trawl.pipeline.reassembly.StreamConsumer> consumers = new ArrayList<>();
            consumers.add(new HttpStreamConsumer(pipeline.flows().capacity(), List.of(result.extractor(pipeline), result.new BodyRecorder())));
            if (streams != null) {
                consumers.add(new RecordingStreams(pipeline, streams));
            }
            return consumers;
        });
        result.output = RunFixture.run("pcap:" + capture, pipelines, out, settings, List.of(factory));
        return result;
    }

    private HttpFileExtractor extractor(final Pipeline pipeline) {
        final Path dir = pipeline.configuration().get(TrawlSettings.FILEX_RAMFS_DIR);
        final long chunk = pipeline.configuration().get(TrawlSettings.FILEX_CHUNK_SIZE_MB) * 1024L * 1024L;
        return new HttpFileExtractor(dir, chunk, staged, (flow, tx, path, length, partial, ts) -> {
            try {
                final byte[] content = Files.readAllBytes(path); // synchronously, as a test script would copy it out
                stagedPaths.add(path);
                files.add(new ExtractedFile(path.getFileName().toString(), length, partial, sha256(content),
                    tx.request() == null ? null : tx.request().uri(), tx.response().status(), content));
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "t-" + pipeline.index());
    }

    /** Concatenates onBody per transaction. */
    final class BodyRecorder implements HttpListener {
        private final Map<HttpTransaction, ByteArrayOutputStream> open = new IdentityHashMap<>();

        @Override
        public void onBody(final int flow, final HttpTransaction tx, final long offset, final MemorySegment memory,
                           final long memoryOffset, final int length, final long ts) {
            final ByteArrayOutputStream body = open.computeIfAbsent(tx, t -> new ByteArrayOutputStream());
            if (offset > body.size()) {
                body.writeBytes(new byte[(int) (offset - body.size())]);
            }
            body.writeBytes(memory.asSlice(memoryOffset, length).toArray(ValueLayout.JAVA_BYTE));
        }

        @Override
        public void onBodyEnd(final int flow, final HttpTransaction tx, final long ts) {
            final ByteArrayOutputStream body = open.remove(tx);
            final byte[] content = body == null ? new byte[0] : body.toByteArray();
            bodies.add(new Body(tx.request() == null ? null : tx.request().uri(), tx.response().status(), tx.isPartial(),
                sha256(content), content));
        }
    }
}

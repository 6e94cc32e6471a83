package io.trawl.pipeline.filex;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PacketSink;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.capture.synthetic.SyntheticClock;
import io.trawl.capture.synthetic.TcpConversation;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.RunFixture;
import io.trawl.pipeline.http.HttpCapture;
import io.trawl.pipeline.http.HttpStreamConsumer;
import io.trawl.pipeline.reassembly.ReassemblyStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Many bodies in flight at once: write buffers and open staging files stay within their bounds. */
class HttpFileExtractorBoundsTest {
    @TempDir
    Path temp;

    @Test
    void fortyConcurrentBodiesWithTwoBuffersAndThreeOpenFilesAreAllExact() {
        final int connections = 40;
        final List<byte[]> bodies = new ArrayList<>();
        final Path pcap = temp.resolve("concurrent.pcap");
        try (PcapWriter writer = PcapWriter.ethernet(pcap)) {
            final SyntheticClock clock = new SyntheticClock(1_700_000_000_000_000_000L, 1_000);
            final List<TcpConversation> tcp = new ArrayList<>();
            final List<byte[]> responses = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                final byte[] body = new byte[20_000 + i * 3_000];
                new Random(i).nextBytes(body);
                bodies.add(body);
                final byte[] header = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                final byte[] response = new byte[header.length + body.length];
                System.arraycopy(header, 0, response, 0, header.length);
                System.arraycopy(body, 0, response, header.length, body.length);
                responses.add(response);
                tcp.add(new TcpConversation(PacketSink.of(writer), new PacketBuilder(), Endpoint.of("192.0.2.10", 30000 + i),
                    Endpoint.of("198.51.100.80", 80), clock, 1000, 5000).handshake()
                    .send(true, ("GET /b" + i + " HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            }
            // one segment per connection in turn: every body is in flight at once
            final int[] sent = new int[connections];
            boolean more = true;
            while (more) {
                more = false;
                for (int i = 0; i < connections; i++) {
                    final byte[] response = responses.get(i);
                    if (sent[i] < response.length) {
                        final int n = Math.min(1460, response.length - sent[i]);
                        tcp.get(i).send(false, java.util.Arrays.copyOfRange(response, sent[i], sent[i] + n));
                        sent[i] += n;
                        more |= sent[i] < response.length;
                    }
                }
            }
            tcp.forEach(TcpConversation::close);
        }
        final List<String> hashes = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger mostOpen = new AtomicInteger();
        final List<HttpFileExtractor> extractors = new ArrayList<>();
        final StagedFiles staged = new StagedFiles();
        final PipelineStageFactory stages = new ReassemblyStage.Factory(pipeline -> {
            final HttpFileExtractor[] self = new HttpFileExtractor[1];
            self[0] = new HttpFileExtractor(temp.resolve("staging"), 1L << 20, staged, (flow, tx, path, length, partial, ts) -> {
                try {
                    hashes.add(HttpCapture.sha256(Files.readAllBytes(path)));
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
                mostOpen.accumulateAndGet(self[0].openFiles(), Math::max);
                assertThat(self[0].buffersInUse()).isLessThanOrEqualTo(2);
            }, "b", 2, 3);
            extractors.add(self[0]);
            return List.of(new HttpStreamConsumer(pipeline.flows().capacity(), List.of(self[0])));
        });
        final RunFixture.Output out = RunFixture.run("pcap:" + pcap, 1, temp.resolve("out"),
            Map.of(TrawlSettings.FILEX_RAMFS_DIR, temp.resolve("staging").toString()), List.of(stages));
        assertThat(hashes).containsExactlyInAnyOrderElementsOf(bodies.stream().map(HttpCapture::sha256).toList());
        assertThat(mostOpen.get()).isLessThanOrEqualTo(3);
        final FileCounters counters = extractors.getFirst().counters();
        assertThat(counters.unbufferedWrites).isPositive();
        assertThat(counters.reopened).isPositive();
        assertThat(counters.writeErrors()).isZero();
        assertThat(extractors.getFirst().openFiles()).isZero();
        assertThat(staged.size()).isZero();
        final JsonNode summary = out.summary();
        assertThat(summary.get("reassembly").get("flows").asLong()).isEqualTo(connections);
    }
}

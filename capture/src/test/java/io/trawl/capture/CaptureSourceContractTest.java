package io.trawl.capture;

import io.trawl.testsupport.ReferencePcap;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link CaptureSource} keeps. One subclass per implementation (pcap file, DPDK,
 * AF_XDP, AF_PACKET) supplies a source that delivers the packets of a reference capture; the tests
 * check what arrives against an independent reader of that capture.
 */
public abstract class CaptureSourceContractTest {
    /** The classic pcap capture the source under test replays. */
    protected abstract Path referenceCapture();

    /** Opens a source that delivers the packets of {@link #referenceCapture()} (replayed into it if live). */
    protected abstract CaptureSource openReplaying(Path capture) throws Exception;

    /** How long a live source may take to deliver everything. */
    protected long deliveryTimeoutSeconds() {
        return 120;
    }

    private record Received(List<ReferencePcap.Record> records, boolean allNative) {
    }

    private Received receiveAll(final CaptureSource source, final int expected) {
        final List<ReferencePcap.Record> received = new ArrayList<>();
        final boolean[] allNative = {true};
        final PacketHandler handler = packet -> {
            allNative[0] &= packet.memory().isNative();
            assertThat(packet.captureLength()).isPositive();
            received.add(new ReferencePcap.Record(source.isFinite() ? packet.timestampNanos() : 0,
                source.isFinite() ? packet.wireLength() : 0, packet.toByteArray()));
        };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deliveryTimeoutSeconds());
        final boolean[] ended = new boolean[source.queueCount()];
        int endedCount = 0;
        while (endedCount < ended.length && System.nanoTime() < deadline) {
            for (int q = 0; q < ended.length; q++) {
                if (ended[q]) {
                    continue;
                }
                final int polled = source.queue(q).poll(handler, 64);
                if (polled == ReceiveQueue.END_OF_INPUT) {
                    ended[q] = true;
                    endedCount++;
                }
            }
            if (!source.isFinite() && received.size() >= expected) {
                break;
            }
        }
        return new Received(received, allNative[0]);
    }

    @Test
    void deliversEveryPacketOfTheCaptureExactlyOnce() throws Exception {
        final Path capture = referenceCapture();
        final List<ReferencePcap.Record> expected = ReferencePcap.read(capture);
        try (CaptureSource source = openReplaying(capture)) {
            assertThat(source.queueCount()).isPositive();
            final Received received = receiveAll(source, expected.size());
            assertThat(received.records()).hasSize(expected.size());
            final Map<ReferencePcap.Record, Integer> want = multiset(expected, !source.isFinite());
            final Map<ReferencePcap.Record, Integer> got = multiset(received.records(), false);
            assertThat(got).isEqualTo(want);
            if (source.queueCount() == 1 && source.isFinite()) {
                assertThat(received.records()).as("a single queue keeps capture order").isEqualTo(expected);
            }
        }
    }

    @Test
    void packetBytesStayOffHeap() throws Exception {
        try (CaptureSource source = openReplaying(referenceCapture())) {
            final Received received = receiveAll(source, 1);
            assertThat(received.records()).isNotEmpty();
            assertThat(received.allNative()).as("packet memory is native (mapped file, mbuf, UMEM), not heap").isTrue();
        }
    }

    @Test
    void reportsDropsAndStatisticsWithStableKeys() throws Exception {
        try (CaptureSource source = openReplaying(referenceCapture())) {
            receiveAll(source, ReferencePcap.read(referenceCapture()).size());
            for (final String key : source.drops().keySet()) {
                assertThat(key).matches("[a-z][a-z0-9_]*");
            }
            for (final String key : source.statistics().keySet()) {
                assertThat(key).matches("[a-z][a-z0-9_]*");
            }
            assertThat(source.description()).isNotBlank();
        }
    }

    @Test
    void finiteSourcesKeepReportingEndOfInputAndCloseIsIdempotent() throws Exception {
        final CaptureSource source = openReplaying(referenceCapture());
        receiveAll(source, ReferencePcap.read(referenceCapture()).size());
        if (source.isFinite()) {
            for (int q = 0; q < source.queueCount(); q++) {
                assertThat(source.queue(q).poll(packet -> { }, 64)).isEqualTo(ReceiveQueue.END_OF_INPUT);
            }
        }
        source.close();
        source.close();
    }

    private static Map<ReferencePcap.Record, Integer> multiset(final List<ReferencePcap.Record> records,
                                                             final boolean bytesOnly) {
        final Map<ReferencePcap.Record, Integer> out = new HashMap<>();
        for (final ReferencePcap.Record record : records) {
            final ReferencePcap.Record key = bytesOnly ? new ReferencePcap.Record(0, 0, record.data()) : record;
            out.merge(key, 1, Integer::sum);
        }
        return out;
    }
}

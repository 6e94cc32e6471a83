package io.trawl.pipeline;

import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import io.trawl.config.TrawlContext;
import io.trawl.pipeline.counters.CountersFile;

import java.nio.file.Path;

/**
 * One {@link Pipeline} outside a run, fed by hand: for benchmarks and tests that measure the per-packet
 * path (decode, flow tracking, stages) without sources, threads or rings. Its counters go to
 * {@code STATE/harness-counters.dat}; it writes no flows.jsonl.
 *
 * <p>Threading: one thread does everything (it plays the pipeline thread).
 */
public final class PipelineHarness implements AutoCloseable {
    private final Pipeline pipeline;
    private final CountersFile counters;

    /** A pipeline (index 0) with the context's settings; add stages before the first packet. */
    public PipelineHarness(final TrawlContext context) {
        context.conclude();
        this.counters = CountersFile.create(context.stateDir().resolve("harness-counters.dat"), 256);
        final ReceiveQueue nothing = new ReceiveQueue() {
            @Override
            public int poll(final io.trawl.capture.PacketHandler handler, final int limit) {
                return END_OF_INPUT;
            }

            @Override
            public boolean packetMemoryOutlivesPoll() {
                return true;
            }
        };
        this.pipeline = new Pipeline(0, nothing, true, false, context, new RunCoordinator(1),
            new PipelineCounters(counters, 0), null);
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Processes one packet as the pipeline thread would. */
    public void onPacket(final PacketView packet) {
        pipeline.onPacket(packet);
    }

    /** The counters file (closed with the harness). */
    public Path countersPath() {
        return counters.path();
    }

    /** Ends the stages ({@code onClose}) and releases the counters file. */
    @Override
    public void close() {
        pipeline.onClose();
        counters.close();
    }
}

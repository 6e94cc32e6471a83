package io.trawl.pipeline.dispatch;

import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import io.trawl.pipeline.decode.PacketDecoder;
import io.trawl.pipeline.flow.FlowTable;
import org.agrona.concurrent.Agent;

import java.util.function.BooleanSupplier;

/**
 * Polls one source queue and hands each packet to the pipeline its flow belongs to, chosen from the high
 * bits of the symmetric flow hash (both directions of a flow reach the same pipeline).
 *
 * <p>Back-pressure: when a pipeline's ring is full, a finite source (a file replay) waits for room — the
 * dispatcher's own thread idles, nothing is dropped; a live source cannot wait, so the packet is dropped
 * and counted ({@code drops.dispatch_ring_full}).
 *
 * <p>Threading: runs on its own agent thread; the only producer of its rings.
 */
public final class PacketDispatcher implements Agent, PacketHandler {
    private final String name;
    private final ReceiveQueue queue;
    private final HandoffRing[] rings;
    private final boolean byReference;
    private final boolean waitWhenFull;
    private final int batchSize;
    private final BooleanSupplier stopRequested;
    private final PacketDecoder decoder = new PacketDecoder();
    // Only its hash function is used; capacity is minimal.
    private final FlowTable hasher = new FlowTable(1, 1, 1, 1, 1, (table, flow, reason) -> { });

    private long ringFullDrops;
    private long dispatched;
    private volatile long ringFullDropsPublished;
    private volatile long dispatchedPublished;
    private volatile boolean finished;

    /**
     * @param waitWhenFull  wait for ring space instead of dropping (finite sources)
     * @param stopRequested polled every duty cycle; when true the dispatcher ends its rings
     */
    public PacketDispatcher(final String name, final ReceiveQueue queue, final HandoffRing[] rings,
                            final boolean waitWhenFull, final int batchSize, final BooleanSupplier stopRequested) {
        this.name = name;
        this.queue = queue;
        this.rings = rings.clone();
        this.byReference = queue.packetMemoryOutlivesPoll();
        this.waitWhenFull = waitWhenFull;
        this.batchSize = batchSize;
        this.stopRequested = stopRequested;
    }

    @Override
    public int doWork() {
        if (finished) {
            return 0;
        }
        if (stopRequested.getAsBoolean()) {
            finish();
            return 1;
        }
        final int polled = queue.poll(this, batchSize);
        if (polled == ReceiveQueue.END_OF_INPUT) {
            finish();
            return 1;
        }
        if (polled > 0) {
            publish();
        }
        return polled;
    }

    @Override
    public void onPacket(final PacketView packet) {
        decoder.decode(packet);
        final int hash = hasher.symmetricHash(decoder.decoded());
        final HandoffRing ring = rings[pipelineFor(hash, rings.length)];
        while (!offer(ring, packet)) {
            if (!waitWhenFull || stopRequested.getAsBoolean()) {
                ringFullDrops++;
                return;
            }
            Thread.onSpinWait();
        }
        dispatched++;
    }

    private boolean offer(final HandoffRing ring, final PacketView packet) {
        return byReference ? ring.offerReference(packet) : ring.offerCopy(packet);
    }

    private void publish() {
        dispatchedPublished = dispatched; // one release store per batch, not per packet
        ringFullDropsPublished = ringFullDrops;
    }

    /** The pipeline index for a symmetric hash: the high bits, so the flow table's index (low bits) stays uniform. */
    public static int pipelineFor(final int hash, final int pipelines) {
        return (int) (((hash >>> 16) * (long) pipelines) >>> 16);
    }

    private void finish() {
        publish();
        for (final HandoffRing ring : rings) {
            ring.markEnded();
        }
        finished = true;
    }

    /** Packets dropped because a ring was full (live sources only). */
    public long ringFullDrops() {
        return ringFullDropsPublished;
    }

    /** Packets handed to pipelines. */
    public long dispatched() {
        return dispatchedPublished;
    }

    /** True once the rings are marked ended. */
    public boolean isFinished() {
        return finished;
    }

    @Override
    public String roleName() {
        return name;
    }
}

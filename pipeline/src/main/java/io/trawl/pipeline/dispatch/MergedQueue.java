package io.trawl.pipeline.dispatch;

import io.trawl.capture.PacketHandler;
import io.trawl.capture.ReceiveQueue;

/**
 * Several hand-off rings read as one queue (a pipeline fed by more than one dispatcher), round-robin.
 * Ends when every ring has ended. Single consumer.
 */
public final class MergedQueue implements ReceiveQueue {
    private final ReceiveQueue[] queues;
    private final boolean[] ended;
    private int endedCount;
    private int next;

    public MergedQueue(final ReceiveQueue[] queues) {
        this.queues = queues.clone();
        this.ended = new boolean[queues.length];
    }

    @Override
    public int poll(final PacketHandler handler, final int limit) {
        int total = 0;
        for (int i = 0; i < queues.length && total < limit; i++) {
            final int q = next;
            next = next + 1 == queues.length ? 0 : next + 1;
            if (ended[q]) {
                continue;
            }
            final int polled = queues[q].poll(handler, limit - total);
            if (polled == END_OF_INPUT) {
                ended[q] = true;
                endedCount++;
            } else {
                total += polled;
            }
        }
        return total == 0 && endedCount == queues.length ? END_OF_INPUT : total;
    }

    @Override
    public boolean packetMemoryOutlivesPoll() {
        return false;
    }
}

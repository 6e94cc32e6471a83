package io.trawl.pipeline;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the threads of a run share: the stop request, and the count of pipelines whose input ended (with
 * the latest packet time any of them saw), so that every pipeline ends its flows against the same clock.
 * Touched once per pipeline phase change, never per packet.
 */
final class RunCoordinator {
    private final int pipelines;
    private final AtomicInteger inputsEnded = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong finalClock = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean stopRequested;
    private volatile String stopReason;

    RunCoordinator(final int pipelines) {
        this.pipelines = pipelines;
    }

    void requestStop(final String reason) {
        if (!stopRequested) {
            stopReason = reason;
            stopRequested = true;
        }
    }

    boolean stopRequested() {
        return stopRequested;
    }

    String stopReason() {
        return stopReason;
    }

    void inputEnded(final int pipeline, final long clock) {
        finalClock.accumulateAndGet(clock, Math::max);
        inputsEnded.incrementAndGet();
    }

    boolean allInputsEnded() {
        return inputsEnded.get() == pipelines;
    }

    long finalPacketClock() {
        return finalClock.get();
    }

    void pipelineDone(final int pipeline) {
        done.incrementAndGet();
    }

    boolean allDone() {
        return done.get() == pipelines;
    }
}

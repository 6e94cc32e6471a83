package io.trawl.pipeline;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
    /** The thread that waits for the run to finish (woken when the last pipeline is done), or null. */
    private volatile Thread waiter;

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
        if (done.incrementAndGet() == pipelines) {
            final Thread thread = waiter;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Registers the calling thread as the one {@link #pipelineDone} wakes when the last pipeline is done. */
    void waitingThread(final Thread thread) {
        waiter = thread;
    }

    boolean allDone() {
        return done.get() == pipelines;
    }
}

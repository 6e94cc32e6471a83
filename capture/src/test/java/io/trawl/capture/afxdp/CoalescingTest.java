package io.trawl.capture.afxdp;

import org.junit.jupiter.api.Test;

import static io.trawl.capture.afxdp.AfXdpReceiveQueue.MIN_COALESCE_NANOS;
import static io.trawl.capture.afxdp.AfXdpReceiveQueue.nextCoalesceNanos;
import static org.assertj.core.api.Assertions.assertThat;

/** The adaptive wakeup coalescing of {@link AfXdpReceiveQueue}: converges on the target, stays in bounds. */
class CoalescingTest {
    private static final long MAX = 1_000_000;
    private static final int TARGET = 4096;

    /** Packets a sleep of {@code nanos} finds at {@code packetsPerSecond}. */
    private static int found(final long nanos, final double packetsPerSecond) {
        return (int) (nanos * packetsPerSecond / 1e9);
    }

    @Test
    void atHighRatesTheSleepSettlesWhereATargetOfPacketsArrives() {
        long sleep = MIN_COALESCE_NANOS;
        for (int i = 0; i < 50; i++) {
            sleep = nextCoalesceNanos(sleep, found(sleep, 14_880_000), TARGET, MAX);
        }
        assertThat(found(sleep, 14_880_000)).isBetween(TARGET * 9 / 10, TARGET * 11 / 10);
    }

    @Test
    void atLowRatesTheSleepGrowsAtMostTwofoldPerStepUpToTheMaximum() {
        long sleep = MIN_COALESCE_NANOS;
        long previous = sleep;
        for (int i = 0; i < 20; i++) {
            sleep = nextCoalesceNanos(sleep, found(sleep, 100_000), TARGET, MAX);
            assertThat(sleep).isLessThanOrEqualTo(previous * 2);
            previous = sleep;
        }
        assertThat(sleep).isEqualTo(MAX);
    }

    @Test
    void aBurstShrinksTheSleepAndNothingFoundMeansTheMaximum() {
        assertThat(nextCoalesceNanos(MAX, 4 * TARGET, TARGET, MAX)).isEqualTo((MAX + MAX / 4) / 2);
        assertThat(nextCoalesceNanos(MAX, 1_000_000, TARGET, MAX)).isGreaterThanOrEqualTo(MIN_COALESCE_NANOS);
        assertThat(nextCoalesceNanos(50_000, 0, TARGET, MAX)).isEqualTo(100_000);
        assertThat(nextCoalesceNanos(MIN_COALESCE_NANOS, 10, TARGET, 5_000)).as("max below the minimum").isEqualTo(5_000);
    }
}

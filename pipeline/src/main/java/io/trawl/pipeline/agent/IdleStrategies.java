package io.trawl.pipeline.agent;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/** Idle strategies by the names the configuration uses. */
public final class IdleStrategies {
    private IdleStrategies() {
    }

    /**
     * A new idle strategy for {@code name}: {@code busy-spin}, {@code yield}, {@code backoff} (spin, yield,
     * then park from 1 µs up to 1 ms) or {@code sleep} (park 1 ms).
     */
    public static IdleStrategy named(final String name) {
        return switch (name) {
            case "busy-spin" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            case "sleep" -> new SleepingMillisIdleStrategy(1);
            default -> throw new IllegalArgumentException("unknown idle strategy '" + name
                + "' (busy-spin, yield, backoff, sleep)");
        };
    }
}

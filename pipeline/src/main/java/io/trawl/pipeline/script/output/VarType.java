package io.trawl.pipeline.script.output;

/**
 * How a counter-group meter aggregates the values of {@code update_counter*} within one bucket of packet
 * time, and how the buckets of several pipelines merge. The ids are the values of {@code T.K.vartype}.
 */
public enum VarType {
    /** Sum of the updates in the bucket. */
    COUNTER,
    /** Sum of the updates in the bucket (a rate is value / bucket seconds). */
    RATE_COUNTER,
    /** The last value set in the bucket (pipelines: sum of their last values). */
    GAUGE,
    /** Running total since the start of the run, reported for buckets in which the key was updated. */
    RUNNING_COUNTER,
    /** Mean of the updates in the bucket (pipelines: weighted by their update counts). */
    AVERAGE,
    /** Sum of the updates in the bucket (scripts pass the deltas). */
    DELTA_RATE_COUNTER,
    /** Largest update in the bucket. */
    MAXIMUM,
    /** Smallest update in the bucket. */
    MINIMUM;

    private static final VarType[] VALUES = values();

    /** The type with this {@code T.K.vartype} id, or COUNTER for an unknown id. */
    public static VarType byId(final int id) {
        return id >= 0 && id < VALUES.length ? VALUES[id] : COUNTER;
    }

    /** Folds one update into an accumulated value ({@code count} updates so far, 0 = none). */
    double fold(final double accumulated, final long count, final double value) {
        if (count == 0) {
            return value;
        }
        return switch (this) {
            case GAUGE -> value;
            case MAXIMUM -> Math.max(accumulated, value);
            case MINIMUM -> Math.min(accumulated, value);
            default -> accumulated + value;
        };
    }

    /** Merges two pipelines' accumulated values. */
    double merge(final double a, final long countA, final double b, final long countB) {
        if (countA == 0) {
            return b;
        }
        if (countB == 0) {
            return a;
        }
        return switch (this) {
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            default -> a + b;
        };
    }

    /** The value written for an accumulated value over {@code count} updates. */
    double report(final double accumulated, final long count) {
        return this == AVERAGE && count > 0 ? accumulated / count : accumulated;
    }
}

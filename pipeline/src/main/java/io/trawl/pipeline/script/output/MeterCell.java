package io.trawl.pipeline.script.output;

import java.util.Arrays;

/** The accumulated meters of one key in one bucket: a value and an update count per meter id. */
final class MeterCell {
    double[] values = new double[4];
    long[] counts = new long[4];

    void update(final VarType type, final int meter, final double value) {
        if (meter >= values.length) {
            final int size = Math.max(meter + 1, values.length * 2);
            values = Arrays.copyOf(values, size);
            counts = Arrays.copyOf(counts, size);
        }
        values[meter] = type.fold(values[meter], counts[meter], value);
        counts[meter]++;
    }

    void mergeFrom(final CounterGroupDefinition group, final MeterCell other) {
        if (other.values.length > values.length) {
            values = Arrays.copyOf(values, other.values.length);
            counts = Arrays.copyOf(counts, other.values.length);
        }
        for (int m = 0; m < other.values.length; m++) {
            if (other.counts[m] > 0) {
                final VarType type = group.meterType(m);
                values[m] = type.merge(values[m], counts[m], other.values[m], other.counts[m]);
                counts[m] += other.counts[m];
            }
        }
    }
}

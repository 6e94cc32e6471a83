package io.trawl.pipeline;

import io.trawl.pipeline.counters.CountersFile;
import io.trawl.pipeline.counters.PipelineCounter;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One pipeline's counters: plain {@code long}s the pipeline thread increments, published to the mapped
 * counters file with one release store each per duty cycle. Readers on other threads use
 * {@link #published(PipelineCounter)}.
 */
public final class PipelineCounters {
    private static final PipelineCounter[] ALL = PipelineCounter.values();

    final long[] values = new long[ALL.length];
    private final AtomicCounter[] published = new AtomicCounter[ALL.length];
    private final CountersFile file;

    PipelineCounters(final CountersFile file, final int pipeline) {
        this.file = file;
        for (final PipelineCounter counter : ALL) {
            published[counter.ordinal()] = file.newCounter("pipeline " + pipeline + ": " + counter.label(), counter.typeId());
        }
    }

    /** A further counter in the same file (other layers' counters). Main thread, before start. */
    AtomicCounter newCounter(final String label, final int typeId) {
        return file.newCounter(label, typeId);
    }

    void increment(final PipelineCounter counter) {
        values[counter.ordinal()]++;
    }

    void add(final PipelineCounter counter, final long delta) {
        values[counter.ordinal()] += delta;
    }

    void set(final PipelineCounter counter, final long value) {
        values[counter.ordinal()] = value;
    }

    /** Owner thread: make the current values visible to readers. */
    void publish() {
        for (int i = 0; i < values.length; i++) {
            published[i].setRelease(values[i]);
        }
    }

    /** Any thread: the last published value. */
    public long published(final PipelineCounter counter) {
        return published[counter.ordinal()].getAcquire();
    }
}

package io.trawl.pipeline.script.output;

import io.trawl.pipeline.output.JsonLinesFile;
import org.luaj.vm2.LuaString;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the counter buckets of every pipeline and writes {@code OUT/counters.jsonl}: one line per group,
 * bucket, key and meter,
 * {@code {"ts": <bucket start, s>, "group": "<GUID as declared>", "key": "...", "label": "..."|null,
 * "meter": <id>, "value": <number>}}. A bucket is written once every pipeline's packet clock has passed
 * its end (or the pipeline finished), so the file is the same whatever the number of pipelines: lines of
 * one bucket are sorted by group (declaration order), key and meter, buckets come in order of their end.
 * A label set with {@code update_key_info} applies from the bucket in which it was set.
 *
 * <p>Threading: called by pipeline threads once per bucket and per second of packet time; one lock.
 */
public final class CounterOutput {
    private static final Comparator<BucketId> ORDER = Comparator
        .comparingInt((BucketId b) -> b.group.order())
        .thenComparing(b -> b.group.canonicalGuid())
        .thenComparingLong(b -> b.start);

    private record BucketId(CounterGroupDefinition group, long start) {
    }

    private final JsonLinesFile file;
    private final long[] watermarks;
    private final boolean[] finished;
    private final TreeMap<Long, TreeMap<BucketId, TreeMap<String, MeterCell>>> pending = new TreeMap<>();
    private final Map<String, Map<String, TreeMap<Long, String>>> labels = new HashMap<>();
    private final Map<String, Map<String, MeterCell>> running = new HashMap<>();
    private long lines;
    private boolean closed;

    public CounterOutput(final Path path, final int pipelines) {
        this.file = new JsonLinesFile(path);
        this.watermarks = new long[pipelines];
        this.finished = new boolean[pipelines];
        Arrays.fill(watermarks, Long.MIN_VALUE);
    }

    synchronized void accept(final ClosedBucket bucket) {
        final CounterGroupDefinition group = bucket.group();
        final String canonical = group.canonicalGuid();
        for (final Map.Entry<LuaString, LuaString> label : bucket.labels().entrySet()) {
            labels.computeIfAbsent(canonical, g -> new HashMap<>())
                .computeIfAbsent(label.getKey().tojstring(), k -> new TreeMap<>())
                .put(bucket.start(), label.getValue().tojstring());
        }
        if (bucket.cells().isEmpty()) {
            return;
        }
        final TreeMap<String, MeterCell> merged = pending
            .computeIfAbsent(bucket.end(), e -> new TreeMap<>(ORDER))
            .computeIfAbsent(new BucketId(group, bucket.start()), b -> new TreeMap<>());
        for (final Map.Entry<LuaString, MeterCell> entry : bucket.cells().entrySet()) {
            final String key = entry.getKey().tojstring();
            final MeterCell existing = merged.get(key);
            if (existing == null) {
                merged.put(key, entry.getValue());
            } else {
                existing.mergeFrom(group, entry.getValue());
            }
        }
    }

    synchronized void advance(final int pipeline, final long seconds) {
        if (seconds > watermarks[pipeline]) {
            watermarks[pipeline] = seconds;
            flush();
        }
    }

    synchronized void finish(final int pipeline) {
        finished[pipeline] = true;
        watermarks[pipeline] = Long.MAX_VALUE;
        flush();
        boolean all = true;
        for (final boolean f : finished) {
            all &= f;
        }
        if (all) {
            close();
        }
    }

    private void flush() {
        long through = Long.MAX_VALUE;
        for (final long w : watermarks) {
            through = Math.min(through, w);
        }
        while (!pending.isEmpty() && pending.firstKey() <= through) {
            for (final Map.Entry<BucketId, TreeMap<String, MeterCell>> bucket : pending.pollFirstEntry().getValue().entrySet()) {
                write(bucket.getKey(), bucket.getValue());
            }
        }
        file.flush();
    }

    private void write(final BucketId id, final TreeMap<String, MeterCell> cells) {
        final CounterGroupDefinition group = id.group;
        final Map<String, TreeMap<Long, String>> groupLabels = labels.getOrDefault(group.canonicalGuid(), Map.of());
        for (final Map.Entry<String, MeterCell> entry : cells.entrySet()) {
            final String key = entry.getKey();
            final MeterCell cell = entry.getValue();
            final TreeMap<Long, String> keyLabels = groupLabels.get(key);
            final Map.Entry<Long, String> label = keyLabels == null ? null : keyLabels.floorEntry(id.start);
            for (int meter = 0; meter < cell.values.length; meter++) {
                if (cell.counts[meter] == 0) {
                    continue;
                }
                final VarType type = group.meterType(meter);
                double value = type.report(cell.values[meter], cell.counts[meter]);
                if (type == VarType.RUNNING_COUNTER) {
                    final MeterCell total = running.computeIfAbsent(group.canonicalGuid(), g -> new HashMap<>())
                        .computeIfAbsent(key, k -> new MeterCell());
                    total.update(VarType.COUNTER, meter, value);
                    value = total.values[meter];
                }
                file.begin().field("ts", id.start).field("group", group.guid()).field("key", key)
                    .field("label", label == null ? null : label.getValue()).field("meter", meter)
                    .field("value", value).end();
                lines++;
            }
        }
    }

    /** The furthest any pipeline's packet clock got (seconds), or Long.MIN_VALUE. */
    public synchronized long maxWatermark() {
        long max = Long.MIN_VALUE;
        for (int i = 0; i < watermarks.length; i++) {
            if (!finished[i]) {
                max = Math.max(max, watermarks[i]);
            }
        }
        return max;
    }

    /** Lines written so far. */
    public synchronized long lines() {
        return lines;
    }

    /** Writes whatever is pending and closes the file (idempotent). */
    public synchronized void close() {
        if (closed) {
            return;
        }
        Arrays.fill(watermarks, Long.MAX_VALUE);
        flush();
        file.close();
        closed = true;
    }
}

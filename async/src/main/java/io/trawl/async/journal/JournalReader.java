package io.trawl.async.journal;

import io.trawl.async.job.JobKind;
import io.trawl.async.job.Outcome;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads a journal directory (every {@code submit-*} and {@code effect-*} queue in it) back into jobs and
 * their progress. A queue whose tail cannot be read (a file cut at a random byte, a damaged record) is
 * read up to the damage; what follows is skipped and counted. A queue written in another format is
 * refused as a whole ({@link Contents#incompatible()}).
 */
public final class JournalReader {
    /**
     * What a journal holds.
     *
     * @param progress worker records (INTENT, EFFECT) for jobs whose SUBMIT is in another journal: a run that
     *                 recovers jobs does not journal them again, so their progress and delivery are recorded
     *                 in its own journal and {@link #merge merged} with the journal that submitted them
     * @param order    ids of {@code jobs} in the order their SUBMIT records were read (each submit queue is in
     *                 ticket order), or null when unknown; {@link #unfinished()} then sorts from scratch
     */
    public record Contents(Map<Long, JournaledJob> jobs, Set<Long> delivered, int damagedQueues, long damagedRecords,
                           String incompatible, Map<Long, Progress> progress, org.agrona.collections.LongArrayList order) {
        public Contents(final Map<Long, JournaledJob> jobs, final Set<Long> delivered, final int damagedQueues,
                        final long damagedRecords, final String incompatible) {
            this(jobs, delivered, damagedQueues, damagedRecords, incompatible, Map.of(), null);
        }

        /** How many jobs were submitted and not delivered (no sorting, no copies). */
        public long unfinishedCount() {
            long count = 0;
            for (final JournaledJob job : jobs.values()) {
                if (!isDelivered(job.id())) {
                    count++;
                }
            }
            return count;
        }

        /** True when job {@code id}'s completion was delivered. */
        public boolean isDelivered(final long id) {
            return delivered instanceof LongHashSet set ? set.contains(id) : delivered.contains(id);
        }

        /**
         * Jobs submitted and not delivered, in submission order. With the order the journal was read in
         * (each submit queue is in ticket order) that is a merge of sorted runs, not a full sort.
         */
        public List<JournaledJob> unfinished() {
            final List<JournaledJob> out = new ArrayList<>(jobs.size());
            if (order != null && order.size() == jobs.size()) {
                final Long2ObjectHashMap<JournaledJob> byId = jobs instanceof Long2ObjectHashMap<JournaledJob> map ? map : null;
                for (int i = 0, n = order.size(); i < n; i++) {
                    final long id = order.getLong(i);
                    if (!isDelivered(id)) {
                        out.add(byId != null ? byId.get(id) : jobs.get(id));
                    }
                }
            } else {
                for (final JournaledJob job : jobs.values()) {
                    if (!isDelivered(job.id())) {
                        out.add(job);
                    }
                }
            }
            out.sort((a, b) -> Long.compare(a.ticket(), b.ticket())); // (a single pass when already in order)
            return out;
        }
    }

    /** How far a job got, as a worker journaled it: the offset of an append (-1: none) and its outcome (or null). */
    public record Progress(long intent, Outcome effect, String result, String error) {
        Progress with(final Progress later) {
            return new Progress(later.intent >= 0 ? later.intent : intent, later.effect != null ? later.effect : effect,
                later.effect != null ? later.result : result, later.effect != null ? later.error : error);
        }
    }

    private JournalReader() {
    }

    /**
     * One view of several compatible journals of the same state directory, oldest first: jobs submitted in
     * any of them, delivered in any of them, with progress journaled in a later one applied (a job's effect
     * wins over an offset it was about to write at). One journal without foreign progress is returned as is.
     */
    public static Contents merge(final List<Contents> journals) {
        if (journals.size() == 1 && journals.get(0).progress().isEmpty()) {
            return journals.get(0);
        }
        final Long2ObjectHashMap<JournaledJob> jobs = new Long2ObjectHashMap<>();
        final LongHashSet delivered = new LongHashSet();
        final Long2ObjectHashMap<Progress> progress = new Long2ObjectHashMap<>();
        final org.agrona.collections.LongArrayList order = new org.agrona.collections.LongArrayList();
        boolean ordered = true;
        int damagedQueues = 0;
        long damagedRecords = 0;
        for (final Contents contents : journals) {
            for (final JournaledJob job : contents.jobs().values()) {
                final JournaledJob known = jobs.get(job.id());
                // a job journaled again by an earlier trawl's recovery keeps the progress of both records
                jobs.put(job.id(), known == null ? job : known.effect() != null ? known : job.intent() >= 0 ? job : known);
            }
            if (contents.order() == null) {
                ordered = false;
            } else if (ordered) {
                for (int i = 0, n = contents.order().size(); i < n; i++) {
                    order.addLong(contents.order().getLong(i));
                }
            }
            if (contents.delivered() instanceof LongHashSet set) {
                delivered.addAll(set);
            } else {
                for (final Long id : contents.delivered()) {
                    delivered.add(id.longValue());
                }
            }
            contents.progress().forEach((id, p) -> {
                final Progress known = progress.get(id.longValue());
                progress.put(id.longValue(), known == null ? p : known.with(p));
            });
            damagedQueues += contents.damagedQueues();
            damagedRecords += contents.damagedRecords();
        }
        final Long2ObjectHashMap<Progress> orphans = new Long2ObjectHashMap<>();
        progress.forEach((id, p) -> {
            final JournaledJob job = jobs.get(id.longValue());
            if (job == null) {
                orphans.put(id.longValue(), p);
            } else if (job.effect() == null) {
                JournaledJob updated = p.intent() >= 0 ? job.withIntent(p.intent()) : job;
                updated = p.effect() != null ? updated.withEffect(p.effect(), p.result(), p.error()) : updated;
                jobs.put(id.longValue(), updated);
            }
        });
        if (ordered && order.size() != jobs.size()) {
            // the same job in two journals (journaled again by an older trawl's recovery): first sight counts
            final LongHashSet seen = new LongHashSet();
            final org.agrona.collections.LongArrayList unique = new org.agrona.collections.LongArrayList();
            for (int i = 0, n = order.size(); i < n; i++) {
                if (seen.add(order.getLong(i))) {
                    unique.addLong(order.getLong(i));
                }
            }
            order.clear();
            for (int i = 0, n = unique.size(); i < n; i++) {
                order.addLong(unique.getLong(i));
            }
        }
        return new Contents(jobs, delivered, damagedQueues, damagedRecords, null, orphans, ordered ? order : null);
    }

    /** A journal {@link #readOnce} read, with the state of its files then. */
    private record Remembered(List<String> files, Contents contents) {
    }

    private static final Map<Path, Remembered> REMEMBERED = new HashMap<>();

    /**
     * {@link #read}, remembering the result so later calls for the same, unchanged directory (the command
     * line counts the unfinished jobs, then the journal takes them over) do not read it again; callers
     * must not change it. Any change to its files (names, sizes, times) reads it afresh. {@link #forget}
     * drops it once the journal has taken the jobs over.
     */
    public static synchronized Contents readOnce(final Path directory) {
        final Path absolute = directory.toAbsolutePath().normalize();
        final List<String> files = filesOf(absolute);
        final Remembered last = REMEMBERED.get(absolute);
        if (last != null && last.files().equals(files)) {
            return last.contents();
        }
        final Contents contents = read(absolute);
        REMEMBERED.put(absolute, new Remembered(files, contents));
        return contents;
    }

    /** Drops what {@link #readOnce} remembers of {@code directory} (a journal can hold millions of jobs). */
    public static synchronized void forget(final Path directory) {
        REMEMBERED.remove(directory.toAbsolutePath().normalize());
    }

    private static List<String> filesOf(final Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).map(p -> {
                final java.io.File file = p.toFile();
                return p + ":" + file.length() + ":" + file.lastModified();
            }).sorted().toList();
        } catch (final IOException | java.io.UncheckedIOException e) {
            return List.of("unreadable:" + System.nanoTime());
        }
    }

    /** Reads every queue under {@code directory} (nothing when it does not exist). */
    public static Contents read(final Path directory) {
        // primitive-keyed: a journal can hold millions of jobs
        final Long2ObjectHashMap<JournaledJob> jobs = new Long2ObjectHashMap<>();
        final LongHashSet delivered = new LongHashSet();
        final Long2LongHashMap intents = new Long2LongHashMap(-1);
        final Long2ObjectHashMap<Object[]> effects = new Long2ObjectHashMap<>();
        final org.agrona.collections.LongArrayList order = new org.agrona.collections.LongArrayList(1 << 16, -1);
        final Utf8Cache[] strings = {new Utf8Cache(), new Utf8Cache(), new Utf8Cache(), new Utf8Cache()}; // one per field
        final int[] damagedQueues = {0};
        final long[] damagedRecords = {0};
        String incompatible = null;
        if (!Files.isDirectory(directory)) {
            return new Contents(jobs, delivered, 0, 0, null);
        }
        final List<Path> queues;
        try (Stream<Path> list = Files.list(directory)) {
            queues = list.filter(Files::isDirectory).filter(p -> {
                final String name = p.getFileName().toString();
                return name.startsWith("submit-") || name.startsWith("effect-");
            }).sorted().toList();
        } catch (final IOException e) {
            return new Contents(jobs, delivered, 1, 0, "cannot list " + directory + ": " + e.getMessage());
        }
        for (final Path queue : queues) {
            final String problem = readQueue(queue, jobs, order, strings, delivered, intents, effects, damagedQueues,
                damagedRecords);
            if (problem != null && incompatible == null) {
                incompatible = problem;
            }
        }
        final Long2ObjectHashMap<Progress> foreign = new Long2ObjectHashMap<>();
        intents.forEachLong((id, offset) -> {
            final JournaledJob job = jobs.get(id);
            if (job != null) {
                jobs.put(id, job.withIntent(offset));
            } else {
                foreign.put(id, new Progress(offset, null, null, null));
            }
        });
        effects.forEachLong((id, e) -> {
            final JournaledJob job = jobs.get(id);
            if (job != null) {
                jobs.put(id, job.withEffect((Outcome) e[0], (String) e[1], (String) e[2]));
            } else {
                final Progress known = foreign.get(id);
                final Progress effect = new Progress(-1, (Outcome) e[0], (String) e[1], (String) e[2]);
                foreign.put(id, known == null ? effect : known.with(effect));
            }
        });
        return new Contents(jobs, delivered, damagedQueues[0], damagedRecords[0], incompatible,
            foreign.isEmpty() ? Map.of() : foreign, order.size() == jobs.size() ? order : null);
    }

    /** A tailer at the first cycle file that exists (finished cycles may have been deleted). */
    private static ExcerptTailer startTailer(final ChronicleQueue queue) {
        if (queue instanceof net.openhft.chronicle.queue.impl.single.SingleChronicleQueue single) {
            single.refreshDirectoryListing();
        }
        final ExcerptTailer tailer = queue.createTailer();
        final java.io.File[] files = queue.file().listFiles((d, name) -> name.endsWith(".cq4"));
        if (files != null) {
            int lowest = Integer.MAX_VALUE;
            for (final java.io.File file : files) {
                final int cycle = cycleOf(file);
                if (cycle >= 0) {
                    lowest = Math.min(lowest, cycle);
                }
            }
            if (lowest != Integer.MAX_VALUE) {
                tailer.moveToCycle(lowest);
            }
        }
        return tailer;
    }

    /** The cycle of a FIVE_MINUTELY queue file ({@code yyyyMMdd-HHmm'V'.cq4}), or -1. */
    private static int cycleOf(final java.io.File file) {
        try {
            final String name = file.getName().substring(0, file.getName().length() - ".cq4".length());
            final java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter
                .ofPattern(net.openhft.chronicle.queue.RollCycles.FIVE_MINUTELY.format()).withZone(java.time.ZoneOffset.UTC);
            final long millis = java.time.LocalDateTime.parse(name, format).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            return (int) (millis / net.openhft.chronicle.queue.RollCycles.FIVE_MINUTELY.lengthInMillis());
        } catch (final RuntimeException e) {
            return -1;
        }
    }

    private static String readQueue(final Path directory, final Long2ObjectHashMap<JournaledJob> jobs,
                                    final org.agrona.collections.LongArrayList order, final Utf8Cache[] strings,
                                    final LongHashSet delivered,
                                    final Long2LongHashMap intents, final Long2ObjectHashMap<Object[]> effects, final int[] damagedQueues,
                                    final long[] damagedRecords) {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.binary(directory).rollCycle(RollCycles.FIVE_MINUTELY)
            .blockSize(4L << 20).readOnly(true).build();
             ExcerptTailer tailer = startTailer(queue)) {
            boolean first = true;
            while (true) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (!document.isPresent()) {
                        return null;
                    }
                    final Bytes<?> bytes = document.wire().bytes();
                    final byte type = bytes.readByte();
                    if (type == JournalRecord.HEADER) {
                        // every cycle file starts with one; the first file of a queue may have been deleted
                        if (bytes.readLong() != JournalRecord.MAGIC) {
                            return directory + " is not a trawl journal";
                        }
                        final int format = bytes.readInt();
                        if (format < JournalRecord.OLDEST_READABLE_FORMAT || format > JournalRecord.FORMAT) {
                            return directory + " was written in journal format " + format + "; this trawl reads formats "
                                + JournalRecord.OLDEST_READABLE_FORMAT + " to " + JournalRecord.FORMAT;
                        }
                        first = false;
                        continue;
                    }
                    if (first && (type < JournalRecord.SUBMIT || type > JournalRecord.DELIVERED_MANY)) {
                        return directory + " is not a trawl journal";
                    }
                    first = false;
                    switch (type) {
                        case JournalRecord.SUBMIT -> readSubmit(bytes, jobs, order, strings);
                        case JournalRecord.DELIVERED -> delivered.add(bytes.readLong());
                        case JournalRecord.INTENT -> {
                            final long id = bytes.readLong();
                            intents.put(id, bytes.readLong());
                        }
                        case JournalRecord.EFFECT -> {
                            final long id = bytes.readLong();
                            final Outcome outcome = OUTCOMES[bytes.readByte()];
                            effects.put(id, new Object[] {outcome, bytes.readUtf8(), bytes.readUtf8()});
                        }
                        case JournalRecord.INTENTS -> {
                            final int count = bytes.readInt();
                            for (int i = 0; i < count; i++) {
                                final long id = bytes.readLong();
                                intents.put(id, bytes.readLong());
                            }
                        }
                        case JournalRecord.EFFECTS -> {
                            final int count = bytes.readInt();
                            final Outcome outcome = OUTCOMES[bytes.readByte()];
                            final String error = bytes.readUtf8();
                            final Object[] effect = {outcome, null, error};
                            for (int i = 0; i < count; i++) {
                                effects.put(bytes.readLong(), effect);
                            }
                        }
                        case JournalRecord.DELIVERED_MANY -> {
                            final int count = bytes.readInt();
                            for (int i = 0; i < count; i++) {
                                delivered.add(bytes.readLong());
                            }
                        }
                        default -> {
                            damagedRecords[0]++;
                        }
                    }
                } catch (final RuntimeException | InternalError e) {
                    // A record or file cut short (a crash while writing, a damaged disk): keep what was read.
                    damagedQueues[0]++;
                    damagedRecords[0]++;
                    return null;
                }
            }
        } catch (final RuntimeException | InternalError e) {
            damagedQueues[0]++;
            return null;
        }
    }

    private static final JobKind[] KINDS = JobKind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();

    /** One SUBMIT record (a small method of its own: the JIT compiles it early in a cold process). */
    private static void readSubmit(final Bytes<?> bytes, final Long2ObjectHashMap<JournaledJob> jobs,
                                   final org.agrona.collections.LongArrayList order, final Utf8Cache[] strings) {
        final long id = bytes.readLong();
        final long ticket = bytes.readLong();
        final int pipeline = bytes.readInt();
        final String script = strings[0].read(bytes);
        final String scriptPath = strings[1].read(bytes);
        final JobKind kind = KINDS[bytes.readByte()];
        final String source = strings[2].read(bytes);
        final String target = strings[3].read(bytes);
        final long seekpos = bytes.readLong();
        final long recoveredIntent = bytes.readLong();
        final int length = bytes.readInt();
        byte[] data = null;
        if (length >= 0) {
            data = new byte[length];
            bytes.read(data);
        }
        final int payloadLength = bytes.readInt();
        byte[] payload = null;
        if (payloadLength >= 0) {
            payload = new byte[payloadLength];
            bytes.read(payload);
        }
        if (jobs.put(id, new JournaledJob(id, ticket, pipeline, script, scriptPath, kind, source, target,
            seekpos, data, payload, recoveredIntent, null, null, null)) == null) {
            order.addLong(id);
        }
    }

    /**
     * Strings of SUBMIT records (script names, paths) decoded once: a journal names the same few scripts
     * and files over and over. Entries are keyed by their UTF-8 bytes; a miss decodes with Chronicle's own
     * reader, so what comes back is exactly what {@code readUtf8} returns.
     */
    static final class Utf8Cache {
        private static final int SLOTS = 4096;
        private static final int LONGEST = 1024;
        private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private final byte[][] keys = new byte[SLOTS][];
        private final String[] values = new String[SLOTS];
        private final byte[] scratch = new byte[LONGEST];
        /** The last string read (a field often repeats the previous record's value). */
        private byte[] lastKey;
        private String lastValue;

        String read(final Bytes<?> bytes) {
            final long start = bytes.readPosition();
            final long length = bytes.readStopBit();
            if (length < 0) {
                return null;
            }
            if (length > LONGEST) {
                bytes.readPosition(start);
                return bytes.readUtf8();
            }
            final int n = (int) length;
            bytes.read(scratch, 0, n);
            if (lastKey != null && java.util.Arrays.equals(lastKey, 0, lastKey.length, scratch, 0, n)) {
                return lastValue;
            }
            // paths differ at their ends: hash the length and the last 16 bytes (a collision only costs a decode)
            long hash = n;
            if (n >= 16) {
                hash = hash * 31 + (long) LONGS.get(scratch, n - 16);
                hash = hash * 31 + (long) LONGS.get(scratch, n - 8);
            } else {
                for (int i = 0; i < n; i++) {
                    hash = 31 * hash + scratch[i];
                }
            }
            hash *= 0x9E3779B97F4A7C15L;
            final int slot = (int) (hash >>> 52) & (SLOTS - 1);
            final byte[] key = keys[slot];
            String value;
            if (key != null && java.util.Arrays.equals(key, 0, key.length, scratch, 0, n)) {
                value = values[slot];
            } else {
                final long end = bytes.readPosition();
                bytes.readPosition(start);
                value = bytes.readUtf8();
                bytes.readPosition(end);
                keys[slot] = java.util.Arrays.copyOf(scratch, n);
                values[slot] = value;
            }
            lastKey = keys[slot];
            lastValue = value;
            return value;
        }
    }
}

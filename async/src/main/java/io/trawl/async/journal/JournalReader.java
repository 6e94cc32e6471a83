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
    /** What a journal holds. */
    public record Contents(Map<Long, JournaledJob> jobs, Set<Long> delivered, int damagedQueues, long damagedRecords,
                           String incompatible) {
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

        /** Jobs submitted and not delivered, in submission order. */
        public List<JournaledJob> unfinished() {
            final List<JournaledJob> out = new ArrayList<>();
            for (final JournaledJob job : jobs.values()) {
                if (!isDelivered(job.id())) {
                    out.add(job);
                }
            }
            out.sort((a, b) -> Long.compare(a.ticket(), b.ticket()));
            return out;
        }
    }

    private JournalReader() {
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
            final String problem = readQueue(queue, jobs, delivered, intents, effects, damagedQueues, damagedRecords);
            if (problem != null && incompatible == null) {
                incompatible = problem;
            }
        }
        intents.forEachLong((id, offset) -> {
            final JournaledJob job = jobs.get(id);
            if (job != null) {
                jobs.put(id, job.withIntent(offset));
            }
        });
        effects.forEachLong((id, e) -> {
            final JournaledJob job = jobs.get(id);
            if (job != null) {
                jobs.put(id, job.withEffect((Outcome) e[0], (String) e[1], (String) e[2]));
            }
        });
        return new Contents(jobs, delivered, damagedQueues[0], damagedRecords[0], incompatible);
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

    private static String readQueue(final Path directory, final Long2ObjectHashMap<JournaledJob> jobs, final LongHashSet delivered,
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
                        if (format != JournalRecord.FORMAT) {
                            return directory + " was written in journal format " + format + "; this trawl reads format "
                                + JournalRecord.FORMAT;
                        }
                        first = false;
                        continue;
                    }
                    if (first && (type < JournalRecord.SUBMIT || type > JournalRecord.DELIVERED)) {
                        return directory + " is not a trawl journal";
                    }
                    first = false;
                    switch (type) {
                        case JournalRecord.SUBMIT -> {
                            final long id = bytes.readLong();
                            final long ticket = bytes.readLong();
                            final int pipeline = bytes.readInt();
                            final String script = bytes.readUtf8();
                            final String scriptPath = bytes.readUtf8();
                            final JobKind kind = JobKind.values()[bytes.readByte()];
                            final String source = bytes.readUtf8();
                            final String target = bytes.readUtf8();
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
                            jobs.put(id, new JournaledJob(id, ticket, pipeline, script, scriptPath, kind, source, target, seekpos,
                                data, payload, recoveredIntent, null, null, null));
                        }
                        case JournalRecord.DELIVERED -> delivered.add(bytes.readLong());
                        case JournalRecord.INTENT -> {
                            final long id = bytes.readLong();
                            intents.put(id, bytes.readLong());
                        }
                        case JournalRecord.EFFECT -> {
                            final long id = bytes.readLong();
                            final Outcome outcome = Outcome.values()[bytes.readByte()];
                            effects.put(id, new Object[] {outcome, bytes.readUtf8(), bytes.readUtf8()});
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
}

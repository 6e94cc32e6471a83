package io.trawl.async.journal;

import io.trawl.pipeline.RunConsole;
import net.openhft.chronicle.queue.RollCycles;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The T.async journal of a run under {@code STATE/journal}. Opening it reads what a previous run left
 * (the jobs to recover) and moves that aside ({@code journal.recovering-*}, deleted once every recovered
 * job has been delivered: recovered jobs are not journaled again, the new journal records only their
 * progress and delivery); a journal in another format or not written by trawl is moved aside too
 * ({@code journal.refused-*}) with a message, so a bad journal never stops the appliance from starting.
 * A syncer thread flushes the journal to disk every 100 ms ({@code sync: batch}) and deletes cycle files
 * whose jobs have all finished. When the run ends with every job finished, the journal is emptied.
 *
 * <p>Threading: writers are single-threaded (one per pipeline, one per worker); everything else here may
 * be called from the main thread; the syncer runs on its own daemon thread.
 */
public final class Journal implements AutoCloseable {
    private static final long SYNC_INTERVAL_MILLIS = 100;

    private final Path directory;
    private final String syncMode;
    private final long maxBytes;
    private final RunConsole console;
    private final JournalReader.Contents recovered;
    private final List<Path> recovering = new ArrayList<>();
    private final Map<Integer, PipelineJournal> pipelines = new ConcurrentHashMap<>();
    private final Map<Integer, WorkerJournal> workers = new ConcurrentHashMap<>();
    private final List<QueueWriter> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Integer, QueueWriter> pipelineWriters = new ConcurrentHashMap<>();
    private final Map<File, FileChannel> syncChannels = new HashMap<>();
    private final AtomicLong deletedCycles = new AtomicLong();
    private final AtomicLong deletedBytes = new AtomicLong();
    private final Thread syncer;
    private volatile boolean running = true;
    private volatile boolean full;
    /** Old journals hold recovered jobs not all delivered yet. */
    private volatile boolean recoveryOpen;

    private final net.openhft.chronicle.core.time.TimeProvider time;

    private Journal(final Path directory, final String syncMode, final long maxBytes, final RunConsole console,
                    final net.openhft.chronicle.core.time.TimeProvider time) {
        this.time = time;
        this.directory = directory;
        this.syncMode = syncMode;
        this.maxBytes = maxBytes;
        this.console = console;
        this.recovered = takeOver();
        try {
            Files.createDirectories(directory);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot create the T.async journal directory " + directory + ": " + e.getMessage(), e);
        }
        this.syncer = Thread.ofPlatform().daemon().name("trawl-journal").unstarted(this::syncLoop);
        syncer.start();
    }

    /**
     * Opens the journal, reading and setting aside what a previous run left.
     *
     * @param syncMode none, batch or always
     */
    public static Journal open(final Path directory, final String syncMode, final long maxBytes, final RunConsole console) {
        return new Journal(directory, syncMode, maxBytes, console, net.openhft.chronicle.core.time.SystemTimeProvider.INSTANCE);
    }

    /** {@link #open(Path, String, long, RunConsole)} with the clock that decides when queue files roll (tests). */
    public static Journal open(final Path directory, final String syncMode, final long maxBytes, final RunConsole console,
                               final net.openhft.chronicle.core.time.TimeProvider time) {
        return new Journal(directory, syncMode, maxBytes, console, time);
    }

    /** Reads the previous journals (current and any left-over recovering ones) and moves them aside. */
    private JournalReader.Contents takeOver() {
        final Path parent = directory.toAbsolutePath().getParent();
        final List<Path> sources;
        try {
            sources = journalsIn(directory);
        } catch (final IOException e) {
            console.warn("trawl: cannot list " + parent + ": " + e.getMessage());
            return new JournalReader.Contents(new org.agrona.collections.Long2ObjectHashMap<>(),
                new org.agrona.collections.LongHashSet(), 0, 0, null);
        }
        final List<JournalReader.Contents> readable = new ArrayList<>();
        for (final Path source : sources) {
            final JournalReader.Contents contents = JournalReader.readOnce(source);
            if (contents.incompatible() != null) {
                final Path aside = parent.resolve(directory.getFileName() + ".refused-" + System.currentTimeMillis());
                console.warn("trawl: T.async journal not recovered: " + contents.incompatible() + "; moved to " + aside
                    + " (its unfinished jobs will not run; remove it when done inspecting)");
                move(source, aside);
                continue;
            }
            readable.add(contents);
            if (contents.damagedQueues() > 0) {
                console.warn("trawl: T.async journal " + source + ": " + contents.damagedQueues() + " queue(s) end in damaged "
                    + "records (a crash while writing, or a damaged file); their tails were skipped");
            }
            JournalReader.forget(source);
            if (source.equals(directory)) {
                Path aside = parent.resolve(directory.getFileName() + ".recovering-" + System.currentTimeMillis());
                for (int n = 1; Files.exists(aside); n++) {
                    aside = parent.resolve(directory.getFileName() + ".recovering-" + System.currentTimeMillis() + "-" + n);
                }
                move(source, aside);
                recovering.add(aside);
            } else {
                recovering.add(source);
            }
        }
        recoveryOpen = !recovering.isEmpty();
        return readable.isEmpty() ? new JournalReader.Contents(new org.agrona.collections.Long2ObjectHashMap<>(),
            new org.agrona.collections.LongHashSet(), 0, 0, null) : JournalReader.merge(readable);
    }

    /**
     * The journals a run with journal {@code directory} would take over, oldest first: those an interrupted
     * recovery set aside ({@code <directory>.recovering-*}), then {@code directory} itself. Only existing
     * directories; empty when the parent does not exist.
     *
     * @throws IOException when the parent cannot be listed
     */
    public static List<Path> journalsIn(final Path directory) throws IOException {
        final Path parent = directory.toAbsolutePath().getParent();
        final List<Path> journals = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return journals;
        }
        final String setAside = directory.getFileName() + ".recovering-";
        try (Stream<Path> list = Files.list(parent)) {
            list.filter(p -> p.getFileName().toString().startsWith(setAside) && Files.isDirectory(p)).sorted()
                .forEach(journals::add);
        }
        if (Files.isDirectory(directory)) {
            journals.add(directory);
        }
        return journals;
    }

    private void move(final Path from, final Path to) {
        try {
            Files.move(from, to);
        } catch (final IOException e) {
            console.warn("trawl: cannot move " + from + " to " + to + ": " + e.getMessage());
        }
    }

    /** What the previous run left unfinished (empty when it ended cleanly). */
    public JournalReader.Contents recovered() {
        return recovered;
    }

    /**
     * Every recovered job was delivered (or found unable to run, and journaled as delivered): the old
     * journals, which hold the recovered jobs' SUBMIT records, can go. Until then they stay, and the new
     * journal (which records the recovered jobs' progress and delivery, not the jobs themselves) keeps all
     * its cycles, so a crash during recovery leaves both to be merged by the next run.
     */
    public synchronized void recoveryFinished() {
        for (final Path old : recovering) {
            deleteTree(old);
        }
        recovering.clear();
        recoveryOpen = false;
    }

    /** The journal of pipeline {@code index}. */
    public PipelineJournal pipeline(final int index) {
        return pipelines.computeIfAbsent(index, i -> {
            final QueueWriter writer = new QueueWriter(directory.resolve("submit-" + i), JournalRecord.WRITER_PIPELINE,
                "always".equals(syncMode), time);
            writers.add(writer);
            pipelineWriters.put(i, writer);
            return new PipelineJournal(this, writer);
        });
    }

    /** The journal of worker {@code id}. */
    public WorkerJournal worker(final int id) {
        return workers.computeIfAbsent(id, i -> {
            final QueueWriter writer = new QueueWriter(directory.resolve("effect-" + i), JournalRecord.WRITER_WORKER,
                "always".equals(syncMode), time);
            writers.add(writer);
            return new WorkerJournal(writer);
        });
    }

    /** False when the journal has reached its disk bound. */
    boolean hasRoom() {
        return !full;
    }

    /** Bytes appended to the live journal (minus deleted cycles). */
    public long bytes() {
        long total = 0;
        for (final QueueWriter writer : writers) {
            total += writer.bytesWritten();
        }
        return Math.max(0, total - deletedBytes.get());
    }

    /** The first writer failure (a full disk...), or null. */
    public Throwable failure() {
        for (final QueueWriter writer : writers) {
            if (writer.failure() != null) {
                return writer.failure();
            }
        }
        return null;
    }

    private void syncLoop() {
        while (running) {
            try {
                Thread.sleep(SYNC_INTERVAL_MILLIS);
            } catch (final InterruptedException e) {
                return;
            }
            if ("batch".equals(syncMode)) {
                syncOnce();
            }
            if (++ticks % 10 == 0) {
                deleteFinishedCycles();
            }
            full = bytes() > maxBytes;
        }
    }

    private int ticks;

    /**
     * Deletes the queue files of cycles whose jobs have all been delivered: every pipeline's oldest open
     * cycle is later, and the cycle is at least one whole cycle in the past (no writer still appends to
     * it). Worker records in such cycles concern only jobs submitted no later, hence delivered too.
     */
    void deleteFinishedCycles() {
        if (recoveryOpen) {
            return; // the new journal's worker records may concern recovered jobs, which no cycle count covers
        }
        int limit = RollCycles.FIVE_MINUTELY.current(time, 0) - 1;
        for (final PipelineJournal pipeline : pipelines.values()) {
            limit = Math.min(limit, pipeline.oldestOpenCycle());
        }
        long freed = 0;
        for (final QueueWriter writer : writers) {
            freed += writer.deleteCyclesBefore(limit);
        }
        deletedBytes.addAndGet(freed);
        long deleted = 0;
        for (final QueueWriter writer : writers) {
            deleted += writer.deletedCycles();
        }
        deletedCycles.set(deleted);
    }

    /** fsyncs every open cycle file (dirty mapped pages included). */
    private synchronized void syncOnce() {
        for (final QueueWriter writer : writers) {
            for (final File file : writer.openFiles()) {
                try {
                    FileChannel channel = syncChannels.get(file);
                    if (channel == null) {
                        channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
                        syncChannels.put(file, channel);
                    }
                    channel.force(false);
                } catch (final IOException e) {
                    // the file rolled away or the disk failed: the next append reports it
                }
            }
        }
    }

    /** Statistics for summary.json. */
    public Map<String, Object> statistics() {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("directory", directory.toString());
        out.put("sync", syncMode);
        out.put("bytes", bytes());
        out.put("max_bytes", maxBytes);
        out.put("deleted_cycles", deletedCycles.get());
        out.put("damaged_queues", recovered.damagedQueues());
        out.put("damaged_records", recovered.damagedRecords());
        if (failure() != null) {
            out.put("failure", String.valueOf(failure()));
        }
        return out;
    }

    /**
     * Ends the journal, after its writers' threads have stopped. With every job finished, its files are removed (nothing to recover); otherwise
     * they stay for the next run.
     */
    public void close(final boolean everythingFinished) {
        running = false;
        syncer.interrupt();
        try {
            syncer.join(2000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // deliveries the pipelines recorded and had no duty cycle left to write (their threads have ended)
        for (final PipelineJournal pipeline : pipelines.values()) {
            pipeline.flush();
        }
        synchronized (this) {
            if ("batch".equals(syncMode)) {
                syncOnce();
            }
            for (final FileChannel channel : syncChannels.values()) {
                try {
                    channel.close();
                } catch (final IOException ignored) {
                    // closing
                }
            }
            syncChannels.clear();
        }
        for (final QueueWriter writer : writers) {
            writer.close();
        }
        if (everythingFinished && failure() == null) {
            deleteTree(directory);
            recoveryFinished();
        }
    }

    @Override
    public void close() {
        close(false);
    }

    /**
     * Removes a journal directory that holds nothing left to do (every job delivered): what a run killed
     * while removing its own finished journal leaves. Best effort.
     */
    public static void deleteFinished(final Path directory) {
        deleteTree(directory);
    }

    private static void deleteTree(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (final IOException e) {
            // best effort: a leftover is read (and found finished) by the next run
        }
    }
}

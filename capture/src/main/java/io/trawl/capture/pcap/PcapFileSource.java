package io.trawl.capture.pcap;

import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.LinkType;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replays a pcap or pcapng file: one {@link ReceiveQueue} over the memory-mapped file. Packet bytes are
 * views into the mapping and stay valid until {@link #close()}, so dispatchers may pass them on by
 * reference.
 *
 * <p>Pacing: at top speed every poll delivers as many packets as asked; in real time a packet is delivered
 * only once as much wall time has passed since the first packet as packet time has. The packet limit
 * ({@code --count}) is exact.
 *
 * <p>Threading: one thread polls; {@link #progressPosition()}, {@link #drops()} and
 * {@link #statistics()} may be read from others (approximate while the replay runs).
 */
public final class PcapFileSource implements CaptureSource {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final CaptureFileReader reader;
    private final FileStatistics statistics = new FileStatistics();
    private final FileQueue queue;
    private final String format;
    private boolean closed;

    private PcapFileSource(final Path path, final boolean realtime, final long packetLimit) {
        this.path = path;
        final long size;
        try {
            size = Files.size(path);
        } catch (final NoSuchFileException e) {
            throw new CaptureException(path + ": no such file");
        } catch (final IOException e) {
            throw new CaptureException(path + ": cannot read: " + e.getMessage(), e);
        }
        if (Files.isDirectory(path)) {
            throw new CaptureException(path + ": is a directory, not a capture file");
        }
        if (size < 4) {
            throw new CaptureException(path + ": too short (" + size + " bytes) to be a pcap or pcapng file");
        }
        this.arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            this.mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (final IOException e) {
            arena.close();
            throw new CaptureException(path + ": cannot map: " + e.getMessage(), e);
        }
        final int magicLe = mapping.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        final String name = path.toString();
        if (magicLe == PcapngReader.SECTION_HEADER) {
            this.reader = new PcapngReader(mapping, name, statistics);
            this.format = "pcapng";
        } else if (magicLe == ClassicPcapReader.MAGIC_MICROS || magicLe == ClassicPcapReader.MAGIC_NANOS
            || Integer.reverseBytes(magicLe) == ClassicPcapReader.MAGIC_MICROS
            || Integer.reverseBytes(magicLe) == ClassicPcapReader.MAGIC_NANOS) {
            if (size < ClassicPcapReader.FILE_HEADER_LENGTH) {
                arena.close();
                throw new CaptureException(path + ": truncated pcap file header (" + size + " of 24 bytes)");
            }
            final boolean littleEndian = magicLe == ClassicPcapReader.MAGIC_MICROS
                || magicLe == ClassicPcapReader.MAGIC_NANOS;
            final int magic = littleEndian ? magicLe : Integer.reverseBytes(magicLe);
            final boolean nanos = magic == ClassicPcapReader.MAGIC_NANOS;
            this.reader = new ClassicPcapReader(mapping, name, statistics,
                littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN, nanos);
            this.format = "pcap, " + (littleEndian ? "little" : "big") + "-endian, " + (nanos ? "ns" : "µs")
                + ", " + LinkType.describe(reader.primaryLinkType());
        } else {
            arena.close();
            throw new CaptureException(path + ": not a pcap or pcapng file (starts with 0x"
                + String.format("%08x", Integer.reverseBytes(magicLe)) + ")");
        }
        this.queue = new FileQueue(reader, realtime, packetLimit);
    }

    /**
     * Opens and maps a capture file.
     *
     * @param realtime    pace packets by their timestamps
     * @param packetLimit stop after this many packets ({@code Long.MAX_VALUE}: no limit)
     * @throws CaptureException when the file is missing, unreadable or not a capture file
     */
    public static PcapFileSource open(final Path path, final boolean realtime, final long packetLimit) {
        return new PcapFileSource(path, realtime, packetLimit);
    }

    /** Opens a file for a top-speed replay of every packet. */
    public static PcapFileSource open(final Path path) {
        return open(path, false, Long.MAX_VALUE);
    }

    @Override
    public String description() {
        return "pcap:" + path + " (" + format + ", " + mapping.byteSize() + " bytes)";
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public ReceiveQueue queue(final int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("a capture file has one queue; asked for " + index);
        }
        return queue;
    }

    @Override
    public boolean isFinite() {
        return true;
    }

    @Override
    public long progressPosition() {
        return queue.publishedPosition();
    }

    @Override
    public long progressTotal() {
        return mapping.byteSize();
    }

    @Override
    public Map<String, Long> drops() {
        return statistics.drops();
    }

    @Override
    public Map<String, Long> statistics() {
        final Map<String, Long> out = new LinkedHashMap<>(statistics.facts());
        out.put("packets_delivered", queue.delivered());
        return out;
    }

    /** Why the replay stopped before the end of the file (a corrupt file), or null. */
    @Override
    public String failure() {
        return reader.failure();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    /** The single receive queue of a file. */
    private static final class FileQueue implements ReceiveQueue {
        private final CaptureFileReader reader;
        private final boolean realtime;
        private final long packetLimit;
        private final PacketView view = new PacketView();
        private long delivered;
        private boolean pending;
        private boolean ended;
        private long firstPacketNanos = Long.MIN_VALUE;
        private long wallStartNanos;
        private volatile long publishedPosition;

        FileQueue(final CaptureFileReader reader, final boolean realtime, final long packetLimit) {
            this.reader = reader;
            this.realtime = realtime;
            this.packetLimit = packetLimit;
        }

        @Override
        public int poll(final PacketHandler handler, final int limit) {
            if (ended) {
                return END_OF_INPUT;
            }
            int count = 0;
            while (count < limit) {
                if (delivered >= packetLimit) {
                    ended = true;
                    break;
                }
                if (!pending) {
                    if (!reader.next(view)) {
                        ended = true;
                        break;
                    }
                    pending = true;
                }
                if (realtime && !due(view.timestampNanos())) {
                    break;
                }
                pending = false;
                delivered++;
                count++;
                handler.onPacket(view);
            }
            publishedPosition = reader.position();
            return count == 0 && ended ? END_OF_INPUT : count;
        }

        private boolean due(final long packetNanos) {
            final long now = System.nanoTime();
            if (firstPacketNanos == Long.MIN_VALUE) {
                firstPacketNanos = packetNanos;
                wallStartNanos = now;
                return true;
            }
            return packetNanos - firstPacketNanos <= now - wallStartNanos;
        }

        @Override
        public boolean packetMemoryOutlivesPoll() {
            return true;
        }

        long publishedPosition() {
            return publishedPosition;
        }

        long delivered() {
            return delivered;
        }
    }
}

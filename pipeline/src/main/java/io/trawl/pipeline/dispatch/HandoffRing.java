package io.trawl.pipeline.dispatch;

import io.trawl.capture.PacketHandler;
import io.trawl.capture.PacketView;
import io.trawl.capture.ReceiveQueue;
import org.agrona.BufferUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.DirectBuffer;

import java.lang.foreign.MemorySegment;

/**
 * A single-producer/single-consumer ring of packets from one dispatcher to one pipeline, over off-heap
 * memory (Agrona {@link OneToOneRingBuffer}). The consumer side is a {@link ReceiveQueue}, so a pipeline
 * polls it exactly like a source queue.
 *
 * <pre>
 * descriptor (type 1, 32 bytes): 0 offset(8) 8 timestamp ns(8) 16 caplen(4) 20 wire length(4) 24 link type(4) 28 memory index(4)
 * copy       (type 2):           0 timestamp ns(8) 8 wire length(4) 12 link type(4) 16 packet bytes...
 * </pre>
 *
 * <p>Descriptors refer to a source memory segment by index in an append-only table the producer
 * publishes before the first descriptor that uses it (the ring's release store orders the two).
 * End of input: the producer calls {@link #markEnded()} after its last write; the consumer reports
 * {@link ReceiveQueue#END_OF_INPUT} once it has seen the mark and drained the ring.
 */
public final class HandoffRing implements ReceiveQueue {
    static final int DESCRIPTOR = 1;
    static final int COPY = 2;
    static final int DESCRIPTOR_LENGTH = 32;
    static final int COPY_HEADER_LENGTH = 16;
    private static final int MAX_MEMORIES = 64;

    private final OneToOneRingBuffer ring;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[DESCRIPTOR_LENGTH]);
    private final long ringAddress;
    private final MemorySegment[] memories = new MemorySegment[MAX_MEMORIES];
    private int memoryCount;
    private volatile boolean ended;

    // Consumer side.
    private final PacketView view = new PacketView();
    private final Reader reader = new Reader();

    /** @param capacity ring bytes, a power of two */
    public HandoffRing(final int capacity) {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacity + RingBufferDescriptor.TRAILER_LENGTH, 128));
        this.ring = new OneToOneRingBuffer(buffer);
        this.ringAddress = buffer.addressOffset();
    }

    // ---- producer ---------------------------------------------------------------------------------

    /**
     * Offers a packet by reference (its memory must outlive the poll); falls back to a copy when the
     * packet's memory is not one of the first 64 segments seen. Returns false when the ring is full.
     */
    public boolean offerReference(final PacketView packet) {
        final int memoryIndex = memoryIndex(packet.memory());
        if (memoryIndex < 0) {
            return offerCopy(packet);
        }
        scratch.putLong(0, packet.offset());
        scratch.putLong(8, packet.timestampNanos());
        scratch.putInt(16, packet.captureLength());
        scratch.putInt(20, packet.wireLength());
        scratch.putInt(24, packet.linkType());
        scratch.putInt(28, memoryIndex);
        return ring.write(DESCRIPTOR, scratch, 0, DESCRIPTOR_LENGTH);
    }

    /**
     * Offers a packet by copying its bytes into the ring. Returns false when the ring is full. Rings of at
     * least 2 MiB take any packet up to the 256 KiB capture limit.
     */
    public boolean offerCopy(final PacketView packet) {
        final int length = COPY_HEADER_LENGTH + packet.captureLength();
        final int index = ring.tryClaim(COPY, length);
        if (index <= 0) {
            return false;
        }
        final UnsafeBuffer buffer = (UnsafeBuffer) ring.buffer();
        buffer.putLong(index, packet.timestampNanos());
        buffer.putInt(index + 8, packet.wireLength());
        buffer.putInt(index + 12, packet.linkType());
        MemorySegment.copy(packet.memory(), packet.offset(), PacketView.NATIVE_MEMORY,
            ringAddress + index + COPY_HEADER_LENGTH, packet.captureLength());
        ring.commit(index);
        return true;
    }

    /** Largest packet {@link #offerCopy} accepts. */
    public int maxCopyLength() {
        return ring.maxMsgLength() - COPY_HEADER_LENGTH;
    }

    private int memoryIndex(final MemorySegment memory) {
        for (int i = memoryCount - 1; i >= 0; i--) {
            if (memories[i] == memory) {
                return i;
            }
        }
        if (memoryCount == MAX_MEMORIES) {
            return -1;
        }
        memories[memoryCount] = memory;
        return memoryCount++;
    }

    /** Producer: no more packets will be written. */
    public void markEnded() {
        ended = true;
    }

    // ---- consumer ---------------------------------------------------------------------------------

    @Override
    public int poll(final PacketHandler handler, final int limit) {
        reader.handler = handler;
        final int read = ring.read(reader, limit);
        if (read > 0) {
            return read;
        }
        if (ended) {
            // The mark was set after the last write: one more read sees everything written before it.
            final int last = ring.read(reader, limit);
            return last > 0 ? last : END_OF_INPUT;
        }
        return 0;
    }

    @Override
    public boolean packetMemoryOutlivesPoll() {
        return false;
    }

    /** Bytes waiting in the ring (for monitoring). */
    public int backlogBytes() {
        return ring.size();
    }

    private final class Reader implements MessageHandler {
        PacketHandler handler;

        @Override
        public void onMessage(final int type, final org.agrona.MutableDirectBuffer buffer, final int index, final int length) {
            if (type == DESCRIPTOR) {
                final DirectBuffer b = buffer;
                view.wrap(memories[b.getInt(index + 28)], b.getLong(index), b.getInt(index + 16),
                    b.getInt(index + 20), b.getLong(index + 8), b.getInt(index + 24));
            } else {
                view.wrap(PacketView.NATIVE_MEMORY, ringAddress + index + COPY_HEADER_LENGTH,
                    length - COPY_HEADER_LENGTH, buffer.getInt(index + 8), buffer.getLong(index), buffer.getInt(index + 12));
            }
            handler.onPacket(view);
        }
    }
}

package io.trawl.capture.synthetic;

import java.util.ArrayList;
import java.util.List;

/**
 * A TCP connection between a client and a server, emitted packet by packet: handshake, data in either
 * direction cut into segments of {@link #segmentSize(int)} bytes (each acknowledged), and an orderly
 * close or a reset. Sequence numbers start wherever the caller says (e.g. near 2^32 to test wrap-around).
 *
 * <p>{@link #sendSegments(boolean, List)} emits hand-made segments so tests can reorder, repeat, overlap
 * or leave out data.
 */
public final class TcpConversation {
    private final PacketSink sink;
    private final PacketBuilder builder;
    private final Endpoint client;
    private final Endpoint server;
    private final SyntheticClock clock;
    private long clientSeq;
    private long serverSeq;
    private int segmentSize = 1460;

    /** A segment of a direction's stream: {@code offset} bytes after the first data byte. */
    public record Segment(long offset, byte[] data, int flags) {
        public Segment(final long offset, final byte[] data) {
            this(offset, data, PacketBuilder.TCP_ACK | PacketBuilder.TCP_PSH);
        }
    }

    public TcpConversation(final PacketSink sink, final PacketBuilder builder, final Endpoint client,
                           final Endpoint server, final SyntheticClock clock, final long clientIsn, final long serverIsn) {
        this.sink = sink;
        this.builder = builder;
        this.client = client;
        this.server = server;
        this.clock = clock;
        this.clientSeq = clientIsn;
        this.serverSeq = serverIsn;
    }

    /** Maximum payload per data segment. */
    public TcpConversation segmentSize(final int bytes) {
        this.segmentSize = bytes;
        return this;
    }

    /** SYN, SYN-ACK, ACK. */
    public TcpConversation handshake() {
        sink.emit(clock.next(), builder.tcp(client, server, clientSeq, 0, PacketBuilder.TCP_SYN));
        clientSeq++;
        sink.emit(clock.next(), builder.tcp(server, client, serverSeq, clientSeq, PacketBuilder.TCP_SYN | PacketBuilder.TCP_ACK));
        serverSeq++;
        sink.emit(clock.next(), builder.tcp(client, server, clientSeq, serverSeq, PacketBuilder.TCP_ACK));
        return this;
    }

    /** Sends {@code data} from the client (true) or server (false), segment by segment, each acked. */
    public TcpConversation send(final boolean fromClient, final byte[] data) {
        for (int at = 0; at < data.length; at += segmentSize) {
            final int length = Math.min(segmentSize, data.length - at);
            emitData(fromClient, seq(fromClient), data, at, length, PacketBuilder.TCP_ACK | PacketBuilder.TCP_PSH);
            advance(fromClient, length);
            emitAck(!fromClient);
        }
        return this;
    }

    /**
     * Emits hand-made segments of one direction's next bytes, in the given order, then advances that
     * direction's sequence number past the furthest byte sent and acknowledges it.
     */
    public TcpConversation sendSegments(final boolean fromClient, final List<Segment> segments) {
        final long base = seq(fromClient);
        long furthest = 0;
        for (final Segment segment : segments) {
            emitData(fromClient, base + segment.offset(), segment.data(), 0, segment.data().length, segment.flags());
            furthest = Math.max(furthest, segment.offset() + segment.data().length);
        }
        advance(fromClient, furthest);
        emitAck(!fromClient);
        return this;
    }

    /** Cuts {@code data} into segments of {@link #segmentSize} bytes, in order, for {@link #sendSegments}. */
    public List<Segment> segments(final byte[] data) {
        final List<Segment> out = new ArrayList<>();
        for (int at = 0; at < data.length; at += segmentSize) {
            final int length = Math.min(segmentSize, data.length - at);
            final byte[] piece = new byte[length];
            System.arraycopy(data, at, piece, 0, length);
            out.add(new Segment(at, piece));
        }
        return out;
    }

    /** FIN from the client, FIN-ACK from the server, final ACK. */
    public TcpConversation close() {
        sink.emit(clock.next(), builder.tcp(client, server, clientSeq, serverSeq, PacketBuilder.TCP_FIN | PacketBuilder.TCP_ACK));
        clientSeq++;
        sink.emit(clock.next(), builder.tcp(server, client, serverSeq, clientSeq, PacketBuilder.TCP_FIN | PacketBuilder.TCP_ACK));
        serverSeq++;
        sink.emit(clock.next(), builder.tcp(client, server, clientSeq, serverSeq, PacketBuilder.TCP_ACK));
        return this;
    }

    /** A RST from the client (true) or server (false). */
    public TcpConversation reset(final boolean fromClient) {
        sink.emit(clock.next(), fromClient
            ? builder.tcp(client, server, clientSeq, serverSeq, PacketBuilder.TCP_RST | PacketBuilder.TCP_ACK)
            : builder.tcp(server, client, serverSeq, clientSeq, PacketBuilder.TCP_RST | PacketBuilder.TCP_ACK));
        return this;
    }

    private void emitData(final boolean fromClient, final long seq, final byte[] data, final int offset,
                          final int length, final int flags) {
        sink.emit(clock.next(), fromClient
            ? builder.tcp(client, server, seq, serverSeq, flags, data, offset, length)
            : builder.tcp(server, client, seq, clientSeq, flags, data, offset, length));
    }

    private void emitAck(final boolean fromClient) {
        sink.emit(clock.next(), fromClient
            ? builder.tcp(client, server, clientSeq, serverSeq, PacketBuilder.TCP_ACK)
            : builder.tcp(server, client, serverSeq, clientSeq, PacketBuilder.TCP_ACK));
    }

    private long seq(final boolean fromClient) {
        return fromClient ? clientSeq : serverSeq;
    }

    private void advance(final boolean fromClient, final long bytes) {
        if (fromClient) {
            clientSeq = (clientSeq + bytes) & 0xFFFF_FFFFL;
        } else {
            serverSeq = (serverSeq + bytes) & 0xFFFF_FFFFL;
        }
    }
}

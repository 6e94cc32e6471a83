package io.trawl.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A pool of packet buffers ({@code rte_pktmbuf_pool_create}), from which a port's RX queue takes the
 * mbufs it fills. Freed with {@link #close()} after the port that uses it is stopped.
 *
 * <p>Thread safety: creation and {@link #close()} from one control thread; {@link #available()} from any.
 */
public final class PacketMempool implements AutoCloseable {
    private final String name;
    private final MemorySegment pool;
    private final int size;
    private boolean closed;

    private PacketMempool(final String name, final MemorySegment pool, final int size) {
        this.name = name;
        this.pool = pool;
        this.size = size;
    }

    /**
     * Creates a pool.
     *
     * @param name       unique in the process, shorter than {@code RTE_MEMPOOL_NAMESIZE} (26)
     * @param mbufs      buffers in the pool (2^q - 1 is the most memory-efficient)
     * @param cacheSize  per-lcore cache (0 disables), at most 512 and at most mbufs / 1.5
     * @param bufferSize bytes per buffer including the 128-byte headroom ({@link DpdkAbi#defaultMbufBufferSize()})
     * @param socket     NUMA socket, or -1 for any
     * @throws DpdkException naming the pool, e.g. when EAL memory ({@code -m}) is too small
     */
    public static PacketMempool create(final String name, final int mbufs, final int cacheSize, final int bufferSize,
                                       final int socket) {
        Dpdk.ensureAvailable();
        final DpdkAbi abi = Dpdk.abi();
        if (name.length() >= abi.mempoolNameSize) {
            throw new IllegalArgumentException("mempool name '" + name + "' is longer than "
                + (abi.mempoolNameSize - 1) + " characters");
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment pool = (MemorySegment) Dpdk.RTE_PKTMBUF_POOL_CREATE.invokeExact(
                arena.allocateFrom(name), mbufs, cacheSize, (short) 0, (short) bufferSize, socket);
            if (pool.equals(MemorySegment.NULL)) {
                final int errno = Dpdk.rteErrno();
                throw new DpdkException("cannot create packet buffer pool " + name + " (" + mbufs + " mbufs of "
                    + bufferSize + " bytes, cache " + cacheSize + "): " + Dpdk.strerror(errno) + " (rte_errno "
                    + errno + ")" + (errno == 12 ? "; give EAL more memory (-m) or use fewer mbufs" : ""), errno);
            }
            return new PacketMempool(name, pool, mbufs);
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** The pool's name. */
    public String name() {
        return name;
    }

    /** Buffers in the pool. */
    public int size() {
        return size;
    }

    /** Buffers free in the pool right now, per-lcore caches included ({@code rte_mempool_avail_count}). */
    public int available() {
        try {
            return (int) Dpdk.RTE_MEMPOOL_AVAIL_COUNT.invokeExact(pool);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** The {@code struct rte_mempool *}. */
    MemorySegment pointer() {
        return pool;
    }

    /** Frees the pool ({@code rte_mempool_free}). Only after every port using it is stopped. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Dpdk.RTE_MEMPOOL_FREE.invokeExact(pool);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "mempool " + name + " (" + size + " mbufs)";
    }
}

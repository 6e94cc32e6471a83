package io.trawl.bindings.dpdk;

import java.util.Arrays;

/**
 * How a port spreads packets over RX queues: the Toeplitz key and the {@code RTE_ETH_RSS_*} packet types
 * hashed.
 *
 * <p>{@link #symmetric(int, long)} uses the key {@code 0x6d5a} repeated (Woo and Park, "Scalable TCP
 * Session Monitoring with Symmetric Receive-side Scaling"): with it the Toeplitz hash of (src, dst) equals
 * that of (dst, src), so both directions of a flow reach the same queue.
 *
 * @param key           hash key bytes
 * @param hashFunctions {@code RTE_ETH_RSS_*} bits
 */
public record RssConfiguration(byte[] key, long hashFunctions) {
    /** Toeplitz key length when a driver does not say. */
    public static final int DEFAULT_KEY_LENGTH = 40;

    public RssConfiguration {
        key = key.clone();
    }

    /** A symmetric key of {@code keyLength} bytes (0: 40) hashing {@code hashFunctions}. */
    public static RssConfiguration symmetric(final int keyLength, final long hashFunctions) {
        final byte[] key = new byte[keyLength <= 0 ? DEFAULT_KEY_LENGTH : keyLength];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i % 2 == 0 ? 0x6d : 0x5a);
        }
        return new RssConfiguration(key, hashFunctions);
    }

    /** IPv4/IPv6 addresses and TCP/UDP ports ({@code RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP}). */
    public static long ipTcpUdp() {
        final DpdkAbi abi = Dpdk.abi();
        return abi.rssIp | abi.rssTcp | abi.rssUdp;
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof RssConfiguration r && Arrays.equals(r.key, key) && r.hashFunctions == hashFunctions;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + Long.hashCode(hashFunctions);
    }

    @Override
    public String toString() {
        final StringBuilder hex = new StringBuilder();
        for (final byte b : key) {
            hex.append(String.format("%02x", b));
        }
        return "RSS key " + hex + ", hash functions 0x" + Long.toHexString(hashFunctions);
    }
}

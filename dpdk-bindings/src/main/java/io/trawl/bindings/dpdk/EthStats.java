package io.trawl.bindings.dpdk;

/**
 * A port's basic receive statistics ({@code rte_eth_stats_get}).
 *
 * @param inPackets packets received ({@code ipackets})
 * @param inBytes   bytes received ({@code ibytes})
 * @param inMissed  packets the hardware dropped because its RX queues were full ({@code imissed})
 * @param inErrors  erroneous packets received ({@code ierrors})
 * @param rxNoMbuf  RX mbuf allocation failures ({@code rx_nombuf}): the pool was empty
 */
public record EthStats(long inPackets, long inBytes, long inMissed, long inErrors, long rxNoMbuf) {
    /** All zero. */
    public static final EthStats ZERO = new EthStats(0, 0, 0, 0, 0);
}

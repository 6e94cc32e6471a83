package io.trawl.bindings.dpdk;

/**
 * What a port's driver says about it ({@code rte_eth_dev_info_get}), the fields trawl uses.
 *
 * @param driverName             e.g. {@code net_pcap}, {@code net_null}, {@code net_ice}
 * @param maxRxQueues            most RX queues the port supports
 * @param maxRxPacketLength      largest frame it receives
 * @param rxOffloadCapabilities  {@code RTE_ETH_RX_OFFLOAD_*} bits
 * @param flowTypeRssOffloads    {@code RTE_ETH_RSS_*} bits it can hash on; 0 means no RSS
 * @param redirectionTableSize   RSS redirection table entries
 * @param hashKeySize            RSS key bytes (0: driver default, 40 for Toeplitz)
 */
public record EthDeviceInfo(String driverName, int maxRxQueues, long maxRxPacketLength, long rxOffloadCapabilities,
                            long flowTypeRssOffloads, int redirectionTableSize, int hashKeySize) {
    /** True when the port can spread flows over queues by hashing. */
    public boolean supportsRss() {
        return flowTypeRssOffloads != 0 && maxRxQueues > 1;
    }
}

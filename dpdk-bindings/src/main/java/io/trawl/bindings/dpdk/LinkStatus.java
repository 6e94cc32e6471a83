package io.trawl.bindings.dpdk;

/**
 * A port's link ({@code rte_eth_link_get_nowait}).
 *
 * @param up        link status
 * @param speedMbps speed in Mbit/s (0 unknown; virtual devices report a nominal value)
 */
public record LinkStatus(boolean up, long speedMbps) {
    @Override
    public String toString() {
        if (!up) {
            return "link down";
        }
        return speedMbps <= 0 || speedMbps == 0xFFFFFFFFL ? "link up"
            : speedMbps >= 1000 && speedMbps % 1000 == 0 ? "link up " + speedMbps / 1000 + " Gbps" : "link up " + speedMbps + " Mbps";
    }
}

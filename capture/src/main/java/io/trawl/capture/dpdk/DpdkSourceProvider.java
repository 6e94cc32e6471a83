package io.trawl.capture.dpdk;

import io.trawl.bindings.dpdk.Eal;
import io.trawl.bindings.dpdk.EthPort;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceProvider;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code dpdk:DEVARGS}: a DPDK port (see {@link DpdkSource}), configured by the {@code dpdk.*} settings.
 * Configuration mistakes are {@link ConfigException}s naming the key; DPDK's own refusals are
 * {@link io.trawl.capture.CaptureException}s naming the device.
 */
public final class DpdkSourceProvider implements CaptureSourceProvider {
    @Override
    public String scheme() {
        return "dpdk";
    }

    @Override
    public String usage() {
        return "dpdk:DEVARGS (a DPDK port: net_pcap0,rx_pcap=FILE, net_null0, net_af_packet0,iface=X, a PCI address)";
    }

    @Override
    public CaptureSource open(final String argument, final TrawlContext context) {
        return DpdkSource.open(options(argument, context));
    }

    /** The options for {@code dpdk:argument} under {@code context}, validated. */
    public static DpdkSource.Options options(final String argument, final TrawlContext context) {
        final String deviceArguments = argument.trim();
        if (deviceArguments.isEmpty()) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "dpdk: needs DPDK device arguments, e.g. "
                + "dpdk:net_pcap0,rx_pcap=FILE, dpdk:net_null0 or dpdk:0000:01:00.0");
        }
        if (context.realtime()) {
            throw new ConfigException(TrawlSettings.SPEED.key(), "realtime pacing applies to pcap: replays; a DPDK "
                + "port delivers packets as the device produces them");
        }
        final List<String> user = context.get(TrawlSettings.DPDK_EAL_ARGS);
        if (Eal.hasOption(user, "--file-prefix")) {
            throw new ConfigException(TrawlSettings.DPDK_EAL_ARGS.key(), "trawl chooses --file-prefix itself (one per "
                + "run: " + Eal.processFilePrefix() + ") so that two runs never share DPDK's runtime files; remove it");
        }
        final List<String> eal = new ArrayList<>(user);
        if (EthPort.isPciAddress(deviceArguments)) {
            if (Eal.hasOption(user, "--no-pci")) {
                throw new ConfigException(TrawlSettings.DPDK_EAL_ARGS.key(), "--no-pci disables the PCI bus, but the "
                    + "source is the PCI device " + EthPort.deviceName(deviceArguments));
            }
            if (!Eal.hasOption(user, "-a") && !Eal.hasOption(user, "--allow") && !Eal.hasOption(user, "-b")
                && !Eal.hasOption(user, "--block")) {
                // Probe only the device asked for, not every DPDK-bound NIC of the machine.
                eal.add("-a");
                eal.add(deviceArguments);
            }
        }
        if (!Eal.hasOption(user, "--log-level")) {
            // EAL's start-up chatter (detected lcores, IOVA mode...) is info; warnings and errors still show.
            eal.add("--log-level=notice");
        }
        final int mbufs = context.get(TrawlSettings.DPDK_MBUFS);
        final int cache = context.get(TrawlSettings.DPDK_MBUF_CACHE);
        final int descriptors = context.get(TrawlSettings.DPDK_RX_DESCRIPTORS);
        final int burst = context.get(TrawlSettings.DPDK_BURST);
        if (cache * 3L > mbufs * 2L) {
            throw new ConfigException(TrawlSettings.DPDK_MBUF_CACHE.key(), "a cache of " + cache + " needs at least "
                + (cache * 3 + 1) / 2 + " mbufs (dpdk.mbufs is " + mbufs + ")");
        }
        if (mbufs < descriptors + burst) {
            throw new ConfigException(TrawlSettings.DPDK_MBUFS.key(), mbufs + " mbufs cannot fill "
                + TrawlSettings.DPDK_RX_DESCRIPTORS.key() + " = " + descriptors + " plus a burst of " + burst);
        }
        return new DpdkSource.Options(deviceArguments, Eal.withProcessDefaults(eal, Eal.processFilePrefix()),
            context.pipelines(), mbufs, cache, descriptors, burst, "auto".equals(context.get(TrawlSettings.DPDK_RSS)),
            context.get(TrawlSettings.DPDK_PROMISCUOUS), context.packetLimit());
    }
}

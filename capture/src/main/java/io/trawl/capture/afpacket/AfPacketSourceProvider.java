package io.trawl.capture.afpacket;

import io.trawl.bindings.packet.PacketRingOptions;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceProvider;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

/** {@code afpacket:IFACE}: live capture with TPACKET_V3 rings fanned out over the pipelines (see {@link AfPacketSource}). */
public final class AfPacketSourceProvider implements CaptureSourceProvider {
    @Override
    public String scheme() {
        return "afpacket";
    }

    @Override
    public String usage() {
        return "afpacket:IFACE (AF_PACKET TPACKET_V3 live capture, one ring per pipeline)";
    }

    @Override
    public CaptureSource open(final String argument, final TrawlContext context) {
        if (argument.isEmpty() || argument.contains("@")) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "afpacket:" + argument + ": expected afpacket:IFACE, "
                + "e.g. afpacket:eth0 (the kernel spreads packets over one socket per pipeline)");
        }
        final long blockSize = context.get(TrawlSettings.AFPACKET_BLOCK_SIZE);
        if (Long.bitCount(blockSize) != 1) {
            throw new ConfigException(TrawlSettings.AFPACKET_BLOCK_SIZE.key(), "must be a power of two (e.g. 256k, 1m, "
                + "4m), got " + blockSize);
        }
        final PacketRingOptions ring = new PacketRingOptions((int) blockSize, context.get(TrawlSettings.AFPACKET_BLOCKS),
            context.get(TrawlSettings.AFPACKET_BLOCK_TIMEOUT));
        return AfPacketSource.open(argument, context.pipelines(), ring, "busy-poll".equals(context.get(TrawlSettings.AFPACKET_WAIT)));
    }
}

package io.trawl.capture.afxdp;

import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

import java.util.Locale;

/**
 * Everything {@link AfXdpSource} needs to open, resolved from the source spec and the configuration.
 *
 * @param interfaceName the interface to capture on
 * @param queue         the RX queue, or {@link #ALL_QUEUES} for one socket per active queue
 * @param xdpMode       where the redirect program runs
 * @param bindMode      copy or zero-copy
 * @param frameSize     bytes per UMEM frame
 * @param frames        UMEM frames per socket
 * @param fillRing      fill ring entries
 * @param rxRing        RX ring entries
 * @param busyPoll      busy-poll instead of sleeping in {@code poll()} when idle
 * @param coalesceMicros in poll mode, how long an emptied queue sleeps while traffic flows (0: wake per packet)
 * @param batchSize     packets a pipeline takes per poll (the busy-poll budget)
 */
public record AfXdpOptions(String interfaceName, int queue, XdpMode xdpMode, BindMode bindMode, int frameSize,
                           int frames, int fillRing, int rxRing, boolean busyPoll, int coalesceMicros, int batchSize) {
    /** {@link #queue()} value: every active RX queue. */
    public static final int ALL_QUEUES = -1;

    /** Where the XDP program runs. */
    public enum XdpMode { AUTO, DRV, SKB }

    /** How sockets receive. */
    public enum BindMode { AUTO, COPY, ZEROCOPY }

    /**
     * Parses {@code IFACE[@QUEUE]} and reads the {@code afxdp.*} settings.
     *
     * @throws ConfigException naming the {@code source} key for a malformed spec, or the setting at fault
     */
    public static AfXdpOptions from(final String argument, final TrawlContext context) {
        final int at = argument.lastIndexOf('@');
        final String name = at < 0 ? argument : argument.substring(0, at);
        int queue = ALL_QUEUES;
        if (at >= 0) {
            try {
                queue = Integer.parseInt(argument.substring(at + 1));
            } catch (final NumberFormatException e) {
                queue = -2;
            }
            if (queue < 0) {
                throw new ConfigException(TrawlSettings.SOURCE.key(), "afxdp:" + argument + ": the queue after '@' must "
                    + "be a number from 0, e.g. afxdp:eth0@3");
            }
        }
        if (name.isEmpty()) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "afxdp:" + argument + ": expected afxdp:IFACE or "
                + "afxdp:IFACE@QUEUE, e.g. afxdp:eth0 or afxdp:eth0@0");
        }
        final XdpMode xdpMode = XdpMode.valueOf(context.get(TrawlSettings.AFXDP_XDP_MODE).toUpperCase(Locale.ROOT));
        final BindMode bindMode = BindMode.valueOf(context.get(TrawlSettings.AFXDP_BIND_MODE).toUpperCase(Locale.ROOT));
        if (bindMode == BindMode.ZEROCOPY && xdpMode == XdpMode.SKB) {
            throw new ConfigException(TrawlSettings.AFXDP_BIND_MODE.key(), "zerocopy needs the program in the driver; "
                + "afxdp.xdp_mode skb always copies (use xdp_mode drv or auto, or bind_mode copy)");
        }
        final int fillRing = context.get(TrawlSettings.AFXDP_FILL_RING);
        final int rxRing = context.get(TrawlSettings.AFXDP_RX_RING);
        final Integer frames = context.get(TrawlSettings.AFXDP_FRAMES);
        return new AfXdpOptions(name, queue, xdpMode, bindMode, context.get(TrawlSettings.AFXDP_FRAME_SIZE),
            frames == null ? fillRing + rxRing : frames, fillRing, rxRing,
            "busy-poll".equals(context.get(TrawlSettings.AFXDP_WAIT)), context.get(TrawlSettings.AFXDP_COALESCE),
            context.get(TrawlSettings.PIPELINE_BATCH));
    }

    /** Options for tests and tools: every active queue, the given XDP mode, auto bind mode, default rings, {@code poll()} when idle. */
    public static AfXdpOptions defaults(final String interfaceName, final int queue, final XdpMode xdpMode) {
        return new AfXdpOptions(interfaceName, queue, xdpMode, BindMode.AUTO, 2048, 32768, 16384, 16384, false, 1000, 64);
    }
}

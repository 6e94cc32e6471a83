package io.trawl.capture.afxdp;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.Errno;
import io.trawl.bindings.linux.NetworkInterfaces;
import io.trawl.bindings.xdp.XdpRedirectProgram;
import io.trawl.bindings.xdp.XdpSocket;
import io.trawl.bindings.xdp.XdpSocketOptions;
import io.trawl.bindings.xdp.XdpStatistics;
import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.LiveCaptureSource;
import io.trawl.capture.ReceiveQueue;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Live capture with AF_XDP: {@code afxdp:IFACE} opens one socket per active RX queue of the interface (each
 * a {@link ReceiveQueue} that a pipeline polls directly when there are as many pipelines as queues), and
 * {@code afxdp:IFACE@QUEUE} one socket on that queue. A six-instruction XDP program, attached through a BPF
 * link that the kernel removes when trawl exits in any way, redirects each queue's packets to its socket;
 * packets of queues without a socket continue to the kernel stack.
 *
 * <p>Packets are read in place in each socket's UMEM. {@link #drops()} reports the kernel's counts
 * ({@code XDP_STATISTICS}): {@code afxdp_rx_dropped} (no free frame, or a packet larger than a frame) and
 * {@code afxdp_rx_ring_full} (trawl too slow).
 *
 * <p>Threading: as {@link CaptureSource}; each queue has one polling thread.
 */
public final class AfXdpSource extends LiveCaptureSource {
    private final AfXdpOptions options;
    private final XdpRedirectProgram program;
    private final List<XdpSocket> sockets;
    private final AfXdpReceiveQueue[] queues;

    private AfXdpSource(final AfXdpOptions options, final XdpRedirectProgram program, final List<XdpSocket> sockets,
                        final AfXdpReceiveQueue[] queues, final String description) {
        super(description, queues);
        this.options = options;
        this.program = program;
        this.sockets = List.copyOf(sockets);
        this.queues = queues;
    }

    private static AfXdpReceiveQueue[] receiveQueues(final List<XdpSocket> sockets, final AfXdpOptions options) {
        final AfXdpReceiveQueue[] queues = new AfXdpReceiveQueue[sockets.size()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new AfXdpReceiveQueue(sockets.get(i), options.rxRing(), options.busyPoll(), options.coalesceMicros());
        }
        return queues;
    }

    /**
     * Attaches the program and opens the sockets, in the calling thread's network namespace.
     *
     * @throws ConfigException  when the interface or queue does not exist, or the options contradict each other
     * @throws CaptureException when the kernel refuses (capability missing, program already attached...), with
     *                          its errno and what to do
     */
    public static AfXdpSource open(final AfXdpOptions options) {
        final String name = options.interfaceName();
        final int ifindex;
        try {
            ifindex = NetworkInterfaces.index(name);
        } catch (final NativeException e) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "afxdp:" + name + ": " + e.getMessage());
        }
        final int hardwareType = NetworkInterfaces.hardwareType(name);
        if (hardwareType != NetworkInterfaces.ARPHRD_ETHER) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "afxdp:" + name + ": AF_XDP capture needs an "
                + "Ethernet device; " + name + " has hardware type " + hardwareType + " (use afpacket:" + name + ")");
        }
        final NetworkInterfaces.RxQueues rxQueues = NetworkInterfaces.rxQueues(name);
        final int[] wanted = queuesToOpen(options, rxQueues);
        final List<String> notes = new ArrayList<>();
        final int mtu = NetworkInterfaces.mtu(name);
        if (mtu + 18 > options.frameSize() - 256) {
            notes.add("MTU " + mtu + " exceeds the " + (options.frameSize() - 256 - 18) + " bytes a " + options.frameSize()
                + "-byte frame holds: larger packets are dropped (drops.afxdp_rx_dropped); use --xdp-frame-size 4096");
        }
        final int slots = Math.max(rxQueues.maximum(), wanted[wanted.length - 1] + 1);
        final XdpRedirectProgram program = attach(options, ifindex, slots, notes);
        final List<XdpSocket> sockets = new ArrayList<>();
        try {
            for (final int queue : wanted) {
                final XdpSocket socket = openSocket(options, ifindex, queue, program.mode(), notes);
                sockets.add(socket);
                program.register(queue, socket.fd());
            }
        } catch (final RuntimeException e) {
            for (final XdpSocket socket : sockets) {
                socket.close();
            }
            program.close();
            throw e instanceof NativeException ? new CaptureException(e.getMessage(), e) : e;
        }
        final StringBuilder text = new StringBuilder("afxdp:").append(name).append(" (")
            .append(wanted.length == 1 ? "queue " + wanted[0] : "queues " + wanted[0] + "-" + wanted[wanted.length - 1])
            .append(" of ").append(rxQueues.active()).append(", ")
            .append(program.mode().name().toLowerCase(Locale.ROOT)).append(" mode, ")
            .append(sockets.getFirst().zeroCopy() ? "zero-copy" : "copy").append(", ")
            .append(options.busyPoll() ? "busy-poll" : "poll()").append(" when idle, Ethernet)");
        for (final String note : notes) {
            text.append("; ").append(note);
        }
        return new AfXdpSource(options, program, sockets, receiveQueues(sockets, options), text.toString());
    }

    private static int[] queuesToOpen(final AfXdpOptions options, final NetworkInterfaces.RxQueues rxQueues) {
        final String name = options.interfaceName();
        if (options.queue() == AfXdpOptions.ALL_QUEUES) {
            final int[] all = new int[rxQueues.active()];
            for (int q = 0; q < all.length; q++) {
                all[q] = q;
            }
            return all;
        }
        if (rxQueues.reported() && options.queue() >= rxQueues.active()) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "afxdp:" + name + "@" + options.queue()
                + ": queue out of range; " + name + " has " + rxQueues.active() + " active RX queue"
                + (rxQueues.active() == 1 ? " (0)" : "s (0-" + (rxQueues.active() - 1) + ")")
                + (rxQueues.maximum() > rxQueues.active() ? " of at most " + rxQueues.maximum() + "; `ethtool -L " + name
                + " combined N` (or rx N) activates more" : ""));
        }
        return new int[] {options.queue()};
    }

    private static XdpRedirectProgram attach(final AfXdpOptions options, final int ifindex, final int slots,
                                             final List<String> notes) {
        final String name = options.interfaceName();
        try {
            return switch (options.xdpMode()) {
                case SKB -> XdpRedirectProgram.attach(name, ifindex, slots, XdpRedirectProgram.AttachMode.SKB);
                case DRV -> XdpRedirectProgram.attach(name, ifindex, slots, XdpRedirectProgram.AttachMode.DRV);
                case AUTO -> {
                    try {
                        yield XdpRedirectProgram.attach(name, ifindex, slots, XdpRedirectProgram.AttachMode.DRV);
                    } catch (final NativeException e) {
                        if (!isModeProblem(e.errno())) {
                            throw e;
                        }
                        notes.add("native XDP unavailable (" + Errno.name(e.errno()) + "), fell back to skb mode");
                        yield XdpRedirectProgram.attach(name, ifindex, slots, XdpRedirectProgram.AttachMode.SKB);
                    }
                }
            };
        } catch (final NativeException e) {
            throw new CaptureException(e.getMessage(), e);
        }
    }

    private static boolean isModeProblem(final int errno) {
        return errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL || errno == Errno.ERANGE;
    }

    private static XdpSocket openSocket(final AfXdpOptions options, final int ifindex, final int queue,
                                        final XdpRedirectProgram.AttachMode mode, final List<String> notes) {
        final XdpSocketOptions copy = new XdpSocketOptions(options.frameSize(), options.frames(), options.fillRing(),
            options.rxRing(), false, options.busyPoll(), options.batchSize());
        final XdpSocketOptions zeroCopy = new XdpSocketOptions(options.frameSize(), options.frames(), options.fillRing(),
            options.rxRing(), true, options.busyPoll(), options.batchSize());
        return switch (options.bindMode()) {
            case COPY -> XdpSocket.open(options.interfaceName(), ifindex, queue, copy);
            case ZEROCOPY -> {
                if (mode != XdpRedirectProgram.AttachMode.DRV) {
                    throw new ConfigException(TrawlSettings.AFXDP_BIND_MODE.key(), "zerocopy needs the program in "
                        + "the driver, but " + options.interfaceName() + " runs it in skb mode (native XDP unavailable)");
                }
                yield XdpSocket.open(options.interfaceName(), ifindex, queue, zeroCopy);
            }
            case AUTO -> {
                if (mode != XdpRedirectProgram.AttachMode.DRV) {
                    yield XdpSocket.open(options.interfaceName(), ifindex, queue, copy);
                }
                try {
                    yield XdpSocket.open(options.interfaceName(), ifindex, queue, zeroCopy);
                } catch (final NativeException e) {
                    if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EINVAL) {
                        throw e;
                    }
                    if (queue == 0 || notes.stream().noneMatch(n -> n.startsWith("zero-copy"))) {
                        notes.add("zero-copy unsupported by the driver (" + Errno.name(e.errno()) + "), using copy mode");
                    }
                    yield XdpSocket.open(options.interfaceName(), ifindex, queue, copy);
                }
            }
        };
    }

    @Override
    protected Map<String, Long> readDrops() {
        long dropped = 0;
        long ringFull = 0;
        for (final XdpSocket socket : sockets) {
            final XdpStatistics statistics = socket.statistics();
            dropped += statistics.rxDropped();
            ringFull += statistics.rxRingFull();
        }
        final Map<String, Long> drops = new LinkedHashMap<>();
        drops.put("afxdp_rx_dropped", dropped);
        drops.put("afxdp_rx_ring_full", ringFull);
        return drops;
    }

    @Override
    protected Map<String, Long> readStatistics() {
        long fillEmpty = 0;
        long invalid = 0;
        for (final XdpSocket socket : sockets) {
            final XdpStatistics statistics = socket.statistics();
            fillEmpty += statistics.fillRingEmpty();
            invalid += statistics.rxInvalidDescriptors();
        }
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("afxdp_queues", (long) queues.length);
        out.put("afxdp_fill_ring_empty", fillEmpty);
        out.put("afxdp_invalid_fill_descriptors", invalid);
        return out;
    }

    /** The options this source was opened with. */
    public AfXdpOptions options() {
        return options;
    }

    /**
     * Detaches the program first (packets then go to the kernel stack again), then closes the sockets and
     * frees their memory.
     */
    @Override
    protected void release() {
        for (final AfXdpReceiveQueue queue : queues) {
            queue.markClosed();
        }
        program.close();
        for (final XdpSocket socket : sockets) {
            socket.close();
        }
    }
}

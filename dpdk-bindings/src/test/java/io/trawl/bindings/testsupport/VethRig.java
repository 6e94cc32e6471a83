package io.trawl.bindings.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live-capture test rig: two network namespaces of its own joined by a veth pair, IPv6 off (so the
 * kernel sends nothing by itself), addresses from TEST-NET-2 only inside the namespaces. Packets are
 * replayed with {@code tcpreplay} from the sender namespace and captured on {@link #receiverInterface()}
 * in the receiver namespace. {@link #close()} deletes both namespaces (and with them the veth pair); a
 * shutdown hook does it too if a test forgets.
 *
 * <p>Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN), {@code ip} (iproute2) and {@code tcpreplay}; without them
 * {@link #create} skips the test with a message naming what is missing.
 */
public final class VethRig implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<String> LIVE_NAMESPACES = ConcurrentHashMap.newKeySet();
    private static final Pattern SENT = Pattern.compile("Actual: (\\d+) packets");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (final String namespace : LIVE_NAMESPACES) {
                run(List.of("ip", "netns", "del", namespace));
            }
        }, "veth-rig-cleanup"));
    }

    private final String senderNamespace;
    private final String receiverNamespace;
    private boolean closed;

    private VethRig(final String senderNamespace, final String receiverNamespace) {
        this.senderNamespace = senderNamespace;
        this.receiverNamespace = receiverNamespace;
    }

    /** Skips the test unless this process can build the rig (root, iproute2, tcpreplay). */
    public static void requirePrerequisites() {
        Assumptions.assumeTrue(isRoot(), "skipped: the veth rig needs root (network namespaces); CI runs as root");
        Assumptions.assumeTrue(onPath("ip"), "skipped: ip not found (apt-get install iproute2)");
        Assumptions.assumeTrue(onPath("tcpreplay"), "skipped: tcpreplay not found (apt-get install tcpreplay)");
    }

    /**
     * Builds a rig whose veth pair has {@code rxQueues} active queues per side.
     *
     * @param tag a short word naming the test, part of the namespace names
     */
    public static VethRig create(final String tag, final int rxQueues) {
        requirePrerequisites();
        final String base = "trawl-" + tag + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        final VethRig rig = new VethRig(base + "-tx", base + "-rx");
        try {
            for (final String namespace : List.of(rig.senderNamespace, rig.receiverNamespace)) {
                final Result added = run(List.of("ip", "netns", "add", namespace));
                Assumptions.assumeTrue(added.exitCode == 0, () -> "skipped: cannot create network namespaces here "
                    + "(a container without CAP_SYS_ADMIN?): ip netns add: " + added.output.strip());
                LIVE_NAMESPACES.add(namespace);
                check(List.of("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1"));
            }
            final String queues = Integer.toString(Math.max(1, rxQueues));
            final Result veth = run(List.of("ip", "link", "add", "tx0", "netns", rig.senderNamespace, "numtxqueues", queues,
                "numrxqueues", queues, "type", "veth", "peer", "name", "rx0", "netns", rig.receiverNamespace,
                "numtxqueues", queues, "numrxqueues", queues));
            Assumptions.assumeTrue(veth.exitCode == 0, () -> "skipped: cannot create a veth pair here (no veth "
                + "driver?): " + veth.output.strip());
            if (rxQueues > 1) {
                Assumptions.assumeTrue(onPath("ethtool"), "skipped: ethtool not found (apt-get install ethtool)");
                check(List.of("ip", "netns", "exec", rig.receiverNamespace, "ethtool", "-L", "rx0", "rx", queues, "tx", queues));
                check(List.of("ip", "netns", "exec", rig.senderNamespace, "ethtool", "-L", "tx0", "rx", queues, "tx", queues));
            }
            check(List.of("ip", "-n", rig.senderNamespace, "addr", "add", "198.51.100.1/30", "dev", "tx0"));
            check(List.of("ip", "-n", rig.receiverNamespace, "addr", "add", "198.51.100.2/30", "dev", "rx0"));
            check(List.of("ip", "-n", rig.senderNamespace, "link", "set", "tx0", "up"));
            check(List.of("ip", "-n", rig.receiverNamespace, "link", "set", "rx0", "up"));
            return rig;
        } catch (final RuntimeException | Error e) {
            rig.close();
            throw e;
        }
    }

    /** The namespace packets are replayed from. */
    public String senderNamespace() {
        return senderNamespace;
    }

    /** The namespace packets are captured in. */
    public String receiverNamespace() {
        return receiverNamespace;
    }

    /** The interface packets are replayed on (in the sender namespace). */
    public String senderInterface() {
        return "tx0";
    }

    /** The interface packets arrive on (in the receiver namespace). */
    public String receiverInterface() {
        return "rx0";
    }

    /**
     * Replays {@code capture} on the sender side and waits for tcpreplay to finish.
     *
     * @param options tcpreplay pacing options, e.g. {@code "--topspeed"} or {@code "--pps=20000"}
     * @return packets tcpreplay reports as sent
     */
    public long replay(final Path capture, final String... options) {
        final List<String> command = replayCommand(capture, options);
        final Result result = run(command);
        if (result.exitCode != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode + ": " + result.output);
        }
        final Matcher matcher = SENT.matcher(result.output);
        if (!matcher.find()) {
            throw new AssertionError("tcpreplay printed no packet count: " + result.output);
        }
        return Long.parseLong(matcher.group(1));
    }

    /** Starts a replay in the background (the caller waits for the process). */
    public Process startReplay(final Path capture, final String... options) {
        try {
            return new ProcessBuilder(replayCommand(capture, options)).redirectErrorStream(true).start();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> replayCommand(final Path capture, final String... options) {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", senderNamespace, "tcpreplay",
            "--intf1=" + senderInterface()));
        command.addAll(List.of(options.length == 0 ? new String[] {"--topspeed"} : options));
        command.add(capture.toString());
        return command;
    }

    /** Runs {@code ip -n RECEIVER args...} and returns its output. */
    public String ipInReceiver(final String... args) {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", receiverNamespace));
        command.addAll(List.of(args));
        return check(command);
    }

    /** True when an XDP program is attached to the receiver interface (as {@code ip link} shows it). */
    public boolean receiverHasXdpProgram() {
        final String link = ipInReceiver("-d", "link", "show", "dev", receiverInterface());
        return link.contains("prog/xdp") || link.matches("(?s).*\\bxdp(generic|drv|offload)?\\b.*");
    }

    /** A command prefix that runs something inside the receiver namespace. */
    public List<String> inReceiver(final List<String> command) {
        final List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", receiverNamespace));
        out.addAll(command);
        return out;
    }

    /** Deletes both namespaces and the veth pair. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (final String namespace : List.of(senderNamespace, receiverNamespace)) {
            if (LIVE_NAMESPACES.remove(namespace)) {
                run(List.of("ip", "netns", "del", namespace));
            }
        }
    }

    private static boolean isRoot() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (final IOException e) {
            return false;
        }
        return false;
    }

    private static boolean onPath(final String command) {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", command)) || Files.isExecutable(Path.of("/sbin", command));
    }

    private record Result(int exitCode, String output) {
    }

    private static String check(final List<String> command) {
        final Result result = run(command);
        if (result.exitCode != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode + ": " + result.output);
        }
        return result.output;
    }

    private static Result run(final List<String> command) {
        try {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (final IOException e) {
            return new Result(-1, e.toString());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}

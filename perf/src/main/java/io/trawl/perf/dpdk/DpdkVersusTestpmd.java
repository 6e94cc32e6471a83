package io.trawl.perf.dpdk;

import io.trawl.perf.Peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * trawl's DPDK receive loop against {@code dpdk-testpmd --forward-mode=rxonly} on the same virtual device,
 * in interleaved rounds: testpmd, trawl "rx" (receive burst + free through trawl's DPDK queue, each packet
 * handed to a handler as a {@code PacketView}), trawl "pipeline" (a whole run: receive, decode, flow
 * lookup, counters). Every run has the same EAL arguments, mbuf count, mempool cache (250, testpmd's
 * default), RX descriptors (1024) and burst (32), and polls on the same CPU (testpmd's forwarding lcore).
 *
 * <p>Each run's rate is the median of its one-second periods after a warm-up (testpmd: its
 * {@code --stats-period 1} Rx-pps lines; trawl: {@link DpdkReceiveRate}); ratios are taken per round
 * (trawl / testpmd of the same round) and their median is reported with the medians of the rates and
 * ns/packet.
 *
 * <p>Usage: {@code perf/run dpdk-vs-testpmd [pairs] [seconds] [null|pcap|both] [cpu] [capture]}
 * (defaults 5, 6, both, 1, ../shared/corpus/16minutes.pcap).
 */
public final class DpdkVersusTestpmd {
    private static final List<String> EAL = List.of("--no-huge", "-m", "512", "--no-pci");
    private static final int WARMUP_PERIODS = 2;
    private static final Pattern RX_PPS = Pattern.compile("Rx-pps:\\s+(\\d+)");
    private static final Pattern MEDIAN_PPS = Pattern.compile("median_pps=(\\d+)");

    private DpdkVersusTestpmd() {
    }

    private record Device(String label, String arguments, int mbufs) {
    }

    public static void main(final String[] args) throws Exception {
        final int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        final String which = args.length > 2 ? args[2] : "both";
        final int cpu = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        final Path capture = Path.of(args.length > 4 ? args[4] : "../shared/corpus/16minutes.pcap").toAbsolutePath().normalize();
        final List<Device> devices = new ArrayList<>();
        if (!which.equals("pcap")) {
            devices.add(new Device("net_null0", "net_null0", 8192));
        }
        if (!which.equals("null")) {
            if (!Files.exists(capture)) {
                throw new IllegalArgumentException(capture + " not found");
            }
            // infinite_rx keeps every packet of the file in mbufs: the pool needs room for them and the bursts.
            devices.add(new Device("net_pcap0 (" + capture.getFileName() + ", infinite_rx)",
                "net_pcap0,rx_pcap=" + capture + ",infinite_rx=1", 16384));
        }
        final int mainCpu = cpu == 0 ? 1 : 0;
        System.out.printf(Locale.ROOT, "%d rounds of testpmd, trawl rx, trawl pipeline; %d s measured after %d s warm-up; "
            + "polling CPU %d; load average %s%n", pairs, seconds, WARMUP_PERIODS, cpu, loadAverage());
        final List<String> table = new ArrayList<>();
        for (final Device device : devices) {
            final List<Double> testpmd = new ArrayList<>();
            final List<Double> rx = new ArrayList<>();
            final List<Double> pipeline = new ArrayList<>();
            List<String> testpmdCommand = List.of();
            List<String> rxCommand = List.of();
            for (int pair = 1; pair <= pairs; pair++) {
                testpmdCommand = testpmdCommand(device, mainCpu, cpu);
                testpmd.add(testpmdRate(testpmdCommand, seconds));
                rxCommand = trawlCommand(device, "rx", cpu, seconds);
                rx.add(trawlRate(rxCommand));
                pipeline.add(trawlRate(trawlCommand(device, "pipeline", cpu, seconds)));
                System.out.printf(Locale.ROOT, "%s round %d: testpmd %,.0f  trawl rx %,.0f (%.2fx)  trawl pipeline %,.0f "
                        + "(%.2fx) pkt/s; load average %s%n", device.label(), pair, testpmd.getLast(), rx.getLast(),
                    rx.getLast() / testpmd.getLast(), pipeline.getLast(), pipeline.getLast() / testpmd.getLast(), loadAverage());
            }
            final double t = Peer.median(testpmd);
            final double r = Peer.median(rx);
            final double p = Peer.median(pipeline);
            table.add(String.format(Locale.ROOT, "| %s | %.1f M (%.1f ns) | %.1f M (%.1f ns) | %.2f× | %.1f M (%.1f ns) | %.2f× |",
                device.label(), t / 1e6, 1e9 / t, r / 1e6, 1e9 / r, Peer.median(ratios(rx, testpmd)), p / 1e6, 1e9 / p,
                Peer.median(ratios(pipeline, testpmd))));
            System.out.println("testpmd: " + String.join(" ", testpmdCommand));
            System.out.println("trawl rx: " + String.join(" ", rxCommand.subList(rxCommand.indexOf(DpdkReceiveRate.class.getName()),
                rxCommand.size())));
        }
        System.out.println();
        System.out.println("| device | testpmd rxonly, pkt/s (ns/pkt) | trawl rx + free | ratio (median of rounds) "
            + "| trawl decode + flow lookup | ratio |");
        System.out.println("|---|---|---|---|---|---|");
        table.forEach(System.out::println);
    }

    private static List<Double> ratios(final List<Double> trawl, final List<Double> testpmd) {
        final List<Double> out = new ArrayList<>();
        for (int i = 0; i < trawl.size(); i++) {
            out.add(trawl.get(i) / testpmd.get(i));
        }
        return out;
    }

    private static List<String> testpmdCommand(final Device device, final int mainCpu, final int cpu) {
        final List<String> command = new ArrayList<>(List.of("dpdk-testpmd", "-l", mainCpu + "," + cpu, "--main-lcore",
            String.valueOf(mainCpu)));
        command.addAll(EAL);
        command.addAll(List.of("--file-prefix", "trawl-perf-testpmd-" + ProcessHandle.current().pid(), "--log-level=notice",
            "--vdev", device.arguments(), "--", "--forward-mode=rxonly", "--total-num-mbufs=" + device.mbufs(),
            "--mbcache=250", "--burst=32", "--rxd=1024", "--txd=1024", "--nb-cores=1", "--stats-period", "1"));
        return command;
    }

    /** Runs testpmd until it printed enough periods, stops it (SIGTERM) and returns its median Rx-pps. */
    private static double testpmdRate(final List<String> command, final int seconds) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final List<Double> periods = new ArrayList<>();
        final StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                final Matcher match = RX_PPS.matcher(line);
                if (match.find()) {
                    periods.add(Double.parseDouble(match.group(1)));
                    // The first line has no previous sample (0); then warm-up, then the measured periods.
                    if (periods.size() > 1 + WARMUP_PERIODS + seconds) {
                        break;
                    }
                }
            }
            process.destroy();
            drain(lines);
        } finally {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            deleteRuntimeDirectory(command.get(command.indexOf("--file-prefix") + 1));
        }
        if (periods.size() <= 1 + WARMUP_PERIODS) {
            throw new IllegalStateException("testpmd printed no rates:\n" + output);
        }
        return Peer.median(periods.subList(1 + WARMUP_PERIODS, periods.size()));
    }

    /** Reads what testpmd prints while it shuts down, so it never blocks on a full pipe. */
    private static void drain(final BufferedReader lines) {
        try {
            while (lines.readLine() != null) {
                // discard
            }
        } catch (final IOException e) {
            // the process is gone
        }
    }

    /** testpmd leaves its runtime directory behind. */
    private static void deleteRuntimeDirectory(final String prefix) throws IOException {
        final Path directory = Path.of("/var/run/dpdk", prefix);
        if (Files.isDirectory(directory)) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static List<String> trawlCommand(final Device device, final String mode, final int cpu, final int seconds) {
        return Peer.javaCommand(DpdkReceiveRate.class.getName(), "--device", device.arguments(), "--mode", mode,
            "--cpu", String.valueOf(cpu), "--seconds", String.valueOf(seconds), "--warmup", String.valueOf(WARMUP_PERIODS),
            "--mbufs", String.valueOf(device.mbufs()), "--mbuf-cache", "250", "--burst", "32", "--rx-descriptors", "1024",
            "--eal-args", String.join(" ", EAL));
    }

    private static double trawlRate(final List<String> command) {
        final Peer.Run run = Peer.run(command);
        final Matcher match = MEDIAN_PPS.matcher(run.stdout());
        if (!match.find()) {
            throw new IllegalStateException("no median_pps from " + command + ":\n" + run.stdout() + run.stderr());
        }
        return Double.parseDouble(match.group(1));
    }

    private static String loadAverage() {
        try {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (final IOException e) {
            return "?";
        }
    }
}

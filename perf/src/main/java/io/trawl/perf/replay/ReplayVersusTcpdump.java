package io.trawl.perf.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.perf.Peer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * trawl's replay rate against {@code tcpdump -nr FILE -w /dev/null} on the same small-packet capture, in
 * interleaved pairs (tcpdump, trawl raw read, trawl decode+flows), reporting packets/s per run, the
 * medians and the ratios. trawl's rates are measured inside its JVM (from first to last packet, JIT
 * warm-up included for the full run); wall-clock rates including JVM start are printed too.
 *
 * <p>Usage: {@code perf/run replay-vs-tcpdump [packets] [flows] [pairs]} (defaults 2000000 100000 5).
 */
public final class ReplayVersusTcpdump {
    private ReplayVersusTcpdump() {
    }

    public static void main(final String[] args) throws Exception {
        final int packets = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        final int flows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        final int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        final Path data = Path.of(System.getProperty("trawl.perf.data", "perf/target/data"));
        final Path capture = SmallPacketCapture.ensure(data.resolve("small-" + packets + "-" + flows + ".pcap"), packets, flows);
        try (var in = Files.newInputStream(capture)) { // page cache, for every contestant
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        final Path out = Files.createTempDirectory("trawl-replay");
        final List<Double> tcpdump = new ArrayList<>();
        final List<Double> raw = new ArrayList<>();
        final List<Double> full = new ArrayList<>();
        final List<Double> fullWall = new ArrayList<>();
        final ObjectMapper json = new ObjectMapper();
        System.out.printf(Locale.ROOT, "capture %s: %,d packets of 64 B over %,d flows%n", capture, packets, flows);
        System.out.println("pair  tcpdump pkt/s   trawl raw pkt/s   trawl decode+flows pkt/s (inside JVM)   (wall incl. JVM start)");
        for (int pair = 1; pair <= pairs; pair++) {
            final Peer.Run dump = Peer.run(List.of("tcpdump", "-nr", capture.toString(), "-w", "/dev/null"));
            tcpdump.add(packets / dump.wallSeconds());
            final Peer.Run read = Peer.run(Peer.javaCommand(RawReadRate.class.getName(), capture.toString(), "3"));
            final String[] fields = read.stdout().trim().split(" ");
            raw.add(Long.parseLong(fields[0]) / Double.parseDouble(fields[1]));
            final Peer.Run run = Peer.run(Peer.launcherCommand("run", "--source", "pcap:" + capture,
                "--out", out.toString(), "--progress", "never"));
            final var summary = json.readTree(out.resolve("summary.json").toFile());
            if (summary.get("packets").asLong() != packets) {
                throw new IllegalStateException("trawl saw " + summary.get("packets") + " packets");
            }
            full.add(summary.get("packets").asDouble() / summary.get("duration_s").asDouble());
            fullWall.add(packets / run.wallSeconds());
            System.out.printf(Locale.ROOT, "%4d  %,13.0f   %,15.0f   %,24.0f   (%,.0f)%n", pair, tcpdump.getLast(), raw.getLast(),
                full.getLast(), fullWall.getLast());
        }
        final double t = Peer.median(tcpdump);
        System.out.printf(Locale.ROOT, "median  tcpdump %,.0f pkt/s | trawl raw %,.0f (%.2fx) | trawl decode+flows %,.0f (%.2fx) | "
                + "decode+flows wall incl. JVM start %,.0f (%.2fx)%n",
            t, Peer.median(raw), Peer.median(raw) / t, Peer.median(full), Peer.median(full) / t, Peer.median(fullWall),
            Peer.median(fullWall) / t);
        final List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            ratios.add(full.get(i) / tcpdump.get(i));
        }
        System.out.printf(Locale.ROOT, "median of per-pair ratios decode+flows/tcpdump: %.2fx%n", Peer.median(ratios));
    }
}

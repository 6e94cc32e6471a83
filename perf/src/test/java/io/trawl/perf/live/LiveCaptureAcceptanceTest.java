package io.trawl.perf.live;

import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.bindings.xdp.XdpSocket;
import io.trawl.cli.TrawlCommand;
import io.trawl.pipeline.counters.CountersFile;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance of live capture, end to end through the real command line: {@code 16minutes.pcap} replayed
 * with tcpreplay at top speed over a veth pair (namespaces of the test's own) into {@code afxdp:} (skb and
 * drv mode) and {@code afpacket:} gives the same totals, decode outcomes, flows and script outputs as
 * {@code --source pcap:} on the same file, with zero drops; SIGKILL leaves no XDP program behind and the
 * next start works; SIGTERM detaches and writes the outputs; a missing capability, a wrong interface and a
 * queue out of range each give a clear error.
 *
 * <p>Flow timeouts are raised far beyond the capture's 19 minutes in every run: live packets carry their
 * arrival time, so idle timeouts measured in packet time cannot match a file replay's.
 */
class LiveCaptureAcceptanceTest {
    private static final long PACKETS = 7000;
    /**
     * Scripts whose outputs must match too: the bundled counting script (packets and bytes per IP protocol)
     * and the bundled file-extraction script (saves every extracted HTTP body, counts them by content type,
     * records their URLs).
     */
    private static final List<Path> SCRIPTS = List.of(
        TrawlProcess.projectDirectory().resolve("deploy/scripts/protocol_counter.lua"),
        TrawlProcess.projectDirectory().resolve("deploy/scripts/http_files.lua"));
    private static VethRig rig;
    private static Path work;
    private static Path config;
    private static RunOutputs fileReplay;

    @BeforeAll
    static void setUp() throws IOException {
        VethRig.requirePrerequisites();
        TrawlProcess.launcherJar();
        SharedCorpus.sixteenMinutes();
        work = Files.createTempDirectory("trawl-live-acceptance");
        config = work.resolve("long-flows.yaml");
        Files.writeString(config, "flow:\n  timeout:\n    tcp: 1000000\n    udp: 1000000\n    other: 1000000\n");
        rig = VethRig.create("accept", 1);
        final Path out = work.resolve("pcap");
        try (TrawlProcess pcap = TrawlProcess.start(List.of(), work, "pcap", trawlRun(out, "--source",
            "pcap:" + SharedCorpus.sixteenMinutes()))) {
            assertThat(pcap.awaitExit(120)).as(pcap.output()).isZero();
        }
        fileReplay = RunOutputs.read(out);
        assertThat(fileReplay.totals()).containsEntry("packets", PACKETS);
        if (Files.isRegularFile(SCRIPTS.get(0))) {
            assertThat(fileReplay.otherFiles()).as("the counting script wrote its counters").containsKey("counters.jsonl");
        }
        if (Files.isRegularFile(SCRIPTS.get(1))) {
            assertThat(fileReplay.otherFiles()).as("the extraction script saved bodies and their URLs")
                .containsKeys("extracted files (sha256, bytes)", "resources.jsonl");
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (rig != null) {
            rig.close();
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                for (final Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static List<String> trawlRun(final Path out, final String... options) {
        final List<String> args = new ArrayList<>(List.of("run", "--config", config.toString(), "--out", out.toString(),
            "--progress", "never"));
        args.addAll(List.of(options));
        for (final Path script : SCRIPTS) {
            if (Files.isRegularFile(script)) {
                args.addAll(List.of("--script", script.toString()));
            }
        }
        return args;
    }

    private static void requireAfXdp() {
        Assumptions.assumeTrue(XdpSocket.kernelSupportsAfXdp(), "skipped: this kernel has no AF_XDP (CONFIG_XDP_SOCKETS)");
    }

    private static TrawlProcess startLive(final String name, final List<String> prefix, final String... options) {
        final List<String> command = new ArrayList<>(rig.inReceiver(prefix));
        return TrawlProcess.start(command, work, name, trawlRun(work.resolve(name), options));
    }

    /** Runs trawl live with the given options until it has seen the whole replayed capture. */
    private static RunOutputs liveRun(final String name, final String... options) {
        final List<String> all = new ArrayList<>(List.of(options));
        all.addAll(List.of("--count", Long.toString(PACKETS), "--duration", "120"));
        try (TrawlProcess trawl = startLive(name, List.of(), all.toArray(String[]::new)).awaitReady(60)) {
            assertThat(rig.replay(SharedCorpus.sixteenMinutes(), "--topspeed")).isEqualTo(PACKETS);
            assertThat(trawl.awaitExit(120)).as(trawl.output()).isZero();
            return RunOutputs.read(work.resolve(name));
        }
    }

    private static void assertSameAsFileReplay(final RunOutputs live) {
        assertThat(live.totals()).isEqualTo(fileReplay.totals());
        assertThat(live.flows()).isEqualTo(fileReplay.flows());
        assertThat(live.otherFiles()).as("script outputs").isEqualTo(fileReplay.otherFiles());
        assertThat(live.drops()).allSatisfy((cause, count) -> assertThat(count).as(cause).isZero());
    }

    @Test
    void afxdpInSkbModeMatchesTheFileReplay() {
        requireAfXdp();
        final RunOutputs live = liveRun("afxdp-skb", "--source", "afxdp:rx0", "--xdp-mode", "skb");
        assertThat(live.summary().get("source").asText()).contains("skb mode");
        assertThat(live.drops()).containsKeys("afxdp_rx_dropped", "afxdp_rx_ring_full");
        assertSameAsFileReplay(live);
    }

    @Test
    void afxdpInDriverModeMatchesTheFileReplayAndSigtermDetachesCleanly() {
        requireAfXdp();
        final String name = "afxdp-drv";
        try (TrawlProcess trawl = startLive(name, List.of(), "--source", "afxdp:rx0", "--xdp-mode", "drv",
            "--duration", "120").awaitReady(60)) {
            assertThat(rig.receiverHasXdpProgram()).isTrue();
            assertThat(rig.replay(SharedCorpus.sixteenMinutes(), "--topspeed")).isEqualTo(PACKETS);
            awaitPacketsCounted(work.resolve(name).resolve("state"), PACKETS, trawl);
            final List<String> labels = new ArrayList<>();
            CountersFile.openReader(work.resolve(name).resolve("state").resolve("counters.dat"))
                .forEach((value, id, label) -> labels.add(label));
            assertThat(labels).as("the kernel's drop counters are live in counters.dat")
                .contains("source drops: afxdp_rx_dropped", "source drops: afxdp_rx_ring_full");
            trawl.terminate();
            assertThat(trawl.awaitExit(60)).as(trawl.output()).isZero();
            assertThat(trawl.stderr()).contains("SIGTERM");
        }
        assertThat(rig.receiverHasXdpProgram()).as("SIGTERM detaches the program").isFalse();
        final RunOutputs live = RunOutputs.read(work.resolve(name));
        assertThat(live.status()).containsExactly("stopped", "SIGTERM");
        assertThat(live.summary().get("source").asText()).contains("drv mode");
        assertSameAsFileReplay(live);
    }

    @Test
    void afpacketWithFanoutOverTwoPipelinesMatchesTheFileReplay() {
        final RunOutputs live = liveRun("afpacket", "--source", "afpacket:rx0", "--pipelines", "2");
        assertThat(live.summary().get("source").asText()).contains("PACKET_FANOUT_HASH");
        assertThat(live.drops()).containsKey("afpacket_ring_full");
        assertSameAsFileReplay(live);
    }

    @Test
    void aKilledRunLeavesNoXdpProgramAndTheNextStartWorks() {
        requireAfXdp();
        try (TrawlProcess trawl = startLive("killed", List.of(), "--source", "afxdp:rx0", "--duration", "120")
            .awaitReady(60)) {
            assertThat(rig.receiverHasXdpProgram()).isTrue();
            trawl.kill();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (rig.receiverHasXdpProgram() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000_000L);
        }
        assertThat(rig.receiverHasXdpProgram()).as("the kernel removed the link-attached program with its process")
            .isFalse();
        final RunOutputs next = liveRun("after-kill", "--source", "afxdp:rx0");
        assertThat(next.totals()).containsEntry("packets", PACKETS);
    }

    @Test
    void missingCapabilitiesAreNamed() {
        ExternalTool.require("capsh", "libcap2-bin");
        ExternalTool.require("prlimit", "util-linux");
        if (XdpSocket.kernelSupportsAfXdp()) {
            assertFailsNaming("no-net-raw", List.of("capsh", "--drop=cap_net_raw", "--", "-c", "exec \"$@\"", "trawl"),
                "afxdp:rx0", "this process lacks CAP_NET_RAW");
            assertFailsNaming("no-bpf", List.of("capsh", "--drop=cap_bpf,cap_sys_admin", "--", "-c", "exec \"$@\"", "trawl"),
                "afxdp:rx0", "this process lacks CAP_BPF");
            // 32 MiB of UMEM over an 8 MiB locked-memory limit without CAP_IPC_LOCK.
            assertFailsNaming("no-ipc-lock", List.of("prlimit", "--memlock=8388608:8388608", "capsh",
                "--drop=cap_ipc_lock", "--", "-c", "exec \"$@\"", "trawl"), "afxdp:rx0", "lacks CAP_IPC_LOCK");
        }
        assertFailsNaming("afpacket-no-net-raw", List.of("capsh", "--drop=cap_net_raw", "--", "-c", "exec \"$@\"", "trawl"),
            "afpacket:rx0", "this process lacks CAP_NET_RAW");
        assertThat(rig.receiverHasXdpProgram()).as("failed starts leave nothing attached").isFalse();
    }

    private static void assertFailsNaming(final String name, final List<String> prefix, final String source,
                                          final String expected) {
        try (TrawlProcess trawl = startLive(name, prefix, "--source", source, "--duration", "5")) {
            assertThat(trawl.awaitExit(60)).as(trawl.output()).isEqualTo(1);
            assertThat(trawl.stderr()).as(trawl.output()).contains("cannot open source").contains(expected);
        }
    }

    @Test
    void aWrongInterfaceOrAQueueOutOfRangeIsAConfigurationError() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        final Path dir = work.resolve("errors");
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            assertThat(TrawlCommand.execute(out, errors, "run", "--out", dir.toString(), "--source", "afxdp:nosuch0"))
                .isEqualTo(2);
            assertThat(TrawlCommand.execute(out, errors, "run", "--out", dir.toString(), "--source", "afpacket:nosuch0"))
                .isEqualTo(2);
            assertThat(TrawlCommand.execute(out, errors, "run", "--out", dir.toString(), "--source", "afxdp:rx0@4"))
                .isEqualTo(2);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
            .contains("source: afxdp:nosuch0: no network interface named 'nosuch0' in this network namespace "
                + "(interfaces here: lo, rx0)")
            .contains("afpacket:nosuch0: no network interface named 'nosuch0'")
            .contains("afxdp:rx0@4: queue out of range; rx0 has 1 active RX queue (0)");
    }

    /** Waits until the run's counters show {@code expected} packets processed. */
    private static void awaitPacketsCounted(final Path state, final long expected, final TrawlProcess trawl) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long packets = 0;
        while (System.nanoTime() < deadline) {
            final CountersReader reader = CountersFile.openReader(state.resolve("counters.dat"));
            final long[] sum = {0};
            reader.forEach((value, id, label) -> {
                if (label.endsWith(": Packets received")) {
                    sum[0] += value;
                }
            });
            packets = sum[0];
            if (packets >= expected) {
                return;
            }
            LockSupport.parkNanos(50_000_000L);
        }
        throw new AssertionError("trawl counted " + packets + " of " + expected + " packets: " + trawl.output());
    }
}

package io.trawl.cli;

import io.trawl.bindings.dpdk.Dpdk;
import io.trawl.testsupport.DpdkTestEnvironment;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7's acceptance, through the real command line in child processes (EAL lives once per process
 * and cleans up at exit, which only a whole process shows):
 * <ul>
 *   <li>a capture replayed as {@code pcap:F} and as {@code dpdk:net_pcap0,rx_pcap=F} gives the same
 *       summary totals, the same flows and the same outputs of every stage (script outputs included,
 *       once the Lua host writes them);</li>
 *   <li>{@code net_null0} runs for a fixed time, reports its packet rate and leaves no EAL runtime files;
 *       SIGTERM stops it the same clean way;</li>
 *   <li>without usable DPDK libraries the message names the Debian packages.</li>
 * </ul>
 */
class DpdkAcceptanceTest {
    private static final String EAL_ARGS = "--no-huge -m 512 --no-pci";
    private static final Path RUNTIME_DIRECTORY = Path.of("/var/run/dpdk");

    @TempDir
    Path work;

    private RunOutputs replay(final String name, final String source, final int pipelines, final List<String> extra) {
        final Path out = work.resolve(name);
        final List<String> args = new ArrayList<>(List.of("run", "--source", source, "--pipelines",
            String.valueOf(pipelines), "--out", out.toString(), "--progress", "never"));
        if (source.startsWith("dpdk:")) {
            args.addAll(List.of("--eal-args", EAL_ARGS));
        }
        args.addAll(extra);
        final TrawlProcess.Result result = TrawlProcess.run(work, args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        final RunOutputs outputs = new RunOutputs(out);
        assertThat(outputs.summary().path("status").asText()).as(result.toString()).isEqualTo("completed");
        return outputs;
    }

    @ParameterizedTest(name = "{0} pipeline(s)")
    @ValueSource(ints = {1, 2})
    void aCaptureReplayedThroughDpdkGivesTheSameTotalsAndFlowsAsThePcapReplay(final int pipelines) {
        DpdkTestEnvironment.requireDpdk();
        final Path capture = SharedCorpus.sixteenMinutes();
        final RunOutputs pcap = replay("pcap", "pcap:" + capture, pipelines, List.of());
        final RunOutputs dpdk = replay("dpdk", "dpdk:net_pcap0,rx_pcap=" + capture, pipelines, List.of());
        assertThat(pcap.summary().path("packets").asLong()).isEqualTo(7000);
        assertThat(pcap.summary().path("flows").asLong()).isPositive();
        assertThat(dpdk.summary().path("source").asText()).contains("packet time from the capture file");
        assertThat(dpdk.summary().path("drops").path("imissed").asLong()).isZero();
        assertThat(dpdk.summary().path("drops").has("rx_nombuf")).isTrue();
        assertThat(dpdk.hasNonEmpty("flows.jsonl")).isTrue();
        dpdk.assertSameResultsAs(pcap);
    }

    @Test
    void aCountingScriptGivesTheSameOutputsThroughBothSources() throws Exception {
        compareWithScript("count.lua", "counters.jsonl", "the Lua host's counter groups");
    }

    @Test
    void aFileExtractionScriptGivesTheSameOutputsThroughBothSources() throws Exception {
        compareWithScript("extract.lua", "resources.jsonl", "HTTP file extraction (filex_monitor.onfile_http)");
    }

    /**
     * Both replays with one script; skipped (saying why) until the run writes the script's output, i.e.
     * until what the script needs is part of the build.
     */
    private void compareWithScript(final String script, final String output, final String needs)
        throws URISyntaxException {
        DpdkTestEnvironment.requireDpdk();
        final Path capture = SharedCorpus.sixteenMinutes();
        final String scriptPath = Path.of(DpdkAcceptanceTest.class.getResource("/dpdk-acceptance/" + script).toURI())
            .toString();
        final List<String> withScript = List.of("--script", scriptPath);
        final RunOutputs pcap = replay("pcap-" + script, "pcap:" + capture, 2, withScript);
        Assumptions.assumeTrue(pcap.hasNonEmpty(output), () -> "skipped: --script " + script + " wrote no OUT/"
            + output + ": " + needs + " is not part of this build yet");
        assertThat(pcap.summary().path("scripts").path(script).path("calls").asLong()).as("the script ran").isPositive();
        final RunOutputs dpdk = replay("dpdk-" + script, "dpdk:net_pcap0,rx_pcap=" + capture, 2, withScript);
        pcap.summary().path("scripts").forEach(stats ->
            assertThat(stats.path("errors").asLong()).as("script errors: " + pcap.summary().path("scripts")).isZero());
        dpdk.assertSameResultsAs(pcap);
    }

    @Test
    void aNullDeviceRunsForAFixedTimeReportsItsRateAndLeavesNoRuntimeFiles() throws Exception {
        DpdkTestEnvironment.requireDpdk();
        // What a trawl killed with SIGKILL leaves behind: the next run deletes it.
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final Path stale = RUNTIME_DIRECTORY.resolve("trawl-" + gone.pid() + "-abcdef");
        final boolean canPlantStale = Files.isWritable(RUNTIME_DIRECTORY);
        if (canPlantStale) {
            Files.createDirectories(stale);
            Files.writeString(stale.resolve("config"), "left by a killed process");
        }
        final Path out = work.resolve("null");
        final TrawlProcess trawl = TrawlProcess.start(work, List.of(), "run", "--source", "dpdk:net_null0",
            "--eal-args", EAL_ARGS, "--duration", "1.5", "--out", out.toString());
        final long pid = trawl.pid();
        final TrawlProcess.Result result = trawl.await(120);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).containsPattern("stopped: [0-9,]+ packets, .* \\([0-9,]+ packets/s\\)")
            .contains("stopped: duration reached");
        final RunOutputs outputs = new RunOutputs(out);
        assertThat(outputs.summary().path("stop_reason").asText()).isEqualTo("duration reached");
        assertThat(outputs.summary().path("packets").asLong()).isPositive();
        assertThat(outputs.summary().path("packets_per_second").asLong()).isPositive();
        assertThat(outputs.summary().path("drops").path("rx_nombuf").isNumber()).isTrue();
        assertThat(runtimeDirectoriesOf(pid)).as("EAL runtime files of process " + pid).isEmpty();
        if (canPlantStale) {
            assertThat(stale).as("the runtime directory of a dead trawl process").doesNotExist();
        }
    }

    @Test
    void sigtermStopsTheDeviceCleanly() throws Exception {
        DpdkTestEnvironment.requireDpdk();
        final Path out = work.resolve("term");
        final TrawlProcess trawl = TrawlProcess.start(work, List.of(), "run", "--source", "dpdk:net_null0",
            "--eal-args", EAL_ARGS, "--out", out.toString());
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!trawl.stdoutSoFar().contains("threads:") && trawl.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(runtimeDirectoriesOf(trawl.pid())).as("EAL is up: its runtime directory exists").isNotEmpty();
        Thread.sleep(300);
        trawl.terminate();
        final TrawlProcess.Result result = trawl.await(60);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("stopped: SIGTERM");
        assertThat(new RunOutputs(out).summary().path("status").asText()).isEqualTo("stopped");
        assertThat(runtimeDirectoriesOf(trawl.pid())).isEmpty();
    }

    @Test
    void withoutUsableDpdkLibrariesTheMessageNamesTheDebianPackages() {
        DpdkTestEnvironment.requireDpdk();
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root for a mount namespace");
        ExternalTool.require("unshare", "util-linux");
        // In a private mount namespace of the child only, librte_eal is replaced by an empty file.
        final List<String> hideEal = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
            "for f in /usr/lib/*/librte_eal.so.*; do mount --bind /dev/null \"$f\"; done; exec \"$@\"", "sh");
        final TrawlProcess.Result result = TrawlProcess.start(work, hideEal, "run", "--source", "dpdk:net_null0",
            "--eal-args", EAL_ARGS, "--out", work.resolve("nolib").toString()).await(60);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stderr()).contains("dpdk:net_null0", "DPDK is unavailable", Dpdk.DEBIAN_PACKAGES);
    }

    /** EAL runtime directories ({@code /var/run/dpdk/trawl-PID-*}) left by process {@code pid}. */
    private static List<Path> runtimeDirectoriesOf(final long pid) throws IOException {
        if (!Files.isDirectory(RUNTIME_DIRECTORY)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(RUNTIME_DIRECTORY)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("trawl-" + pid + "-")).toList();
        }
    }
}

package io.trawl.bindings.dpdk;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every struct offset, size and constant trawl's DPDK bindings assume, checked against the installed C
 * headers: a tiny probe is generated from {@link DpdkAbi#checks()}, compiled with gcc against
 * {@code /usr/include/dpdk} and run. Skipped with a message where gcc or the headers are missing.
 */
class DpdkAbiProbeTest {
    private static final Path HEADERS = Path.of("/usr/include/dpdk/rte_ethdev.h");

    @TempDir
    Path work;

    @Test
    void everyOffsetSizeAndConstantMatchesTheInstalledHeaders() throws Exception {
        final List<String> flags = compilerFlags();
        final String release = run(compile("version", List.of(
            "printf(\"%d.%02d\\n\", RTE_VER_YEAR, RTE_VER_MONTH);"), flags)).trim();
        final Optional<DpdkAbi> known = DpdkAbi.forVersionString("DPDK " + release);
        Assumptions.assumeTrue(known.isPresent(), () -> "skipped: the headers are DPDK " + release
            + ", a release trawl does not know (the bindings refuse it at run time)");
        final DpdkAbi abi = known.get();
        final List<String> statements = new ArrayList<>();
        for (final DpdkAbi.Check check : abi.checks()) {
            statements.add("printf(\"%ld\\n\", (long) (" + check.cExpression() + "));");
        }
        final String[] values = run(compile("layout", statements, flags)).trim().split("\n");
        assertThat(values).hasSize(abi.checks().size());
        final List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            final DpdkAbi.Check check = abi.checks().get(i);
            if (Long.parseLong(values[i].trim()) != check.value()) {
                mismatches.add(check.cExpression() + " is " + values[i].trim() + " in the headers, trawl assumes "
                    + check.value());
            }
        }
        assertThat(mismatches).as("layout of " + abi + " against " + HEADERS.getParent()).isEmpty();
        assertThat(abi.checks()).as("the probe covers the receive path")
            .extracting(DpdkAbi.Check::cExpression)
            .contains("offsetof(struct rte_eth_fp_ops, rx_pkt_burst)", "offsetof(struct rte_eth_fp_ops, rxq.data)",
                "offsetof(struct rte_eth_fp_ops, rxq.clbk)", "offsetof(struct rte_mbuf, pkt_len)");
    }

    @Test
    void theDetectedLibraryIsTheReleaseOfTheHeaders() throws Exception {
        DpdkTestSupport.requireDpdk();
        final String release = run(compile("version", List.of(
            "printf(\"%d.%02d\\n\", RTE_VER_YEAR, RTE_VER_MONTH);"), compilerFlags())).trim();
        assertThat(Dpdk.version()).startsWith("DPDK " + release);
        assertThat(Dpdk.abi().release()).isEqualTo(release);
    }

    private List<String> compilerFlags() throws Exception {
        Assumptions.assumeTrue(onPath("gcc"), "skipped: gcc not found (apt-get install gcc)");
        Assumptions.assumeTrue(Files.exists(HEADERS),
            () -> "skipped: " + HEADERS + " not found (apt-get install " + Dpdk.DEBIAN_PACKAGES + ")");
        if (onPath("pkg-config")) {
            final Process process = new ProcessBuilder("pkg-config", "--cflags", "libdpdk").redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor() == 0 && !output.isEmpty()) {
                return List.of(output.split("\\s+"));
            }
        }
        return List.of("-I/usr/include/dpdk", "-I/usr/include/x86_64-linux-gnu/dpdk", "-include", "rte_config.h");
    }

    private Path compile(final String name, final List<String> statements, final List<String> flags) throws Exception {
        final Path source = work.resolve(name + ".c");
        final StringBuilder c = new StringBuilder("""
            #include <stdio.h>
            #include <stddef.h>
            #include <stdint.h>
            #include <string.h>
            #include <rte_version.h>
            #include <rte_ethdev.h>
            #include <rte_mbuf.h>
            #include <rte_mbuf_dyn.h>
            #include <rte_mempool.h>
            int main(void) {
            """);
        for (final String statement : statements) {
            c.append("    ").append(statement).append('\n');
        }
        c.append("    return 0;\n}\n");
        Files.writeString(source, c);
        final Path binary = work.resolve(name);
        final List<String> command = new ArrayList<>(List.of("gcc", "-o", binary.toString(), source.toString()));
        command.addAll(1, flags);
        final Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc " + String.join(" ", command) + "\n" + output + "\n" + c).isZero();
        return binary;
    }

    private static String run(final Path binary) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    private static boolean onPath(final String command) {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}

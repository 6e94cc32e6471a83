package io.trawl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.bindings.libc.CpuAffinity;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrawlCommandTest {
    @TempDir
    Path temp;

    record Outcome(int exitCode, String out, String err) {
    }

    private Outcome trawl(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = TrawlCommand.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String[] runArgs(final String... extra) {
        final List<String> args = new ArrayList<>(List.of("run", "--source", "pcap:" + SharedCorpus.sixteenMinutes(),
            "--out", temp.resolve("out").toString()));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @Test
    void runWritesSummaryAndExitsZeroWithoutAProgressBarWhenNotATerminal() throws IOException {
        final Outcome outcome = trawl(runArgs("--pipelines", "2"));
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("completed: 7,000 packets").contains("pipeline-1").doesNotContain("\r");
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("out/summary.json").toFile());
        assertThat(summary.get("packets").asLong()).isEqualTo(7000);
        for (final String key : List.of("packets", "bytes", "flows", "pipelines", "duration_s", "drops", "decode_errors")) {
            assertThat(summary.has(key)).as(key).isTrue();
        }
        assertThat(summary.get("drops").isObject()).isTrue();
        assertThat(Files.exists(temp.resolve("out/state/counters.dat"))).isTrue();
        final Outcome counters = trawl("counters", "--state", temp.resolve("out/state").toString());
        assertThat(counters.exitCode()).isZero();
        assertThat(counters.out()).contains("pipeline 0: Packets received").contains("pipeline 1: Packets received");
    }

    @Test
    void everyOptionHasAConfigKeyAndConfigFilesWork() throws IOException {
        final Path config = temp.resolve("trawl.yaml");
        Files.writeString(config, """
            source: pcap:%s
            out: %s
            pipelines: 2
            count: 100
            speed: topspeed
            flow:
              timeout:
                tcp: 600
            """.formatted(SharedCorpus.sixteenMinutes(), temp.resolve("cfg")));
        final Outcome outcome = trawl("run", "--config", config.toString(), "--print-config");
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("pipelines = 2 (config " + config + ")").contains("flow.timeout.tcp = 600.0");
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("cfg/summary.json").toFile());
        assertThat(summary.get("packets").asLong()).isEqualTo(100);
        // the command line wins over the file
        final Outcome override = trawl("run", "--config", config.toString(), "--count", "10", "--out", temp.resolve("o2").toString());
        assertThat(override.exitCode()).isZero();
        assertThat(new ObjectMapper().readTree(temp.resolve("o2/summary.json").toFile()).get("packets").asLong()).isEqualTo(10);
    }

    @Test
    void configErrorsNameTheKeyAndExitTwo() throws IOException {
        final Path unknown = temp.resolve("unknown.yaml");
        Files.writeString(unknown, "pipelins: 2\n");
        Outcome outcome = trawl("run", "--config", unknown.toString());
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("pipelins").contains("unknown key").contains("did you mean 'pipelines'");

        final Path bad = temp.resolve("bad.yaml");
        Files.writeString(bad, "flow:\n  timeout:\n    udp: soon\n");
        outcome = trawl("run", "--config", bad.toString());
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("flow.timeout.udp").contains("soon");

        final Path notYaml = temp.resolve("broken.yaml");
        Files.writeString(notYaml, "a: [1, 2\n");
        assertThat(trawl("run", "--config", notYaml.toString()).exitCode()).isEqualTo(2);

        outcome = trawl(runArgs("--pipelines", "zero"));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("pipelines").contains("--pipelines");

        outcome = trawl(runArgs("--speed", "warp"));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("speed").contains("topspeed|realtime");

        outcome = trawl("run", "--no-such-option");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--no-such-option");

        outcome = trawl("run", "--source", "carrier-pigeon:coop");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("unknown source scheme 'carrier-pigeon'").contains("pcap:PATH");

        outcome = trawl("run", "--source", "pcap:" + temp.resolve("missing.pcap"));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("no such file");
    }

    @Test
    void invalidOrUnavailableCpusAreAStartupError() {
        Outcome outcome = trawl(runArgs("--cpus", "1-"));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("cpus");
        final int unavailable = CpuAffinity.allowedCpus().length() + 7;
        outcome = trawl(runArgs("--cpus", String.valueOf(unavailable)));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("CPU " + unavailable + " is not available").contains("available: 0");
        outcome = trawl(runArgs("--pipelines", "2", "--cpus", "0"));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("one CPU per pipeline");
    }

    @Test
    void pinnedPipelinesPrintTheirCpuMap() throws IOException {
        final int cpu = CpuAffinity.allowedCpus().nextSetBit(0);
        final Outcome outcome = trawl(runArgs("--cpus", String.valueOf(cpu)));
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("pipeline-0→CPU " + cpu);
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("out/summary.json").toFile());
        assertThat(summary.get("per_pipeline").get(0).get("cpu").asInt()).isEqualTo(cpu);
    }

    @Test
    void corruptInputIsARuntimeFailureWithOutputsWritten() throws IOException {
        final Path corrupt = temp.resolve("corrupt.pcap");
        final byte[] good = Files.readAllBytes(SharedCorpus.sixteenMinutes());
        final byte[] bytes = java.util.Arrays.copyOf(good, 24 + 5 * 1000);
        // find the 3rd record and give it an absurd capture length
        int at = 24;
        for (int i = 0; i < 2; i++) {
            at += 16 + (bytes[at + 8] & 0xFF) + ((bytes[at + 9] & 0xFF) << 8);
        }
        bytes[at + 10] = 0x7F;
        Files.write(corrupt, bytes);
        final Outcome outcome = trawl("run", "--source", "pcap:" + corrupt, "--out", temp.resolve("c").toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains(corrupt.toString()).contains("corrupt").doesNotContain("Exception");
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("c/summary.json").toFile());
        assertThat(summary.get("status").asText()).isEqualTo("failed");
        assertThat(summary.get("packets").asLong()).isEqualTo(2);

        final Path text = temp.resolve("notes.pcap");
        Files.writeString(text, "not a capture");
        final Outcome bad = trawl("run", "--source", "pcap:" + text, "--out", temp.resolve("t").toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("not a pcap or pcapng file");
    }

    @Test
    void recoverRemovesAJournalThatHoldsNothingUnfinished() throws IOException {
        // What a run killed while deleting its finished journal leaves: every job delivered, files still there.
        final Path state = temp.resolve("out/state");
        final io.trawl.pipeline.RunConsole quiet = io.trawl.pipeline.RunConsole.silent();
        final io.trawl.async.journal.Journal journal = io.trawl.async.journal.Journal.open(state.resolve("journal"), "batch",
            1L << 30, quiet);
        final java.lang.foreign.MemorySegment bytes = java.lang.foreign.Arena.ofAuto().allocate(16);
        final io.trawl.async.job.AsyncJob job = io.trawl.async.job.AsyncJob.copyBuffer(1, 0, 0,
            temp.resolve("out/file.bin"), -1, bytes, 0, 16);
        assertThat(journal.pipeline(0).submitted(job, 1, "a.lua", "/scripts/a.lua", null, -1)).isTrue();
        journal.pipeline(0).delivered(job);
        journal.close(false);
        assertThat(state.resolve("journal")).isDirectory();

        final Outcome recover = trawl("recover", "--state", state.toString(), "--out", temp.resolve("out").toString());
        assertThat(recover.exitCode()).as(recover.err()).isZero();
        assertThat(recover.err()).contains("holds no unfinished T.async job: removed");
        assertThat(recover.out()).contains("nothing to recover");
        assertThat(state.resolve("journal")).doesNotExist();
        assertThat(temp.resolve("out/summary.json")).as("the interrupted run's outputs are left as they are").doesNotExist();
        assertThat(temp.resolve("out/file.bin")).doesNotExist(); // delivered before: not run again
    }

    @Test
    void helpVersionAndConfigReference() {
        final Outcome version = trawl("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("trawl ");
        final Outcome help = trawl("run", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--source").contains("--cpus").contains("Config key: cpus")
            .contains("Config key: pipelines");
        final Outcome reference = trawl("config");
        assertThat(reference.out()).contains("| `flow.timeout.tcp` |").contains("| `source` | `--source` |");
        assertThat(trawl().exitCode()).isEqualTo(2);
    }

    @Test
    void readmeSettingsTableIsCurrent() throws IOException {
        final Path readme = Path.of(System.getProperty("trawl.project.dir", "..")).resolve("README.md");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(readme), "README.md not found");
        assertThat(Files.readString(readme)).as("regenerate with ./trawl config --update-readme README.md")
            .contains(io.trawl.config.TrawlSettings.referenceMarkdown());
    }

    @Test
    void durationStopsARealtimeReplayCleanly() throws IOException {
        final Outcome outcome = trawl(runArgs("--speed", "realtime", "--duration", "0.5"));
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("out/summary.json").toFile());
        assertThat(summary.get("status").asText()).isEqualTo("stopped");
        assertThat(summary.get("stop_reason").asText()).isEqualTo("duration reached");
        assertThat(summary.get("packets").asLong()).isLessThan(7000);
    }
}

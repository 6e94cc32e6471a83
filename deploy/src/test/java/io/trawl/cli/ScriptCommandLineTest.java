package io.trawl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Scripts through the command line: exit codes, --skip-bad-scripts, print beside the progress bar, the demo. */
class ScriptCommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome trawl(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = TrawlCommand.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path testScript(final String name) {
        return Path.of(System.getProperty("trawl.project.dir", "..")).resolve("deploy/src/test/resources/scripts")
            .resolve(name);
    }

    private static Path exampleScripts() {
        return Path.of(System.getProperty("trawl.project.dir", "..")).resolve("deploy/scripts");
    }

    @Test
    void aBadScriptExitsWithCode2BeforeAnyPacketNamingFileAndLine() {
        final Path out = temp.resolve("out");
        final Outcome run = trawl("run", "--source", "pcap:" + SharedCorpus.sixteenMinutes(), "--out", out.toString(),
            "--script", exampleScripts().resolve("protocol_counter.lua").toString(), "--script",
            testScript("broken.lua").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("scripts: 1 script(s) cannot be loaded").contains("broken.lua:3:");
        assertThat(out.resolve("summary.json")).doesNotExist();
    }

    @Test
    void skipBadScriptsRunsTheOthersAndReportsTheBadOne() throws IOException {
        final Path out = temp.resolve("out");
        final Outcome run = trawl("run", "--source", "pcap:" + SharedCorpus.sixteenMinutes(), "--out", out.toString(),
            "--script", exampleScripts().resolve("protocol_counter.lua").toString(), "--script",
            testScript("broken.lua").toString(), "--skip-bad-scripts");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains("skipped (--skip-bad-scripts)").contains("broken.lua:3:");
        final JsonNode scripts = JSON.readTree(out.resolve("summary.json").toFile()).get("scripts");
        assertThat(scripts.get("broken.lua").get("loaded").asBoolean()).isFalse();
        assertThat(scripts.get("protocol_counter.lua").get("calls").asLong()).isEqualTo(5539);
    }

    @Test
    void printedLinesStayWholeBesideTheProgressBar() {
        final Path out = temp.resolve("out");
        final Outcome run = trawl("run", "--source", "pcap:" + SharedCorpus.sixteenMinutes(), "--out", out.toString(),
            "--script", testScript("printer.lua").toString(), "--progress", "always", "--speed", "topspeed");
        assertThat(run.exitCode()).isZero();
        // the console clears the bar ("\r\e[K"), writes the whole line, then redraws the bar after it
        final List<String> printed = Arrays.stream(run.out().split("\n"))
            .map(line -> line.substring(line.lastIndexOf("\u001b[K") + 1 + ("\u001b[K".length() - 1)))
            .filter(line -> line.startsWith("syn\t")).toList();
        assertThat(printed).hasSize(295).allMatch(line -> line.matches("syn\t06A:[0-9A-F.]{11}:p-[0-9A-F]{4}_[0-9A-F.]{11}:p-[0-9A-F]{4}\tend-of-line"));
    }

    @Test
    void theDemoRunsEveryExampleScriptWithoutErrors() throws IOException {
        ExternalTool.require("tshark", "tshark");
        final Path out = temp.resolve("demo");
        final Outcome run = trawl("demo", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        final JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        final JsonNode scripts = summary.get("scripts");
        try (Stream<Path> files = Files.list(exampleScripts())) {
            assertThat(scripts.size()).isEqualTo((int) files.filter(f -> f.toString().endsWith(".lua")).count());
        }
        scripts.forEach(script -> {
            assertThat(script.get("loaded").asBoolean()).isTrue();
            assertThat(script.get("errors").asLong()).as(script.toString()).isZero();
        });
        assertThat(Files.readString(out.resolve("alerts.jsonl"))).doesNotContain("tour-check");
        assertThat(Files.readString(out.resolve("counters.jsonl"))).isNotEmpty();
    }
}

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
    void stagedFilesOutliveOnfileHttpUntilTheTAsyncCopiesThatReadThemFinished() throws IOException {
        final Path out = temp.resolve("async");
        final Outcome run = trawl("run", "--source", "pcap:" + TrawlHome.demoCapture(), "--out", out.toString(),
            "--script", testScript("filex_async.lua").toString(), "--progress", "never");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(hashesOf(out, "async-")).containsExactlyInAnyOrderElementsOf(demoChecksums());
        final JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("scripts").get("filex_async.lua").get("errors").asLong()).isZero();
        final JsonNode files = summary.get("files");
        assertThat(files.get("files_reported").asLong()).isEqualTo(11); // 9 bodies and the 2 parts of the large one
        assertThat(files.get("deleted").asLong()).isEqualTo(files.get("files_reported").asLong());
        assertThat(files.get("still_staged").asLong()).isZero();
        try (Stream<Path> staged = Files.list(out.resolve("state").resolve("filex"))) {
            assertThat(staged.toList()).as("staging directory after the run").isEmpty();
        }
    }

    /** SHA-256 of every file in {@code dir} whose name starts with {@code prefix}. */
    private static List<String> hashesOf(final Path dir, final String prefix) throws IOException {
        final List<String> hashes = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                hashes.add(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file))));
            }
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return hashes;
    }

    /** The SHA-256 of every file the demo capture downloads. */
    private static List<String> demoChecksums() throws IOException {
        return Files.readAllLines(Path.of(TrawlHome.demoCapture() + ".sha256")).stream().map(line -> line.substring(0, 64)).toList();
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
        // http_files.lua saved every downloaded file (the large one from its parts): the demo's checksums
        assertThat(hashesOf(out, "extracted-")).containsExactlyInAnyOrderElementsOf(demoChecksums());
        assertThat(summary.get("files").get("mode").asText()).isEqualTo("file");
        assertThat(summary.get("files").get("still_staged").asLong()).isZero();
        assertThat(summary.get("reassembly").get("flows").asLong()).isPositive();
        // the T.async examples: every job finished, async_save.lua saved and hashed every download
        final JsonNode async = summary.get("async");
        assertThat(async.get("submitted").asLong()).isPositive();
        assertThat(async.get("failed").asLong()).as(async.toString()).isZero();
        assertThat(async.get("rejected").asLong()).isZero();
        assertThat(async.get("completed").asLong()).isEqualTo(async.get("submitted").asLong());
        assertThat(hashesOf(out.resolve("saved"), "")).containsExactlyInAnyOrderElementsOf(demoChecksums());
        // the same figures are in counters.dat, for `trawl counters` while a run goes on
        final Outcome counters = trawl("counters", "--state", out.resolve("state").toString());
        assertThat(counters.out()).containsPattern("\\b" + String.format("%,d", async.get("submitted").asLong())
            + "\\s+pipeline 0: T.async jobs submitted");
        assertThat(counters.out()).containsPattern("\\b0\\s+pipeline 0: T.async jobs of this pipeline not finished yet");
        final List<String> hashedResources = Files.readAllLines(out.resolve("resources.jsonl")).stream()
                .map(line -> readJson(line)).filter(r -> r.get("contents").asText().startsWith("sha256 "))
                .map(r -> r.get("contents").asText().substring(7)).toList();
        assertThat(hashedResources).containsExactlyInAnyOrderElementsOf(demoChecksums());
    }

    private static JsonNode readJson(final String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.trawl.async.lua;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * T.async with HTTP file extraction on 16minutes.pcap, against tshark's exported objects: the seed example
 * from Trisul's documentation, saving files with copy/cat, and copybuffer from onpayload_http with and
 * without seekpos, with 1 and 4 workers.
 */
class AsyncFilesTest {
    @TempDir
    Path temp;

    private static Path deployScript(final String name) {
        return Path.of(System.getProperty("trawl.project.dir", "..")).resolve("deploy/scripts").resolve(name);
    }

    static String hash(final String algorithm, final byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** tshark's HTTP objects: algorithm → list of hashes. */
    private List<String> tsharkObjects(final String algorithm) throws IOException {
        ExternalTool.require("tshark", "tshark");
        final Path dir = temp.resolve("tshark");
        Files.createDirectories(dir);
        ExternalTool.run("tshark", "-n", "-r", SharedCorpus.sixteenMinutes().toString(), "-q", "--export-objects", "http," + dir);
        final List<String> hashes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.toList()) {
                hashes.add(hash(algorithm, Files.readAllBytes(file)));
            }
        }
        return hashes;
    }

    /**
     * Every hash is one of tshark's objects; tshark has at most one object trawl does not deliver (the
     * bytes a server sent past a Content-Length, which tshark exports as an extra object: see
     * HttpExtractionTest).
     */
    private static void assertMatches(final List<String> ours, final List<String> tshark) {
        final List<String> remaining = new ArrayList<>(tshark);
        for (final String hash : ours) {
            assertThat(remaining.remove(hash)).as("%s is one of tshark's objects", hash).isTrue();
        }
        assertThat(remaining).as("tshark objects trawl did not produce").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void theSeedExamplePrintsTheSha1OfEveryExtractedFile() throws IOException {
        final AsyncScriptRun run = AsyncScriptRun.run(SharedCorpus.sixteenMinutes(), temp.resolve("out"), 1,
            List.of(deployScript("async_sha1.lua")), Map.of());
        final Pattern line = Pattern.compile("^The SHA1 sum of  (\\S+) IS ([0-9a-f]{40})  (\\S+)\\s*$", Pattern.DOTALL);
        final List<String> lines = run.printedStartingWith("The SHA1 sum of");
        final JsonNode files = run.summary.get("files");
        assertThat(lines).hasSize(files.get("files_reported").asInt());
        final List<String> complete = new ArrayList<>();
        final Pattern emptySha1 = Pattern.compile("da39a3ee5e6b4b0d3255bfef95601890afd80709");
        for (final String printed : lines) {
            final Matcher m = line.matcher(printed);
            assertThat(m.matches()).as(printed).isTrue();
            assertThat(m.group(1)).isEqualTo(m.group(3));
            if (!emptySha1.matcher(m.group(2)).matches() && !printed.contains(".part")) {
                complete.add(m.group(2));
            }
        }
        // partial bodies (cut by the end of the capture) are not among tshark's objects: leave them out
        final List<String> partial = run.printed.stream().filter(p -> p.startsWith("partial ")).toList();
        assertThat(partial).isEmpty();
        final List<String> tshark = tsharkObjects("SHA-1");
        final List<String> unmatched = complete.stream().filter(h -> !tshark.contains(h)).toList();
        assertThat(unmatched).as("only the body cut by the end of the capture is not a tshark object").hasSizeLessThanOrEqualTo(
            (int) files.get("partial").asLong());
        assertThat(complete.size() - unmatched.size()).isGreaterThanOrEqualTo(tshark.size() - 1);
        assertThat(run.async().get("failed").asLong()).isZero();
        assertThat(run.async().get("completed").asLong()).isEqualTo(lines.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void filesSavedWithCopyCatAndCopybufferHashLikeTshark(final int workers) throws IOException {
        final Path script = AsyncScriptRun.script(temp.resolve("scripts"), "save.lua", """
            TrisulPlugin = {
              id = { name = "save", description = "copy, cat and copybuffer" },
              request_async_workers = %d,
              onload = function() T.names = {} end,
              filex_monitor = {
                onfile_http = function(engine, ts, flowkey, path, req, resp, length, is_partial)
                  if length == 0 or is_partial then return end
                  local name = path:match("^.+/(.+)$")
                  T.async:copy(path, "copied/" .. name)
                  T.async:cat(path, "catted/" .. name)
                end,
                onpayload_http = function(engine, ts, flowkey, path, req, resp, direction, seekpos, buffer)
                  local key = flowkey:id() .. (req and req:get_path() or "")
                  if seekpos == 0 and buffer:size() > 0 then
                    T.names[key] = (T.names[key] or 0) + 1
                  end
                  local name = tostring(T.util.hash(key)) .. "-" .. (T.names[key] or 0)
                  if buffer:size() > 0 then
                    T.async:copybuffer(buffer, "appended/" .. name)
                    T.async:copybuffer(buffer, "positioned/" .. name, seekpos)
                  end
                end,
              },
            }""".formatted(workers));
        final AsyncScriptRun run = AsyncScriptRun.run(SharedCorpus.sixteenMinutes(), temp.resolve("out"), 1, List.of(script), Map.of());
        assertThat(run.async().get("failed").asLong()).as("%s", run.warnings).isZero();
        assertThat(run.async().get("workers").asInt()).isEqualTo(workers);
        final List<String> tshark = tsharkObjects("SHA-256");
        assertMatches(hashes(run.out.resolve("copied")), tshark);
        assertMatches(hashes(run.out.resolve("catted")), tshark);
        // onpayload_http also delivers bodies cut by the end of the capture; leave out the one partial body
        final List<String> appended = hashes(run.out.resolve("appended"));
        final List<String> positioned = hashes(run.out.resolve("positioned"));
        assertThat(positioned).containsExactlyInAnyOrderElementsOf(appended);
        final List<String> notTshark = appended.stream().filter(h -> !tshark.contains(h)).toList();
        assertThat(notTshark).hasSizeLessThanOrEqualTo((int) run.summary.get("files").get("partial").asLong());
        assertThat(appended.size() - notTshark.size()).isGreaterThanOrEqualTo(tshark.size() - 1);
    }

    private static List<String> hashes(final Path dir) throws IOException {
        final List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.toList()) {
                out.add(hash("SHA-256", Files.readAllBytes(file)));
            }
        }
        return out;
    }

    @Test
    void blockingOnexecuteNeverSlowsOrDropsTheFastPath() {
        final Path script = AsyncScriptRun.script(temp.resolve("scripts"), "slow.lua", """
            TrisulPlugin = {
              id = { name = "slow", description = "a slow job per file" },
              filex_monitor = {
                onfile_http = function(engine, ts, flowkey, path)
                  T.async:schedule({ data = path, onexecute = function() os.execute("sleep 0.05") return "ok" end })
                end,
              },
            }""");
        final AsyncScriptRun slow = AsyncScriptRun.run(SharedCorpus.sixteenMinutes(), temp.resolve("slow"), 1, List.of(script), Map.of());
        final AsyncScriptRun plain = AsyncScriptRun.run(SharedCorpus.sixteenMinutes(), temp.resolve("plain"), 1, List.of(), Map.of());
        for (final String key : List.of("packets", "bytes", "flows")) {
            assertThat(slow.summary.get(key)).as(key).isEqualTo(plain.summary.get(key));
        }
        slow.summary.get("drops").fields().forEachRemaining(e -> assertThat(e.getValue().asLong()).as(e.getKey()).isZero());
        assertThat(slow.async().get("completed").asLong()).isEqualTo(slow.summary.get("files").get("files_reported").asLong());
        assertThat(slow.async().get("rejected").asLong()).isZero();
    }
}

package io.trawl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trawl.testsupport.ExternalTool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real launcher ({@code ./trawl}) as a user runs it: no JAVA_HOME, the machine's default java (17)
 * first on PATH. Runs after {@code package} (failsafe), against the built jar — and once from a fresh
 * clone, where the launcher has to build the project itself.
 */
class LauncherIT {
    private static final Path PROJECT = Path.of(System.getProperty("trawl.project.dir", "..")).toAbsolutePath().normalize();
    private static final String PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin";

    @TempDir
    Path temp;

    record Outcome(int exitCode, String out, String err) {
    }

    private Outcome launch(final Path launcher, final Path workingDirectory, final Map<String, String> extraEnv,
                           final long timeoutSeconds, final String... args) throws IOException, InterruptedException {
        final ProcessBuilder builder = new ProcessBuilder();
        builder.command().add(launcher.toString());
        builder.command().addAll(List.of(args));
        builder.directory(workingDirectory.toFile());
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("MAVEN_ARGS");
        builder.environment().put("PATH", PLAIN_PATH);
        builder.environment().putAll(extraEnv);
        final Path out = temp.resolve("launch-" + System.nanoTime() + ".out");
        final Path err = temp.resolve("launch-" + System.nanoTime() + ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        final Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("launcher did not finish in " + timeoutSeconds + " s: " + Files.readString(err));
        }
        return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void demoRunsWithoutJavaHomeFindingJdk25ByItself() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROJECT.resolve("deploy/target/trawl.jar")), "package first");
        final Outcome version = launch(PROJECT.resolve("trawl"), temp, Map.of(), 120, "--version");
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).contains("Java 25");
        final Outcome demo = launch(PROJECT.resolve("trawl"), temp, Map.of(), 300, "demo");
        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("completed").doesNotContain("\r");
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("trawl-out/demo/summary.json").toFile());
        assertThat(summary.get("packets").asLong()).isGreaterThan(9000);
        assertThat(summary.get("status").asText()).isEqualTo("completed");
    }

    @Test
    void theLauncherUsesTheBuildsAotCacheWhileItIsFreshAndRunsWithoutItOtherwise() throws Exception {
        final Path cache = PROJECT.resolve("deploy/target/trawl.aot");
        final Path jar = PROJECT.resolve("deploy/target/trawl.jar");
        Assumptions.assumeTrue(Files.exists(cache) && Files.exists(jar), "no AOT cache (built with -Dtrawl.aot.skip=true)");
        final Map<String, String> logAot = Map.of("TRAWL_JAVA_OPTS", "-Xlog:aot=info");
        final Outcome fresh = launch(PROJECT.resolve("trawl"), temp, logAot, 120, "--version");
        assertThat(fresh.exitCode()).as(fresh.err()).isZero();
        assertThat(fresh.out() + fresh.err()).contains("Opened AOT cache " + cache);
        final Outcome off = launch(PROJECT.resolve("trawl"), temp, Map.of("TRAWL_JAVA_OPTS", "-Xlog:aot=info", "TRAWL_AOT", "off"),
            120, "--version");
        assertThat(off.exitCode()).isZero();
        assertThat(off.out() + off.err()).contains("Java 25").doesNotContain("trawl.aot");
        final java.nio.file.attribute.FileTime trained = Files.getLastModifiedTime(cache);
        try {
            // a jar rebuilt after the cache was trained: the JVM would refuse the cache, so the launcher leaves it out
            Files.setLastModifiedTime(cache, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(jar).toMillis() - 3_600_000L));
            final Outcome stale = launch(PROJECT.resolve("trawl"), temp, logAot, 120, "--version");
            assertThat(stale.exitCode()).isZero();
            assertThat(stale.out() + stale.err()).contains("Java 25").doesNotContain("trawl.aot");
            final Outcome quiet = launch(PROJECT.resolve("trawl"), temp, Map.of(), 120, "--version");
            assertThat(quiet.err()).isEmpty();
        } finally {
            Files.setLastModifiedTime(cache, trained);
        }
    }

    @Test
    void aJavaHomeOlderThan25IsIgnoredAndNoJdkIsAClearMessage() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROJECT.resolve("deploy/target/trawl.jar")), "package first");
        final Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        Assumptions.assumeTrue(Files.isDirectory(jdk17), "no JDK 17 here");
        final Outcome withOld = launch(PROJECT.resolve("trawl"), temp, Map.of("JAVA_HOME", jdk17.toString()), 120, "--version");
        assertThat(withOld.exitCode()).isZero();
        assertThat(withOld.out()).contains("Java 25");
        final Outcome none = launch(PROJECT.resolve("trawl"), temp,
            Map.of("JAVA_HOME", jdk17.toString(), "TRAWL_JDK_DIRS", "/nonexistent"), 60, "--version");
        assertThat(none.exitCode()).isNotZero();
        assertThat(none.err()).contains("needs a JDK 25 or newer").contains("JAVA_HOME=" + jdk17 + " is version 17");
    }

    @Test
    void sigtermFinishesARunCleanlyWithOutputsWritten() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROJECT.resolve("deploy/target/trawl.jar")), "package first");
        final ProcessBuilder builder = new ProcessBuilder(PROJECT.resolve("trawl").toString(), "run", "--speed", "realtime",
            "--out", temp.resolve("term").toString());
        builder.environment().remove("JAVA_HOME");
        builder.environment().put("PATH", PLAIN_PATH);
        builder.redirectErrorStream(true).redirectOutput(temp.resolve("term.log").toFile());
        final Process process = builder.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(temp.resolve("term.log")).contains("threads:") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        // the launcher execs java, so its pid is the JVM's
        new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(temp.resolve("term.log"))).isZero();
        final JsonNode summary = new ObjectMapper().readTree(temp.resolve("term/summary.json").toFile());
        assertThat(summary.get("status").asText()).isEqualTo("stopped");
        assertThat(summary.get("stop_reason").asText()).isEqualTo("SIGTERM");
        assertThat(Files.readString(temp.resolve("term.log"))).contains("finishing");
    }

    @Test
    void aFreshCloneBuildsItselfOnFirstUse() throws Exception {
        Assumptions.assumeTrue(ExternalTool.available("git") && Files.isDirectory(PROJECT.resolve(".git")), "not a git checkout");
        final Path clone = temp.resolve("clone");
        ExternalTool.run("git", "clone", "-q", PROJECT.toString(), clone.toString());
        Assumptions.assumeTrue(Files.exists(clone.resolve("trawl")), "launcher not committed yet");
        final Outcome demo = launch(clone.resolve("trawl"), temp, Map.of(), 900, "demo");
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.err()).contains("first use: building");
        assertThat(demo.out()).contains("completed");
        assertThat(Files.exists(clone.resolve("deploy/target/trawl.jar"))).isTrue();
    }
}

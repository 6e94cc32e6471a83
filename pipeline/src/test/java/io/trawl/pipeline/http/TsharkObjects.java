package io.trawl.pipeline.http;

import io.trawl.testsupport.ExternalTool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tshark {@code --export-objects http} as the oracle for extracted bodies, with the two documented
 * differences: bodies cut short by the end of the capture are delivered by trawl marked partial (tshark
 * drops them), and tshark also exports the bytes a server sent beyond a response's Content-Length as a
 * separate object ("Continuation"), which trawl does not treat as a body. Each tshark-only object must be
 * exactly such excess: it sits in a server stream right after a complete body trawl delivered.
 */
public final class TsharkObjects {
    private TsharkObjects() {
    }

    /** Runs tshark's export into {@code dir}; every exported object. */
    public static List<byte[]> export(final Path capture, final Path dir) throws IOException {
        ExternalTool.require("tshark", "tshark");
        Files.createDirectories(dir);
        ExternalTool.run("tshark", "-n", "-r", capture.toString(), "-q", "--export-objects", "http," + dir);
        final List<byte[]> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.sorted().toList()) {
                objects.add(Files.readAllBytes(file));
            }
        }
        return objects;
    }

    /**
     * Asserts that the complete bodies trawl delivered are exactly tshark's objects, up to the documented
     * differences, and that no partial body is among tshark's objects.
     *
     * @param complete      complete, non-empty bodies trawl delivered
     * @param partial       bodies trawl marked partial
     * @param serverStreams the reassembled server→client streams of the capture
     */
    public static void assertAgrees(final Path capture, final Path dir, final List<byte[]> complete,
                                    final List<byte[]> partial, final List<byte[]> serverStreams) throws IOException {
        final Map<String, byte[]> content = new HashMap<>();
        final List<String> tsharkOnly = new ArrayList<>();
        for (final byte[] object : export(capture, dir)) {
            final String hash = HttpCapture.sha256(object);
            content.put(hash, object);
            tsharkOnly.add(hash);
        }
        for (final byte[] body : complete) {
            final String hash = HttpCapture.sha256(body);
            assertThat(tsharkOnly.remove(hash)).as("trawl body %s (%d bytes) is a tshark object", hash, body.length).isTrue();
        }
        for (final String hash : tsharkOnly) {
            final byte[] excess = content.get(hash);
            assertThat(followsACompleteBody(excess, serverStreams, complete))
                .as("tshark-only object %s (%d bytes) is excess data after a complete body", hash, excess.length).isTrue();
        }
        assertThat(tsharkOnly.size()).as("tshark-only objects").isLessThanOrEqualTo(1);
        for (final byte[] body : partial) {
            assertThat(content).doesNotContainKey(HttpCapture.sha256(body));
        }
    }

    private static boolean followsACompleteBody(final byte[] excess, final List<byte[]> streams, final List<byte[]> bodies) {
        for (final byte[] stream : streams) {
            for (int at = indexOf(stream, excess, 0); at >= 0; at = indexOf(stream, excess, at + 1)) {
                for (final byte[] body : bodies) {
                    final int start = at - body.length;
                    if (start >= 0 && Arrays.equals(stream, start, at, body, 0, body.length)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int indexOf(final byte[] haystack, final byte[] needle, final int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

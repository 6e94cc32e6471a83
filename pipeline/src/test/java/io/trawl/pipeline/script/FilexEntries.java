package io.trawl.pipeline.script;

import io.trawl.pipeline.http.HttpCapture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the filex test scripts (lib/filex_test.lua) wrote: OUT/filex-<pipeline>.tsv and the copies. */
record FilexEntries(List<Entry> files, List<Entry> bodies) {
    private static final Pattern PART = Pattern.compile("^(.+)\\.(\\d+)\\.part$");

    /**
     * One line: {@code file <copy> <staged path> <length> <is_partial> <status> <uri> <flowkey>} or
     * {@code body <copy> <body path> <length> <directions> <status> <uri> <flowkey>}.
     */
    record Entry(String kind, String path, long length, String flag, int status, String uri, String flowKey, byte[] content) {
        boolean partial() {
            return "true".equals(flag);
        }

        String sha256() {
            return HttpCapture.sha256(content);
        }

        /** For a part ({@code <base>.<offset>.part}): the base path; else the path. */
        String basePath() {
            final Matcher m = PART.matcher(path);
            return m.matches() ? m.group(1) : path;
        }

        /** For a part: its offset in the body; else -1. */
        long partOffset() {
            final Matcher m = PART.matcher(path);
            return m.matches() ? Long.parseLong(m.group(2)) : -1;
        }
    }

    static FilexEntries read(final Path out) {
        final List<Entry> files = new ArrayList<>();
        final List<Entry> bodies = new ArrayList<>();
        try (Stream<Path> list = Files.list(out)) {
            for (final Path tsv : list.filter(p -> p.getFileName().toString().matches("filex-\\d+\\.tsv")).sorted().toList()) {
                for (final String line : Files.readAllLines(tsv, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    final String[] f = line.split("\t", -1);
                    final Entry entry = new Entry(f[0], f[2], Long.parseLong(f[3]), f[4], Integer.parseInt(f[5]), f[6], f[7],
                        Files.readAllBytes(Path.of(f[1])));
                    (entry.kind().equals("file") ? files : bodies).add(entry);
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FilexEntries(files, bodies);
    }

    /** Files that hold a whole body (not a part, not cut short). */
    List<Entry> completeFiles() {
        return files.stream().filter(f -> !f.partial()).toList();
    }

    /** Bodies whose staged file was whole (file mode). */
    List<Entry> completeBodies() {
        final java.util.Set<String> whole = new java.util.HashSet<>();
        completeFiles().forEach(f -> whole.add(f.path()));
        return bodies.stream().filter(b -> whole.contains(b.path())).toList();
    }
}

package io.trawl.pipeline.filex;

import java.nio.file.Path;

/**
 * Builds staging file names from traffic (host and URI) that can never leave the staging directory:
 * every character outside {@code [A-Za-z0-9._-]} becomes {@code _} (so no {@code /}, {@code \}, NUL or
 * percent-encoded separator survives), leading dots are removed (no {@code ..}, no hidden files), each
 * part is bounded in length, and a unique id ends the name. The resolved path is checked to be a direct
 * child of the directory as a last line of defence.
 */
public final class StagingNames {
    private static final int MAX_PART = 64;

    private StagingNames() {
    }

    /** {@code <dir>/<host>-<last URI segment>-<unique>}, sanitised. */
    public static Path path(final Path directory, final String host, final String uri, final String unique) {
        final String name = sanitize(host.isEmpty() ? "unknown-host" : host) + "-" + sanitize(lastSegment(uri)) + "-" + sanitize(unique);
        final Path dir = directory.toAbsolutePath().normalize();
        final Path file = dir.resolve(name).normalize();
        if (!dir.equals(file.getParent())) {
            throw new IllegalStateException("staging name escaped its directory: " + name);
        }
        return file;
    }

    static String lastSegment(final String uri) {
        String path = uri;
        final int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        final int slash = path.lastIndexOf('/');
        final String last = slash >= 0 ? path.substring(slash + 1) : path;
        return last.isEmpty() ? "index" : last;
    }

    /** Keeps {@code [A-Za-z0-9._-]}, replaces the rest with {@code _}, strips leading dots, bounds the length. */
    public static String sanitize(final String text) {
        final StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_PART));
        for (int i = 0; i < text.length() && out.length() < MAX_PART; i++) {
            final char c = text.charAt(i);
            final boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
            out.append(safe ? c : '_');
        }
        int start = 0;
        while (start < out.length() && out.charAt(start) == '.') {
            start++;
        }
        final String result = out.substring(start);
        return result.isEmpty() ? "_" : result;
    }
}

package io.trawl.async.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Confines T.async file operations to allowed roots (the output and state directories, plus
 * {@code --allow-path} / {@code async.allowed_roots}). At submission the check is lexical and cheap
 * ({@link #confine}): relative paths resolve against the output directory, any {@code ..} segment is
 * refused, the normalized path must lie under a root. When the job runs, {@link #checkReal} resolves
 * symlinks of the deepest existing ancestor and refuses a path whose real location leaves the roots.
 *
 * <p>Thread-safe (immutable).
 */
public final class PathPolicy {
    private final Path base;
    private final List<Path> roots;
    private final List<Path> realRoots;

    /**
     * @param base  where relative paths resolve (the output directory)
     * @param roots allowed roots
     */
    public PathPolicy(final Path base, final List<Path> roots) {
        this.base = base.toAbsolutePath().normalize();
        this.roots = roots.stream().map(r -> r.toAbsolutePath().normalize()).distinct().toList();
        final List<Path> real = new ArrayList<>();
        for (final Path root : this.roots) {
            real.add(realOrSelf(root));
        }
        this.realRoots = List.copyOf(real);
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * The absolute, normalized path for a script's argument.
     *
     * @param method the T.async method, for the message
     * @throws PathRefusedException naming the option that would allow it
     */
    public Path confine(final String method, final String raw) throws PathRefusedException {
        if (raw == null || raw.isEmpty()) {
            throw new PathRefusedException("T.async:" + method + " refused an empty path");
        }
        if (raw.indexOf('\0') >= 0) {
            throw new PathRefusedException("T.async:" + method + " refused a path containing NUL");
        }
        final Path given;
        try {
            given = Path.of(raw);
        } catch (final RuntimeException e) {
            throw new PathRefusedException("T.async:" + method + " refused '" + raw + "': not a valid path");
        }
        for (final Path part : given) {
            if (part.toString().equals("..")) {
                throw new PathRefusedException("T.async:" + method + " refused '" + raw + "': '..' is not allowed in T.async paths");
            }
        }
        final Path path = base.resolve(given).normalize();
        for (final Path root : roots) {
            if (path.startsWith(root)) {
                return path;
            }
        }
        throw new PathRefusedException("T.async:" + method + " refused '" + raw + "': outside the allowed roots " + roots
            + "; allow it with --allow-path " + suggestion(path) + " (config key async.allowed_roots)");
    }

    /**
     * Refuses a confined path whose real location (symlinks resolved on the deepest existing ancestor)
     * is outside every root. Worker thread, at execution.
     */
    public void checkReal(final String method, final Path path) throws PathRefusedException {
        Path current = path;
        for (int hops = 0; hops < 40; hops++) {
            Path existing = current;
            while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return;
            }
            final Path rest = existing.relativize(current);
            if (Files.isSymbolicLink(existing)) {
                // a link whose target does not exist (yet): follow it by hand
                try {
                    final Path target = Files.readSymbolicLink(existing);
                    current = existing.resolveSibling(target).resolve(rest).normalize();
                } catch (final IOException e) {
                    throw new PathRefusedException("T.async:" + method + " refused '" + path + "': unreadable symlink " + existing);
                }
                continue;
            }
            final Path real = realOrSelf(existing).resolve(rest).normalize();
            for (final Path root : realRoots) {
                if (real.startsWith(root)) {
                    return;
                }
            }
            throw new PathRefusedException("T.async:" + method + " refused '" + path + "': it leads to " + real
                + " through a symlink, outside the allowed roots " + roots);
        }
        throw new PathRefusedException("T.async:" + method + " refused '" + path + "': too many symlinks");
    }

    private static Path suggestion(final Path path) {
        final Path parent = path.getParent();
        return parent == null ? path : parent;
    }

    private static Path realOrSelf(final Path path) {
        try {
            return Files.exists(path) ? path.toRealPath() : path;
        } catch (final IOException e) {
            return path;
        }
    }
}

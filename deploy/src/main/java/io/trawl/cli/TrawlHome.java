package io.trawl.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where trawl's bundled files are: the {@code deploy/} directory of a checkout or installation (example
 * scripts in {@code scripts/}, sample config), found from the running jar ({@code deploy/target/trawl.jar})
 * or the {@code trawl.home} system property.
 */
public final class TrawlHome {
    private TrawlHome() {
    }

    /** The deploy directory. */
    public static Path directory() {
        final String property = System.getProperty("trawl.home");
        if (property != null) {
            return Path.of(property).toAbsolutePath();
        }
        try {
            final Path code = Path.of(TrawlHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // deploy/target/trawl.jar or deploy/target/classes
            final Path target = code.getParent();
            final Path deploy = target.getParent();
            if (deploy != null && Files.isDirectory(deploy.resolve("scripts"))) {
                return deploy;
            }
            return target;
        } catch (final URISyntaxException | SecurityException e) {
            return Path.of(".").toAbsolutePath();
        }
    }

    /** Bundled example scripts. */
    public static Path scripts() {
        return directory().resolve("scripts");
    }

    /** Where the demo capture is generated: {@code deploy/target/demo/demo.pcap}. */
    public static Path demoCapture() {
        final Path home = directory();
        final Path target = home.resolve("target");
        return (Files.isDirectory(target) ? target : home).resolve("demo").resolve("demo.pcap");
    }
}

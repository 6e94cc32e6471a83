package io.trawl.capture;

import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the {@link CaptureSourceProvider} for a source spec and opens it. */
public final class CaptureSources {
    private CaptureSources() {
    }

    /** Every registered provider by scheme. */
    public static Map<String, CaptureSourceProvider> providers() {
        final Map<String, CaptureSourceProvider> byScheme = new TreeMap<>();
        for (final CaptureSourceProvider provider : ServiceLoader.load(CaptureSourceProvider.class)) {
            byScheme.put(provider.scheme(), provider);
        }
        return byScheme;
    }

    /**
     * Opens {@code spec} ({@code scheme:argument}).
     *
     * @throws ConfigException naming the {@code source} setting when the spec is malformed or its scheme unknown
     * @throws CaptureException when the source exists but cannot be opened
     */
    public static CaptureSource open(final String spec, final TrawlContext context) {
        final int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new ConfigException(TrawlSettings.SOURCE.key(),
                "'" + spec + "' is not a source spec; expected SCHEME:ARGUMENT, one of " + schemesHelp());
        }
        final String scheme = spec.substring(0, colon);
        final CaptureSourceProvider provider = providers().get(scheme);
        if (provider == null) {
            throw new ConfigException(TrawlSettings.SOURCE.key(),
                "unknown source scheme '" + scheme + "'; known: " + schemesHelp());
        }
        return provider.open(spec.substring(colon + 1), context);
    }

    private static String schemesHelp() {
        final StringBuilder out = new StringBuilder();
        for (final CaptureSourceProvider provider : providers().values()) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(provider.usage());
        }
        return out.toString();
    }
}

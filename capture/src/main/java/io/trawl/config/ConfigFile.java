package io.trawl.config;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a YAML config file into a {@link TrawlContext}. Nested maps flatten to dotted keys; a key that no
 * {@link Setting} declares is an error naming it (and the closest known key, if any).
 */
public final class ConfigFile {
    /** The key under which the config file itself is reported in errors. */
    public static final String KEY = "config";

    private ConfigFile() {
    }

    /** Loads {@code file} into {@code context}. */
    public static void load(final Path file, final TrawlContext context) {
        final String text;
        try {
            text = Files.readString(file);
        } catch (final IOException e) {
            throw new ConfigException(KEY, "cannot read config file " + file + ": " + e.getMessage());
        }
        final Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (final YamlEngineException e) {
            throw new ConfigException(KEY, "config file " + file + " is not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(KEY, "config file " + file + " must be a YAML map of settings");
        }
        final Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", map, flat);
        final String origin = "config " + file;
        for (final Map.Entry<String, Object> entry : flat.entrySet()) {
            final Setting<?> setting = TrawlSettings.byKey(entry.getKey());
            if (setting == null) {
                throw new ConfigException(entry.getKey(), "unknown key in " + file + suggestion(entry.getKey()));
            }
            if (entry.getValue() == null) {
                throw new ConfigException(entry.getKey(), "has no value in " + file);
            }
            context.setRaw(setting, entry.getValue(), origin);
        }
    }

    private static void flatten(final String prefix, final Map<?, ?> map, final Map<String, Object> out) {
        for (final Map.Entry<?, ?> entry : map.entrySet()) {
            final String key = prefix + entry.getKey();
            if (entry.getValue() instanceof Map<?, ?> nested && TrawlSettings.byKey(key) == null) {
                flatten(key + ".", nested, out);
            } else {
                out.put(key, entry.getValue());
            }
        }
    }

    private static String suggestion(final String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final Setting<?> setting : TrawlSettings.all()) {
            final int d = distance(key, setting.key());
            if (d < bestDistance) {
                bestDistance = d;
                best = setting.key();
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(final String a, final String b) {
        final int[] prev = new int[b.length() + 1];
        final int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            System.arraycopy(cur, 0, prev, 0, cur.length);
        }
        return prev[b.length()];
    }
}

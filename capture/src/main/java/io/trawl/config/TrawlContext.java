package io.trawl.config;

import io.trawl.bindings.libc.CpuAffinity;
import io.trawl.bindings.libc.CpuList;
import io.trawl.bindings.libc.Libc;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one configuration object of a trawl process. Filled from the config file and the command line
 * ({@link #set(Setting, Object, String)}), then {@link #conclude()}d: derived defaults are filled in,
 * everything is validated, and the first problem is thrown as a {@link ConfigException} naming the key.
 * After {@code conclude()} the context is read-only and may be read from any thread.
 */
public final class TrawlContext {
    private final Map<Setting<?>, Object> values = new LinkedHashMap<>();
    private final Map<Setting<?>, String> origins = new LinkedHashMap<>();
    private volatile boolean concluded;

    /** Sets a value, remembering where it came from (for messages and the effective-config dump). */
    public <T> TrawlContext set(final Setting<T> setting, final T value, final String origin) {
        if (concluded) {
            throw new IllegalStateException("context already concluded; cannot set " + setting.key());
        }
        values.put(setting, value);
        origins.put(setting, origin);
        return this;
    }

    /** Parses a raw value for a setting and sets it. */
    public TrawlContext setRaw(final Setting<?> setting, final Object raw, final String origin) {
        return setParsed(setting, raw, origin);
    }

    private <T> TrawlContext setParsed(final Setting<T> setting, final Object raw, final String origin) {
        return set(setting, setting.parse(raw, origin), origin);
    }

    /** The value, or the setting's default. */
    @SuppressWarnings("unchecked")
    public <T> T get(final Setting<T> setting) {
        return values.containsKey(setting) ? (T) values.get(setting) : setting.defaultValue();
    }

    /** True when the value was set explicitly (config or command line), not defaulted. */
    public boolean isSet(final Setting<?> setting) {
        return values.containsKey(setting);
    }

    /** Where the value came from: "config FILE", "--option", "derived" or "default". */
    public String origin(final Setting<?> setting) {
        return origins.getOrDefault(setting, "default");
    }

    /**
     * Fills derived defaults and validates. Idempotent.
     *
     * @throws ConfigException naming the first invalid key
     */
    public TrawlContext conclude() {
        if (concluded) {
            return this;
        }
        if (get(TrawlSettings.STATE) == null) {
            set(TrawlSettings.STATE, get(TrawlSettings.OUT).resolve("state"), "derived");
        }
        if (get(TrawlSettings.FILEX_RAMFS_DIR) == null) {
            set(TrawlSettings.FILEX_RAMFS_DIR, get(TrawlSettings.STATE).resolve("filex"), "derived");
        }
        final long ring = get(TrawlSettings.PIPELINE_RING_BYTES);
        if (Long.bitCount(ring) != 1) {
            throw new ConfigException(TrawlSettings.PIPELINE_RING_BYTES.key(),
                "must be a power of two, got " + ring);
        }
        validateCpus();
        concluded = true;
        return this;
    }

    private void validateCpus() {
        final int[] cpus = get(TrawlSettings.CPUS);
        final Integer dispatcherCpu = get(TrawlSettings.DISPATCHER_CPU);
        if (cpus == null && dispatcherCpu == null) {
            return;
        }
        if (cpus != null && cpus.length < pipelines()) {
            throw new ConfigException(TrawlSettings.CPUS.key(), "lists " + cpus.length + " CPU(s) for "
                + pipelines() + " pipelines; give one CPU per pipeline (e.g. --cpus 0-" + (pipelines() - 1) + ")");
        }
        if (!Libc.isAvailable()) {
            throw new ConfigException(TrawlSettings.CPUS.key(), "CPU pinning needs libc through FFM, which is "
                + "unavailable: " + Libc.unavailabilityCause());
        }
        final BitSet allowed = CpuAffinity.allowedCpus();
        if (cpus != null) {
            for (final int cpu : cpus) {
                requireAllowed(TrawlSettings.CPUS, cpu, allowed);
            }
        }
        if (dispatcherCpu != null) {
            requireAllowed(TrawlSettings.DISPATCHER_CPU, dispatcherCpu, allowed);
        }
    }

    private static void requireAllowed(final Setting<?> setting, final int cpu, final BitSet allowed) {
        if (!allowed.get(cpu)) {
            throw new ConfigException(setting.key(), "CPU " + cpu + " is not available to this process "
                + "(available: " + CpuList.format(allowed) + ")");
        }
    }

    /** The settings and their effective values, for logs and {@code trawl run --print-config}. */
    public Map<String, String> effectiveValues() {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final Setting<?> setting : TrawlSettings.all()) {
            final Object value = get(setting);
            if (value != null) {
                out.put(setting.key(), Setting.format(value) + " (" + origin(setting) + ")");
            }
        }
        return out;
    }

    // ---- typed accessors for the settings every component reads ------------------------------

    public String source() {
        return get(TrawlSettings.SOURCE);
    }

    public List<Path> scripts() {
        return get(TrawlSettings.SCRIPTS);
    }

    public Path outDir() {
        return get(TrawlSettings.OUT);
    }

    public Path stateDir() {
        return Objects.requireNonNull(get(TrawlSettings.STATE), "conclude() first");
    }

    public int pipelines() {
        return get(TrawlSettings.PIPELINES);
    }

    /** CPUs for the pipelines in order, or null when unpinned. */
    public int[] cpus() {
        return get(TrawlSettings.CPUS);
    }

    public boolean realtime() {
        return "realtime".equals(get(TrawlSettings.SPEED));
    }

    /** Wall-clock run limit in nanoseconds, or {@code Long.MAX_VALUE}. */
    public long durationNanos() {
        final Double seconds = get(TrawlSettings.DURATION);
        return seconds == null ? Long.MAX_VALUE : (long) (seconds * 1e9);
    }

    /** Packet limit, or {@code Long.MAX_VALUE}. */
    public long packetLimit() {
        final Long count = get(TrawlSettings.COUNT);
        return count == null ? Long.MAX_VALUE : count;
    }
}

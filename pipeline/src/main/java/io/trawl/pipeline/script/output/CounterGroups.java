package io.trawl.pipeline.script.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every counter group of a run: the declared ones (from scripts' {@code countergroup} tables, at load) and
 * those implied by updates to GUIDs nobody declared (Trisul's built-in groups such as Hosts), created on
 * first use with the default bucket size.
 *
 * <p>Threading: declarations happen on the main thread before the pipelines start; lookups and implied
 * groups are safe from any thread.
 */
public final class CounterGroups {
    /** Trisul's built-in Hosts group. */
    public static final String HOSTS = "{4CD742B1-C1CA-4708-BE78-0FCA2EB01A86}";

    private final Map<String, CounterGroupDefinition> byCanonical = new ConcurrentHashMap<>();
    private final List<CounterGroupDefinition> declared = new ArrayList<>();
    private final int defaultBucketSeconds;

    public CounterGroups(final int defaultBucketSeconds) {
        this.defaultBucketSeconds = defaultBucketSeconds;
    }

    /**
     * Declares a group. A second declaration of the same GUID (each pipeline's instance of a script, or
     * two scripts) keeps the first.
     *
     * @return the group's definition
     */
    public synchronized CounterGroupDefinition declare(final String guid, final String name, final Integer bucketSeconds,
                                                       final VarType[] meterTypes) {
        final String canonical = CounterGroupDefinition.canonical(guid);
        final CounterGroupDefinition existing = byCanonical.get(canonical);
        if (existing != null && existing.declared()) {
            return existing;
        }
        final CounterGroupDefinition definition = new CounterGroupDefinition(guid, name,
            bucketSeconds == null ? defaultBucketSeconds : bucketSeconds, meterTypes, true, declared.size());
        declared.add(definition);
        byCanonical.put(canonical, definition);
        return definition;
    }

    /** The group with this GUID (any case), implied if nobody declared it. */
    public CounterGroupDefinition resolve(final String guid) {
        final String canonical = CounterGroupDefinition.canonical(guid);
        final CounterGroupDefinition known = byCanonical.get(canonical);
        if (known != null) {
            return known;
        }
        return byCanonical.computeIfAbsent(canonical, c -> new CounterGroupDefinition(guid,
            HOSTS.equals(c) ? "Hosts" : null, defaultBucketSeconds, new VarType[0], false, Integer.MAX_VALUE));
    }

    /** True when a script declared the group. */
    public boolean isDeclared(final String guid) {
        final CounterGroupDefinition d = byCanonical.get(CounterGroupDefinition.canonical(guid));
        return d != null && d.declared();
    }

    /** The declared groups, in declaration order. */
    public synchronized List<CounterGroupDefinition> declared() {
        return List.copyOf(declared);
    }
}

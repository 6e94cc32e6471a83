package io.trawl.pipeline.script.output;

import java.util.Locale;

/**
 * A counter group, as a script's {@code countergroup} table declares it (or implied by an update to a GUID
 * nobody declared: counters of {@link VarType#COUNTER} with the default bucket size).
 *
 * @param guid          the GUID as declared (written to counters.jsonl)
 * @param name          the group's name
 * @param bucketSeconds bucket size in seconds of packet time
 * @param meterTypes    the aggregation of each meter id (index); ids beyond the array are COUNTER
 * @param declared      false for an implied group
 * @param order         position among all groups (declaration order), for stable output
 */
public record CounterGroupDefinition(String guid, String name, int bucketSeconds, VarType[] meterTypes,
                                     boolean declared, int order) {
    /** Highest meter id accepted. */
    public static final int MAX_METER = 255;

    /** The meter's aggregation. */
    public VarType meterType(final int meter) {
        return meter < meterTypes.length && meterTypes[meter] != null ? meterTypes[meter] : VarType.COUNTER;
    }

    /** The canonical form of a GUID for comparisons: upper case, in braces. GUIDs compare case-insensitively. */
    public static String canonical(final String guid) {
        final String trimmed = guid.trim();
        final String braced = trimmed.startsWith("{") ? trimmed : "{" + trimmed + "}";
        return braced.toUpperCase(Locale.ROOT);
    }

    /** This group's canonical GUID. */
    public String canonicalGuid() {
        return canonical(guid);
    }
}

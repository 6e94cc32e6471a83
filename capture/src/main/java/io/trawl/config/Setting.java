package io.trawl.config;

import java.util.Arrays;

/**
 * One configuration setting, declared once: its dotted config key, the command-line option that sets it
 * (if any), its default, what it means, and how to parse it. The reference in the README and
 * {@code trawl config} is generated from these declarations.
 *
 * @param <T> the value type
 */
public final class Setting<T> {
    private final String key;
    private final String option;
    private final T defaultValue;
    private final String defaultText;
    private final String meaning;
    private final ValueParser<T> parser;

    Setting(final String key, final String option, final T defaultValue, final String defaultText,
            final String meaning, final ValueParser<T> parser) {
        this.key = key;
        this.option = option;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.meaning = meaning;
        this.parser = parser;
    }

    /** The dotted config key, e.g. {@code pipelines} or {@code flow.timeout.tcp}. */
    public String key() {
        return key;
    }

    /** The command-line option that sets this, e.g. {@code --pipelines}, or null if config-only. */
    public String option() {
        return option;
    }

    /** The value when nothing sets it (null: unset, or derived in {@link TrawlContext#conclude()}). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as documentation shows it. */
    public String defaultText() {
        return defaultText;
    }

    /** What the setting means, one or two sentences. */
    public String meaning() {
        return meaning;
    }

    /**
     * Parses a raw value.
     *
     * @param origin where the value came from ("config FILE", "--option"), for the message
     * @throws ConfigException naming the key (and option) when the value is invalid
     */
    public T parse(final Object raw, final String origin) {
        try {
            return parser.parse(raw);
        } catch (final IllegalArgumentException e) {
            throw new ConfigException(key, "bad value from " + origin + ": " + e.getMessage());
        }
    }

    /** The value as text, for messages and the effective-config dump. */
    public static String format(final Object value) {
        if (value instanceof int[] ints) {
            return Arrays.toString(ints);
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return key;
    }
}

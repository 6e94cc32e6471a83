package io.trawl.config;

/**
 * A configuration value is missing, unknown or invalid. The message always names the setting's key (or
 * command-line option) so the operator knows what to fix. The CLI turns it into exit code 2.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(final String key, final String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /** The config key (dotted) the problem is about. */
    public String key() {
        return key;
    }
}

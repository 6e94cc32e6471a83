package io.trawl.pipeline.script.objects;

import java.util.List;

/**
 * What the {@code T} table reaches outside the Lua state: logging, home networks, configuration values
 * and identities. One per Lua state; called on that state's thread.
 */
public interface ScriptEnvironment {
    /** A {@code T.log*} message at a {@code T.K.loglevel} level (0 EMERG .. 8 DEBUG). */
    void log(int level, String message);

    /** True when {@code address} (dotted IPv4, IPv6 text, or a flow-key hex address) is in a home network. */
    boolean isHomenet(String address);

    /** The home networks, as CIDR text. */
    List<String> homenets();

    /** A configuration value for {@code T.env.get_config} ({@code App>DBRoot} form), or null. */
    String config(String path);

    String contextId();

    String probeId();
}

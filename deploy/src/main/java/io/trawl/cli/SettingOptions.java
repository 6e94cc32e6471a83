package io.trawl.cli;

import io.trawl.config.Setting;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;

/**
 * Generates a command's options from the {@link TrawlSettings} that declare one, and copies what the user
 * gave into a {@link TrawlContext} (after the config file, so the command line wins).
 */
final class SettingOptions {
    private SettingOptions() {
    }

    /** Adds an option for every setting that has one. */
    static void addTo(final CommandSpec spec) {
        for (final Setting<?> setting : TrawlSettings.all()) {
            if (setting.option() == null) {
                continue;
            }
            final boolean repeatable = setting.defaultValue() instanceof List<?>;
            final OptionSpec.Builder option = OptionSpec.builder(setting.option())
                .paramLabel(label(setting))
                .description(setting.meaning() + " Default: " + setting.defaultText() + ". Config key: " + setting.key() + ".");
            if (repeatable) {
                option.type(List.class).auxiliaryTypes(String.class);
            } else if (setting.defaultValue() instanceof Boolean) {
                // a flag: --skip-bad-scripts alone means true; --skip-bad-scripts=false also works
                option.type(String.class).arity("0..1").fallbackValue("true");
            } else {
                option.type(String.class);
            }
            spec.addOption(option.build());
        }
    }

    /** Copies the options the user gave into {@code context}. */
    static void apply(final CommandSpec spec, final TrawlContext context) {
        for (final Setting<?> setting : TrawlSettings.all()) {
            if (setting.option() == null) {
                continue;
            }
            final OptionSpec option = spec.findOption(setting.option());
            final Object value = option == null ? null : option.getValue();
            if (value == null || (value instanceof List<?> list && list.isEmpty())) {
                continue;
            }
            context.setRaw(setting, value, setting.option());
        }
    }

    private static String label(final Setting<?> setting) {
        return switch (setting.key()) {
            case "source" -> "SPEC";
            case "scripts" -> "FILE";
            case "lua.lib_dirs" -> "DIR";
            case "out", "state" -> "DIR";
            case "pipelines", "count" -> "N";
            case "cpus" -> "LIST";
            case "speed" -> "topspeed|realtime";
            case "duration" -> "SECONDS";
            case "progress" -> "auto|always|never";
            case "dpdk.eal_args" -> "ARGS";
            default -> "VALUE";
        };
    }
}

package io.trawl.bindings.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Linux capabilities of this process, read from {@code /proc/self/status} ({@code CapEff}), so that
 * an {@code EPERM} can be explained by naming exactly the capabilities that are missing.
 */
public final class Capabilities {
    /** The capabilities capture needs, with their bit numbers from {@code <linux/capability.h>}. */
    public enum Capability {
        CAP_NET_ADMIN(12),
        CAP_NET_RAW(13),
        CAP_IPC_LOCK(14),
        CAP_SYS_ADMIN(21),
        CAP_BPF(39);

        private final int bit;

        Capability(final int bit) {
            this.bit = bit;
        }

        /** The bit number in the capability sets. */
        public int bit() {
            return bit;
        }

        /** The lower-case name {@code setcap}/{@code capsh} use, e.g. {@code cap_net_raw}. */
        public String setcapName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Capabilities() {
    }

    /** The effective capability set, or -1 when it cannot be read (then nothing is reported missing). */
    public static long effective() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (final IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Those of {@code needed} this process does not have in its effective set. */
    public static List<Capability> missing(final Capability... needed) {
        final long effective = effective();
        final List<Capability> missing = new ArrayList<>();
        for (final Capability capability : needed) {
            if (effective != -1 && (effective & (1L << capability.bit())) == 0) {
                missing.add(capability);
            }
        }
        return missing;
    }

    /**
     * A sentence for an {@code EPERM}: which of {@code needed} are missing and how to grant them; or, when
     * none is missing, what else usually causes it.
     */
    public static String explainPermissionDenied(final String what, final Capability... needed) {
        final List<Capability> missing = missing(needed);
        final StringBuilder names = new StringBuilder();
        final StringBuilder setcap = new StringBuilder();
        for (final Capability capability : needed) {
            names.append(names.isEmpty() ? "" : ", ").append(capability.name());
            setcap.append(setcap.isEmpty() ? "" : ",").append(capability.setcapName());
        }
        if (missing.isEmpty()) {
            return what + " needs " + names + "; this process has them, so a security module (SELinux, AppArmor, "
                + "seccomp) or a sysctl (kernel.unprivileged_bpf_disabled) refused it";
        }
        final StringBuilder lacking = new StringBuilder();
        for (final Capability capability : missing) {
            lacking.append(lacking.isEmpty() ? "" : ", ").append(capability.name());
        }
        return what + " needs " + names + " and this process lacks " + lacking + ": run trawl as root, or grant "
            + "them (systemd: AmbientCapabilities=" + names.toString().replace(", ", " ") + "; or setcap "
            + setcap + "+ep on the java binary)";
    }
}

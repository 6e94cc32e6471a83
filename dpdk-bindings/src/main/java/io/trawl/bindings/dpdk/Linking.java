package io.trawl.bindings.dpdk;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Loads the DPDK libraries of a known release once, for {@link Dpdk}'s static initializer: detects the
 * release ({@code rte_version()}), refuses unknown ones, and builds downcall handles. Never throws: the
 * first failure is kept as the {@link #cause()} and later handles come out null, so the facade can offer
 * an {@code isAvailable()} gate instead of a linkage error.
 *
 * <p>Used only during class initialization (single-threaded).
 */
final class Linking {
    private static final int RTLD_NOW = 2;
    private static final int RTLD_NOLOAD = 4;

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup libc = linker.defaultLookup();
    private SymbolLookup dpdk;
    private Throwable cause;
    DpdkAbi abi;
    String version;
    /** {@code dlopen(librte_eal, RTLD_NOLOAD)}: the handle to look thread-local symbols up with. */
    MemorySegment ealDlHandle = MemorySegment.NULL;

    private Linking() {
    }

    static Linking load() {
        final Linking linking = new Linking();
        try {
            linking.loadLibraries();
        } catch (final Throwable t) {
            linking.cause = t;
        }
        return linking;
    }

    private void loadLibraries() throws Throwable {
        final Arena arena = Arena.global();
        final SymbolLookup eal = loadLibrary("eal", arena);
        final MethodHandle rteVersion = linker.downcallHandle(find(eal, "rte_version"),
            FunctionDescriptor.of(Dpdk.C_STRING));
        version = ((MemorySegment) rteVersion.invokeExact()).getString(0);
        final Optional<DpdkAbi> known = DpdkAbi.forVersionString(version);
        if (known.isEmpty()) {
            throw new UnsupportedOperationException(unknownReleaseMessage(version));
        }
        abi = known.get();
        dpdk = eal.or(loadLibrary("mempool", arena)).or(loadLibrary("mbuf", arena)).or(loadLibrary("ethdev", arena));
        final MethodHandle dlopen = linker.downcallHandle(find(libc, "dlopen"),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        ealDlHandle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom("librte_eal.so." + abi.abiVersion()),
            RTLD_NOW | RTLD_NOLOAD);
    }

    /** Why a release that is not in {@link DpdkAbi#KNOWN} is refused. */
    static String unknownReleaseMessage(final String version) {
        return version + " is installed, but trawl's DPDK bindings know only " + knownReleases() + ": the layout "
            + "of rte_eth_fp_ops and rte_mbuf changes between releases, so trawl refuses to guess it. Install "
            + knownReleases() + " (Debian 12: apt-get install " + Dpdk.DEBIAN_PACKAGES + ")";
    }

    private static SymbolLookup loadLibrary(final String component, final Arena arena) {
        final List<Integer> abis = new ArrayList<>(new TreeSet<>(DpdkAbi.KNOWN.stream().map(DpdkAbi::abiVersion).toList()));
        IllegalArgumentException last = null;
        for (final int abiVersion : abis.reversed()) {
            try {
                return SymbolLookup.libraryLookup("librte_" + component + ".so." + abiVersion, arena);
            } catch (final IllegalArgumentException e) {
                last = e;
            }
        }
        final String wanted = "librte_" + component + ".so." + abis.getLast();
        final Set<String> installed = installedVersions(component);
        final String reason = last == null ? "" : " (" + last.getMessage() + ")";
        for (final String path : installed) {
            if (abis.stream().anyMatch(abi -> path.endsWith("librte_" + component + ".so." + abi))) {
                throw new UnsupportedOperationException(path + " is present but cannot be loaded" + reason
                    + "; reinstall the Debian packages " + Dpdk.DEBIAN_PACKAGES + " (apt-get install --reinstall "
                    + Dpdk.DEBIAN_PACKAGES + ")", last);
            }
        }
        if (!installed.isEmpty()) {
            throw new UnsupportedOperationException("found " + String.join(", ", installed) + " but not " + wanted
                + ": trawl's DPDK bindings know only " + knownReleases() + "; the layout of rte_eth_fp_ops and "
                + "rte_mbuf changes between ABI versions, so trawl refuses to guess it. Install " + knownReleases()
                + " (Debian 12: apt-get install " + Dpdk.DEBIAN_PACKAGES + ")", last);
        }
        throw new UnsupportedOperationException("the DPDK libraries are not installed (" + wanted + " not found); "
            + "install the Debian packages " + Dpdk.DEBIAN_PACKAGES + " (apt-get install " + Dpdk.DEBIAN_PACKAGES + ")",
            last);
    }

    /** Other ABI versions of a DPDK library in the usual library directories, for the refusal message. */
    private static Set<String> installedVersions(final String component) {
        final Set<String> found = new LinkedHashSet<>();
        final List<String> directories = new ArrayList<>(List.of("/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/usr/local/lib64",
            "/usr/local/lib/x86_64-linux-gnu"));
        final String ldPath = System.getenv("LD_LIBRARY_PATH");
        if (ldPath != null) {
            directories.addAll(0, List.of(ldPath.split(":")));
        }
        final String prefix = "librte_" + component + ".so.";
        for (final String directory : directories) {
            final Path dir = Path.of(directory.isEmpty() ? "." : directory);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.substring(prefix.length()).matches("\\d+"))
                    .forEach(n -> found.add(dir.resolve(n).toString()));
            } catch (final IOException e) {
                // an unreadable directory has nothing to report
            }
        }
        return found;
    }

    static String knownReleases() {
        final StringBuilder out = new StringBuilder();
        for (final DpdkAbi known : DpdkAbi.KNOWN) {
            out.append(out.isEmpty() ? "" : ", ").append(known);
        }
        return out.toString();
    }

    private static MemorySegment find(final SymbolLookup lookup, final String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the DPDK libraries have no symbol "
            + name + " (a DPDK build without it, or a different release)"));
    }

    /** A downcall handle for a DPDK function, or null once anything has failed. */
    MethodHandle handle(final String name, final FunctionDescriptor descriptor, final Linker.Option... options) {
        if (cause != null) {
            return null;
        }
        try {
            return linker.downcallHandle(find(dpdk, name), descriptor, options);
        } catch (final Throwable t) {
            cause = t;
            return null;
        }
    }

    /** A downcall handle for a libc function, or null once anything has failed. */
    MethodHandle libcHandle(final String name, final FunctionDescriptor descriptor) {
        if (cause != null) {
            return null;
        }
        try {
            return linker.downcallHandle(find(libc, name), descriptor);
        } catch (final Throwable t) {
            cause = t;
            return null;
        }
    }

    /** A downcall handle whose target address is passed on each call (function pointers), or null. */
    MethodHandle pointerHandle(final FunctionDescriptor descriptor, final Linker.Option... options) {
        if (cause != null) {
            return null;
        }
        try {
            return linker.downcallHandle(descriptor, options);
        } catch (final Throwable t) {
            cause = t;
            return null;
        }
    }

    /** The address of an exported DPDK variable, or 0. */
    long dataAddress(final String name) {
        if (cause != null) {
            return 0;
        }
        try {
            return find(dpdk, name).address();
        } catch (final Throwable t) {
            cause = t;
            return 0;
        }
    }

    /** The first failure, or null when everything linked. */
    Throwable cause() {
        return cause;
    }
}

package io.trawl.bindings.dpdk;

import io.trawl.bindings.libc.CpuAffinity;
import io.trawl.bindings.libc.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * The DPDK Environment Abstraction Layer of this process: initialized at most once
 * ({@code rte_eal_init} cannot run twice in a process), cleaned up once, at {@link #cleanup()} or at JVM
 * exit, and polling threads registered with {@code rte_thread_register}.
 *
 * <p>Initialization runs on a short-lived thread of its own: {@code rte_eal_init} pins its calling thread
 * to the main lcore's CPU, which must not happen to a JVM thread that lives on. Packet threads call
 * {@link #registerCurrentThread()} before their first burst (mempool per-lcore caches need an lcore id).
 *
 * <p>Cleanup leaves nothing behind: after {@code rte_eal_cleanup} it deletes the runtime directory
 * ({@code /var/run/dpdk/PREFIX} as root), which DPDK itself leaves in place. That is why every process
 * should use its own {@code --file-prefix} ({@link #processFilePrefix()}): two primaries never share one.
 * A process that could not clean up (SIGKILL, a crash) leaves its directory; the next initialization
 * deletes such {@code trawl-PID-*} directories of processes that no longer exist.
 *
 * <p>Thread safety: every method may be called from any thread; initialization and cleanup are serialized.
 */
public final class Eal {
    private static final Object LOCK = new Object();
    /** Runtime directories of trawl processes: {@code trawl-PID-HEX}, see {@link #processFilePrefix()}. */
    private static final Pattern STALE_CANDIDATE = Pattern.compile("trawl-(\\d{1,10})-[0-9a-f]{6}");
    private static final ThreadLocal<Boolean> REGISTERED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    // guarded by LOCK
    private static List<String> arguments;
    private static Path runtimeDirectory;
    private static boolean cleanedUp;
    private static boolean shutdownHookInstalled;

    private Eal() {
    }

    private static final String PROCESS_FILE_PREFIX = "trawl-" + ProcessHandle.current().pid() + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));

    /**
     * This process's file prefix, {@code trawl-PID-RANDOM}: no other process uses it, and every source of
     * this process asks for the same one (EAL is initialized once per process).
     */
    public static String processFilePrefix() {
        return PROCESS_FILE_PREFIX;
    }

    /**
     * {@code arguments} plus what a JVM process needs unless already given: {@code --file-prefix PREFIX}
     * and {@code -l CPU} (one lcore, the first CPU this process may use; the JVM's threads do the polling,
     * registered with {@link #registerCurrentThread()}, so EAL needs no worker lcores).
     */
    public static List<String> withProcessDefaults(final List<String> arguments, final String filePrefix) {
        final List<String> out = new ArrayList<>(arguments);
        if (!hasOption(arguments, "--file-prefix")) {
            out.add("--file-prefix");
            out.add(filePrefix);
        }
        if (!hasOption(arguments, "-l") && !hasOption(arguments, "-c") && !hasOption(arguments, "--lcores")) {
            final BitSet allowed = Libc.isAvailable() ? CpuAffinity.allowedCpus() : new BitSet();
            out.add("-l");
            out.add(String.valueOf(Math.max(0, allowed.nextSetBit(0))));
        }
        return List.copyOf(out);
    }

    /** True when {@code arguments} contain {@code option} (as {@code option}, {@code option=X} or {@code -lX}). */
    public static boolean hasOption(final List<String> arguments, final String option) {
        for (final String argument : arguments) {
            if (argument.equals(option) || argument.startsWith(option + "=")
                || (option.length() == 2 && !option.startsWith("--") && argument.startsWith(option)
                && !argument.startsWith("--"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Initializes EAL with these arguments (without the program name), or does nothing when this process
     * already did with the same arguments.
     *
     * @throws DpdkException when DPDK is unavailable, when EAL refuses (DPDK prints its reason to
     *                       standard error; the message adds the errno and hints), or when EAL was already
     *                       initialized with other arguments
     */
    public static void initialize(final List<String> ealArguments) {
        Dpdk.ensureAvailable();
        synchronized (LOCK) {
            if (cleanedUp) {
                throw new DpdkException("DPDK EAL was already cleaned up in this process and cannot be "
                    + "initialized again", 0);
            }
            if (arguments != null) {
                if (!arguments.equals(ealArguments)) {
                    throw new DpdkException("DPDK EAL is already initialized in this process with " + arguments
                        + "; it cannot be initialized again with " + ealArguments + " (one EAL per process)", 0);
                }
                return;
            }
            final int[] outcome = new int[2];
            final Thread initializer = Thread.ofPlatform().name("dpdk-eal-init").unstarted(() -> {
                outcome[0] = callInit(ealArguments);
                outcome[1] = outcome[0] < 0 ? Dpdk.rteErrno() : 0;
            });
            initializer.start();
            try {
                initializer.join();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DpdkException("interrupted while DPDK EAL initialized", e);
            }
            final Path directory = currentRuntimeDirectory();
            if (outcome[0] < 0) {
                deleteRecursively(directory);
                final int errno = outcome[1];
                throw new DpdkException("DPDK EAL initialization failed: " + Dpdk.strerror(errno) + " (rte_errno "
                    + errno + "); EAL printed its reason above. Arguments: " + String.join(" ", ealArguments)
                    + ". Machines without hugepages need --no-huge -m 512, machines without a DPDK-bound NIC "
                    + "--no-pci", errno);
            }
            arguments = List.copyOf(ealArguments);
            runtimeDirectory = directory;
            removeStaleRuntimeDirectories(directory);
            if (!shutdownHookInstalled) {
                shutdownHookInstalled = true;
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("dpdk-eal-cleanup")
                    .unstarted(Eal::cleanup));
            }
        }
    }

    private static int callInit(final List<String> ealArguments) {
        // EAL may keep pointers into argv: the strings live as long as the process.
        final Arena arena = Arena.global();
        final MemorySegment argv = arena.allocate(ADDRESS, ealArguments.size() + 2L);
        argv.setAtIndex(ADDRESS, 0, arena.allocateFrom("trawl"));
        for (int i = 0; i < ealArguments.size(); i++) {
            argv.setAtIndex(ADDRESS, i + 1, arena.allocateFrom(ealArguments.get(i)));
        }
        argv.setAtIndex(ADDRESS, ealArguments.size() + 1, MemorySegment.NULL);
        try {
            return (int) Dpdk.RTE_EAL_INIT.invokeExact(ealArguments.size() + 1, argv);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    private static Path currentRuntimeDirectory() {
        try {
            final String directory = ((MemorySegment) Dpdk.RTE_EAL_GET_RUNTIME_DIR.invokeExact()).getString(0);
            return directory.isEmpty() ? null : Path.of(directory);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** True once {@link #initialize(List)} succeeded (and until {@link #cleanup()}). */
    public static boolean isInitialized() {
        synchronized (LOCK) {
            return arguments != null && !cleanedUp;
        }
    }

    /** The arguments EAL was initialized with, or null. */
    public static List<String> arguments() {
        synchronized (LOCK) {
            return arguments;
        }
    }

    /** EAL's runtime directory ({@code /var/run/dpdk/PREFIX} as root), or null before initialization. */
    public static Path runtimeDirectory() {
        synchronized (LOCK) {
            return runtimeDirectory;
        }
    }

    /**
     * Registers the calling thread with EAL ({@code rte_thread_register}) so that it gets an lcore id and
     * mempool caches. Idempotent per thread; call before the thread's first receive burst.
     *
     * @throws DpdkException when EAL is not initialized or has no lcore id left
     */
    public static void registerCurrentThread() {
        if (REGISTERED.get()) {
            return;
        }
        if (!isInitialized()) {
            throw new DpdkException("DPDK EAL is not initialized; cannot register thread "
                + Thread.currentThread().getName(), 0);
        }
        final int rc;
        try {
            rc = (int) Dpdk.RTE_THREAD_REGISTER.invokeExact();
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            final int errno = Dpdk.rteErrno();
            throw new DpdkException("rte_thread_register failed for thread " + Thread.currentThread().getName()
                + ": " + Dpdk.strerror(errno) + " (rte_errno " + errno + ")", errno);
        }
        REGISTERED.set(Boolean.TRUE);
    }

    /**
     * Releases EAL ({@code rte_eal_cleanup}) and deletes its runtime directory. Idempotent; also runs at
     * JVM exit. Every port must be closed and no thread may be inside a DPDK call. EAL cannot be
     * initialized again in this process afterwards.
     */
    public static void cleanup() {
        synchronized (LOCK) {
            if (arguments == null || cleanedUp) {
                return;
            }
            cleanedUp = true;
            try {
                final int rc = (int) Dpdk.RTE_EAL_CLEANUP.invokeExact();
                if (rc != 0) {
                    System.err.println("trawl: rte_eal_cleanup failed: " + Dpdk.strerror(Dpdk.rteErrno()));
                }
            } catch (final Throwable t) {
                throw Dpdk.rethrow(t);
            }
            deleteRecursively(runtimeDirectory);
        }
    }

    /**
     * Deletes the runtime directories that earlier trawl processes left behind when they could not clean
     * up (killed with SIGKILL, crashed): siblings of ours named {@code trawl-PID-HEX} whose process is gone.
     */
    private static void removeStaleRuntimeDirectories(final Path ours) {
        if (ours == null || ours.getParent() == null) {
            return;
        }
        try (Stream<Path> siblings = Files.list(ours.getParent())) {
            for (final Path sibling : siblings.toList()) {
                final Matcher name = STALE_CANDIDATE.matcher(sibling.getFileName().toString());
                if (name.matches() && !sibling.equals(ours)
                    && ProcessHandle.of(Long.parseLong(name.group(1))).map(p -> !p.isAlive()).orElse(true)) {
                    deleteRecursively(sibling);
                }
            }
        } catch (final IOException | NumberFormatException e) {
            // nothing to tidy, or not ours to tidy
        }
    }

    private static void deleteRecursively(final Path directory) {
        if (directory == null || !Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (final IOException e) {
            System.err.println("trawl: cannot delete DPDK runtime directory " + directory + ": " + e.getMessage());
        }
    }
}

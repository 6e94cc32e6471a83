package io.trawl.pipeline.script;

import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.script.lua.InstructionBudget;
import org.luaj.vm2.LuaError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run-time errors of one script (all its instances): each distinct message ({@code file:line: text},
 * with the callback) is printed once when first seen, then only counted. Keeps at most
 * {@value #MAX_DISTINCT} distinct messages; further ones are counted under one entry.
 *
 * <p>Threading: any thread (pipelines, T.async workers); the error path only.
 */
public final class ScriptErrorLog {
    static final int MAX_DISTINCT = 64;
    private static final Pattern INTERPRETED = Pattern.compile("^@?([^\\s:]+):(\\d+):? (.*)$", Pattern.DOTALL);
    private static final Pattern GENERATED_CLASS = Pattern.compile("^lua\\d+_.*");

    private final String script;
    private final RunConsole console;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong overflow = new AtomicLong();

    public ScriptErrorLog(final String script, final RunConsole console) {
        this.script = script;
        this.console = console;
    }

    /**
     * Records an error of {@code callback} ({@code simplecounter.onpacket}).
     *
     * @return the message as logged ({@code file:line: text})
     */
    public String record(final String callback, final Throwable error, final String fileName) {
        return record(callback, error, fileName, null);
    }

    /** As {@link #record(String, Throwable, String)}, using the budget's notes for interpreted stack overflows. */
    public String record(final String callback, final Throwable error, final String fileName,
                         final InstructionBudget budget) {
        String message = describe(error, fileName);
        if (error instanceof StackOverflowError && budget != null && budget.deepCallLocation() != null
            && message.startsWith(fileName + ":?")) {
            message = budget.deepCallLocation() + message.substring(fileName.length() + 2);
        }
        record(callback, message);
        return message;
    }

    /** Records an already formatted message. */
    public void record(final String callback, final String message) {
        final String key = message + " (in " + callback + ")";
        final AtomicLong count = counts.get(key);
        if (count != null) {
            count.incrementAndGet();
            return;
        }
        if (counts.size() >= MAX_DISTINCT) {
            overflow.incrementAndGet();
            return;
        }
        if (counts.putIfAbsent(key, new AtomicLong(1)) == null) {
            console.warn("trawl: script " + script + ": " + key + " — logged once; every occurrence is counted "
                + "(summary.json scripts." + script + ".error_messages)");
        } else {
            counts.get(key).incrementAndGet();
        }
    }

    /** Distinct messages with their counts, most frequent first. */
    public List<Map<String, Object>> messages() {
        final List<Map<String, Object>> out = new ArrayList<>();
        counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
            .forEach(e -> {
                final Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("message", e.getKey());
                entry.put("count", e.getValue().get());
                out.add(entry);
            });
        if (overflow.get() > 0) {
            out.add(Map.of("message", "(other messages beyond " + MAX_DISTINCT + " distinct ones)", "count", overflow.get()));
        }
        return out;
    }

    /** Errors recorded. */
    public long total() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum() + overflow.get();
    }

    /** {@code file:line: text} for an error raised in a callback of the script {@code fileName}. */
    public static String describe(final Throwable error, final String fileName) {
        if (error instanceof InstructionBudget.Exhausted exhausted) {
            final String where = exhausted.location() != null ? exhausted.location() : compiledLocation(error, fileName);
            return where + ": " + error.getMessage();
        }
        if (error instanceof StackOverflowError) {
            return compiledLocation(error, fileName) + ": stack overflow (runaway recursion?)";
        }
        if (error instanceof LuaError) {
            final String raw = firstLine(String.valueOf(error.getMessage()));
            final Matcher m = INTERPRETED.matcher(raw);
            if (m.matches()) {
                return m.group(1) + ":" + m.group(2) + ": " + m.group(3);
            }
            return compiledLocation(error, fileName) + ": " + raw;
        }
        return compiledLocation(error, fileName) + ": internal error: " + error;
    }

    /** The innermost Lua position on the stack of compiled code, or {@code file:?}. */
    static String compiledLocation(final Throwable error, final String fileName) {
        for (final StackTraceElement frame : error.getStackTrace()) {
            if (frame.getFileName() != null && frame.getLineNumber() > 0
                && GENERATED_CLASS.matcher(frame.getClassName()).matches()) {
                return frame.getFileName() + ":" + frame.getLineNumber();
            }
        }
        return fileName + ":?";
    }

    /** Syntax errors come as {@code @file:line: text} or {@code file:line: text}: drop the {@code @}. */
    static String stripChunkPrefix(final String message) {
        final String line = firstLine(String.valueOf(message));
        return line.startsWith("@") ? line.substring(1) : line;
    }

    private static String firstLine(final String text) {
        final String trimmed = text.strip();
        final int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }
}

package io.trawl.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Turns a raw value (a string from the command line, or a scalar or list from YAML) into a typed value.
 * Throws {@link IllegalArgumentException} with a short description of what was expected; {@link Setting}
 * adds the key.
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface ValueParser<T> {
    T parse(Object raw);

    /** A whole number in {@code [min, max]}. */
    static ValueParser<Integer> integer(final int min, final int max) {
        return raw -> {
            final long value = parseLong(raw);
            if (value < min || value > max) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", got " + raw);
            }
            return (int) value;
        };
    }

    /** A whole number in {@code [min, max]}. */
    static ValueParser<Long> longValue(final long min, final long max) {
        return raw -> {
            final long value = parseLong(raw);
            if (value < min || value > max) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", got " + raw);
            }
            return value;
        };
    }

    /** A number of seconds, fractions allowed, greater than 0 (e.g. {@code 30}, {@code 0.5}). */
    static ValueParser<Double> positiveSeconds() {
        return raw -> {
            final double value;
            try {
                value = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(raw).trim());
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("expected a number of seconds, got " + raw);
            }
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("expected a number of seconds greater than 0, got " + raw);
            }
            return value;
        };
    }

    /** A byte size with an optional k/m/g suffix (powers of 1024), within {@code [min, max]} bytes. */
    static ValueParser<Long> bytes(final long min, final long max) {
        return raw -> {
            final String text = String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
            long multiplier = 1;
            String digits = text;
            if (!text.isEmpty()) {
                switch (text.charAt(text.length() - 1)) {
                    case 'k' -> multiplier = 1L << 10;
                    case 'm' -> multiplier = 1L << 20;
                    case 'g' -> multiplier = 1L << 30;
                    default -> multiplier = 1;
                }
                if (multiplier > 1) {
                    digits = text.substring(0, text.length() - 1);
                }
            }
            final long value;
            try {
                value = Math.multiplyExact(Long.parseLong(digits.trim()), multiplier);
            } catch (final NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("expected a size such as 65536, 64k, 4m or 1g, got " + raw);
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("expected a size from " + min + " to " + max + " bytes, got " + raw);
            }
            return value;
        };
    }

    /** Any non-empty string. */
    static ValueParser<String> text() {
        return raw -> {
            final String value = String.valueOf(raw).trim();
            if (value.isEmpty() || raw instanceof List<?> || raw instanceof java.util.Map<?, ?>) {
                throw new IllegalArgumentException("expected a non-empty string, got " + raw);
            }
            return value;
        };
    }

    /**
     * Command-line arguments for another program: a string split the way a shell would (whitespace
     * separates, single or double quotes group, backslash escapes), or a list (a YAML sequence or a
     * repeated option) whose items are each split so. An empty result is allowed.
     */
    static ValueParser<List<String>> arguments() {
        return raw -> {
            final List<?> items = raw instanceof List<?> list ? list : List.of(raw);
            final List<String> out = new ArrayList<>();
            for (final Object item : items) {
                if (item instanceof java.util.Map<?, ?>) {
                    throw new IllegalArgumentException("expected arguments as a string or a list, got " + raw);
                }
                out.addAll(splitArguments(String.valueOf(item)));
            }
            return List.copyOf(out);
        };
    }

    /** Splits {@code text} into arguments as a POSIX shell would (no expansions). */
    static List<String> splitArguments(final String text) {
        final List<String> out = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        boolean inArgument = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < text.length()
                    && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
                    current.append(text.charAt(++i));
                } else {
                    current.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inArgument = true;
            } else if (c == '\\' && i + 1 < text.length()) {
                current.append(text.charAt(++i));
                inArgument = true;
            } else if (Character.isWhitespace(c)) {
                if (inArgument) {
                    out.add(current.toString());
                    current.setLength(0);
                    inArgument = false;
                }
            } else {
                current.append(c);
                inArgument = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced " + quote + " quote in '" + text + "'");
        }
        if (inArgument) {
            out.add(current.toString());
        }
        return out;
    }

    /** A file system path. */
    static ValueParser<Path> path() {
        return raw -> Path.of(text().parse(raw));
    }

    /** {@code true}/{@code false} (also yes/no, on/off). */
    static ValueParser<Boolean> bool() {
        return raw -> {
            if (raw instanceof Boolean b) {
                return b;
            }
            return switch (String.valueOf(raw).trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw new IllegalArgumentException("expected true or false, got " + raw);
            };
        };
    }

    /** One of the given words (case-insensitive); returns it in lower case. */
    static ValueParser<String> choice(final String... choices) {
        return raw -> {
            final String value = String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
            for (final String choice : choices) {
                if (choice.equals(value)) {
                    return choice;
                }
            }
            throw new IllegalArgumentException("expected one of " + String.join("|", choices) + ", got " + raw);
        };
    }

    /** A list: a YAML sequence, or a comma-separated string, of values of {@code element}. */
    static <E> ValueParser<List<E>> listOf(final ValueParser<E> element) {
        return raw -> {
            final List<?> items = raw instanceof List<?> list ? list
                : Arrays.stream(String.valueOf(raw).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            final List<E> out = new ArrayList<>(items.size());
            for (final Object item : items) {
                out.add(element.parse(item));
            }
            return List.copyOf(out);
        };
    }

    /**
     * A CPU list in the kernel's syntax: {@code 1}, {@code 2-5}, {@code 1,3}, {@code 0-1,4-5}; a YAML
     * sequence of numbers also works. Order is kept (it maps CPUs to threads), duplicates are refused.
     */
    static ValueParser<int[]> cpuList() {
        return raw -> {
            final String text = raw instanceof List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(raw).trim();
            final List<Integer> cpus = new ArrayList<>();
            final BitSet seen = new BitSet();
            for (final String part : text.split(",")) {
                final String item = part.trim();
                if (item.isEmpty()) {
                    throw new IllegalArgumentException("expected a CPU list such as 1, 2-5 or 1,3; got '" + text + "'");
                }
                final int dash = item.indexOf('-');
                final int first;
                final int last;
                try {
                    first = Integer.parseInt(dash < 0 ? item : item.substring(0, dash).trim());
                    last = dash < 0 ? first : Integer.parseInt(item.substring(dash + 1).trim());
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException("expected a CPU list such as 1, 2-5 or 1,3; got '" + text + "'");
                }
                if (first < 0 || last < first || last > 1023) {
                    throw new IllegalArgumentException("bad CPU range '" + item + "' (CPUs are 0..1023, low-high)");
                }
                for (int cpu = first; cpu <= last; cpu++) {
                    if (seen.get(cpu)) {
                        throw new IllegalArgumentException("CPU " + cpu + " is listed twice in '" + text + "'");
                    }
                    seen.set(cpu);
                    cpus.add(cpu);
                }
            }
            return cpus.stream().mapToInt(Integer::intValue).toArray();
        };
    }

    private static long parseLong(final Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            return ((Number) raw).longValue();
        }
        try {
            return Long.parseLong(String.valueOf(raw).trim().replace("_", ""));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, got " + raw);
        }
    }
}

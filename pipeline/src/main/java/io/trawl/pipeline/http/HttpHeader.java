package io.trawl.pipeline.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One parsed HTTP request or response header block: the start line and the fields in their order.
 * Field names compare case-insensitively. Immutable.
 *
 * <p>Memory: many connections can be mid-transaction at once, each holding its request and response
 * headers, so a header keeps its block as one string plus the positions of its fields' names and values;
 * field strings are made only when asked for. (Blocks with obsolete line folding keep a list of fields.)
 */
public final class HttpHeader {
    private final boolean request;
    private final String method;
    private final String uri;
    private final String version;
    private final int status;
    private final String reason;
    private final String text;
    /** Per field: name start, name end, value start, value end in {@link #text}; null when {@link #folded} is used. */
    private final int[] bounds;
    private final List<Map.Entry<String, String>> folded;

    private HttpHeader(final boolean request, final String method, final String uri, final String version, final int status,
                       final String reason, final String text, final int[] bounds, final List<Map.Entry<String, String>> folded) {
        this.request = request;
        this.method = method;
        this.uri = uri;
        this.version = version;
        this.status = status;
        this.reason = reason;
        this.text = text;
        this.bounds = bounds;
        this.folded = folded == null ? null : Collections.unmodifiableList(folded);
    }

    /**
     * Parses a header block (start line and fields, without the final empty line). Returns null when the
     * start line is not HTTP.
     */
    static HttpHeader parse(final String block, final boolean expectRequest) {
        final int n = block.length();
        int firstEnd = block.indexOf('\n');
        if (firstEnd < 0) {
            firstEnd = n;
        }
        final String start = block.substring(0, firstEnd > 0 && block.charAt(firstEnd - 1) == '\r' ? firstEnd - 1 : firstEnd);
        int[] bounds = new int[16];
        int count = 0;
        boolean folding = false;
        for (int lineStart = firstEnd + 1; lineStart < n && !folding; ) {
            int lineEnd = block.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = n;
            }
            final int contentEnd = lineEnd > lineStart && block.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd > lineStart) {
                final char first = block.charAt(lineStart);
                if ((first == ' ' || first == '\t') && count > 0) {
                    folding = true; // obsolete line folding: the rare case keeps a list
                } else {
                    final int colon = block.indexOf(':', lineStart);
                    if (colon > lineStart && colon < contentEnd) {
                        if (count + 4 > bounds.length) {
                            bounds = java.util.Arrays.copyOf(bounds, bounds.length * 2);
                        }
                        bounds[count++] = skipSpace(block, lineStart, colon);
                        bounds[count++] = trimSpace(block, lineStart, colon);
                        bounds[count++] = skipSpace(block, colon + 1, contentEnd);
                        bounds[count++] = trimSpace(block, colon + 1, contentEnd);
                    }
                }
            }
            lineStart = lineEnd + 1;
        }
        final int[] fieldBounds = folding ? null : java.util.Arrays.copyOf(bounds, count);
        final List<Map.Entry<String, String>> folded = folding ? foldedFields(block) : null;
        if (expectRequest) {
            final String[] parts = start.split(" ", 3);
            if (parts.length < 2 || !isToken(parts[0])) {
                return null;
            }
            final String version = parts.length == 3 ? parts[2].strip() : "HTTP/0.9";
            if (!version.startsWith("HTTP/")) {
                return null;
            }
            return new HttpHeader(true, parts[0], parts[1], version, 0, "", block, fieldBounds, folded);
        }
        if (!start.startsWith("HTTP/")) {
            return null;
        }
        final String[] parts = start.split(" ", 3);
        if (parts.length < 2) {
            return null;
        }
        final int status;
        try {
            status = Integer.parseInt(parts[1].strip());
        } catch (final NumberFormatException e) {
            return null;
        }
        if (status < 100 || status > 999) {
            return null;
        }
        return new HttpHeader(false, "", "", parts[0], status, parts.length == 3 ? parts[2] : "", block, fieldBounds, folded);
    }

    private static int skipSpace(final String s, int from, final int to) {
        while (from < to && Character.isWhitespace(s.charAt(from))) {
            from++;
        }
        return from;
    }

    private static int trimSpace(final String s, final int from, int to) {
        while (to > from && Character.isWhitespace(s.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /** The fields of a block with obsolete line folding (continuation lines join the previous value). */
    private static List<Map.Entry<String, String>> foldedFields(final String block) {
        final String[] lines = block.split("\r?\n", -1);
        final List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            final String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
                final Map.Entry<String, String> last = fields.removeLast();
                fields.add(Map.entry(last.getKey(), last.getValue() + " " + line.strip()));
                continue;
            }
            final int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            fields.add(Map.entry(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
        }
        return fields;
    }

    private static boolean isToken(final String s) {
        if (s.isEmpty() || s.length() > 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    public boolean isRequest() {
        return request;
    }

    public boolean isResponse() {
        return !request;
    }

    /** Request method ("GET"), or "" for a response. */
    public String method() {
        return method;
    }

    /** Request target as sent ("/a/b?c"), or "" for a response. */
    public String uri() {
        return uri;
    }

    /** The request target without query string. */
    public String path() {
        final int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    public String version() {
        return version;
    }

    /** Response status code, or 0 for a request. */
    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** The first value of a field (case-insensitive name), or null. */
    public String value(final String name) {
        if (bounds == null) {
            for (final Map.Entry<String, String> field : folded) {
                if (field.getKey().equalsIgnoreCase(name)) {
                    return field.getValue();
                }
            }
            return null;
        }
        final int length = name.length();
        for (int i = 0; i < bounds.length; i += 4) {
            if (bounds[i + 1] - bounds[i] == length && text.regionMatches(true, bounds[i], name, 0, length)) {
                return text.substring(bounds[i + 2], bounds[i + 3]);
            }
        }
        return null;
    }

    /** Every field, in order (made on each call). */
    public List<Map.Entry<String, String>> fields() {
        if (bounds == null) {
            return folded;
        }
        final List<Map.Entry<String, String>> out = new ArrayList<>(bounds.length / 4);
        for (int i = 0; i < bounds.length; i += 4) {
            out.add(Map.entry(text.substring(bounds[i], bounds[i + 1]), text.substring(bounds[i + 2], bounds[i + 3])));
        }
        return Collections.unmodifiableList(out);
    }

    /** The header block as received (start line and fields). */
    public String text() {
        return text;
    }

    /** True when a comma-separated field contains {@code token} (case-insensitive). */
    boolean hasToken(final String name, final String token) {
        final String value = value(name);
        if (value == null) {
            return false;
        }
        for (final String part : value.split(",")) {
            if (part.strip().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return request ? method + " " + uri + " " + version : version + " " + status + " " + reason;
    }
}

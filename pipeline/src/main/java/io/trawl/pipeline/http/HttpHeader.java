package io.trawl.pipeline.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One parsed HTTP request or response header block: the start line and the fields in their order.
 * Field names compare case-insensitively. Immutable.
 */
public final class HttpHeader {
    private final boolean request;
    private final String method;
    private final String uri;
    private final String version;
    private final int status;
    private final String reason;
    private final List<Map.Entry<String, String>> fields;
    private final String text;

    private HttpHeader(final boolean request, final String method, final String uri, final String version, final int status,
                       final String reason, final List<Map.Entry<String, String>> fields, final String text) {
        this.request = request;
        this.method = method;
        this.uri = uri;
        this.version = version;
        this.status = status;
        this.reason = reason;
        this.fields = Collections.unmodifiableList(fields);
        this.text = text;
    }

    /**
     * Parses a header block (start line and fields, without the final empty line). Returns null when the
     * start line is not HTTP.
     */
    static HttpHeader parse(final String block, final boolean expectRequest) {
        final String[] lines = block.split("\r?\n", -1);
        if (lines.length == 0) {
            return null;
        }
        final String start = lines[0];
        final List<Map.Entry<String, String>> fields = new ArrayList<>();
        String lastName = null;
        for (int i = 1; i < lines.length; i++) {
            final String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && lastName != null && !fields.isEmpty()) {
                // obsolete line folding: continue the previous value
                final Map.Entry<String, String> last = fields.removeLast();
                fields.add(Map.entry(last.getKey(), last.getValue() + " " + line.strip()));
                continue;
            }
            final int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            lastName = line.substring(0, colon).strip();
            fields.add(Map.entry(lastName, line.substring(colon + 1).strip()));
        }
        if (expectRequest) {
            final String[] parts = start.split(" ", 3);
            if (parts.length < 2 || !isToken(parts[0])) {
                return null;
            }
            final String version = parts.length == 3 ? parts[2].strip() : "HTTP/0.9";
            if (!version.startsWith("HTTP/")) {
                return null;
            }
            return new HttpHeader(true, parts[0], parts[1], version, 0, "", fields, block);
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
        return new HttpHeader(false, "", "", parts[0], status, parts.length == 3 ? parts[2] : "", fields, block);
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
        for (final Map.Entry<String, String> field : fields) {
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return null;
    }

    /** Every field, in order. */
    public List<Map.Entry<String, String>> fields() {
        return fields;
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

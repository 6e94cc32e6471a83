package io.trawl.pipeline.output;

import java.nio.charset.StandardCharsets;

/**
 * A field name encoded once ({@code "name":}, escaped, UTF-8), for writers that emit the same fields line
 * after line: {@link JsonLinesFile} copies the bytes instead of escaping the name again for every line.
 * Immutable; share freely (typically a {@code static final} constant).
 */
public final class JsonFieldName {
    final byte[] encoded;
    private final String name;

    private JsonFieldName(final String name) {
        this.name = name;
        final StringBuilder json = new StringBuilder(name.length() + 3).append('"');
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        this.encoded = json.append("\":").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The encoded form of {@code name}. */
    public static JsonFieldName of(final String name) {
        return new JsonFieldName(name);
    }

    @Override
    public String toString() {
        return name;
    }
}

package io.trawl.pipeline.script.objects;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.trawl.pipeline.http.HttpHeader;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trisul's HTTPHeader: a parsed request or response header block, as {@code filex_monitor} callbacks
 * receive it. A value object over an immutable {@link HttpHeader} (valid after the callback too). Text is
 * handed to Lua byte for byte (header bytes are kept as ISO-8859-1 characters).
 *
 * <pre>
 * is_request() / is_response()   which kind of header block
 * get_method()                   "GET" ("" for a response)
 * is_method(m)                   method equals m (case-insensitive)
 * get_path()                     the request target as sent, query included ("/a/b?c"; "" for a response)
 * get_status()                   the status code as a number (0 for a request)
 * get_value(name)                the first value of a field, name case-insensitive; nil when absent
 * get_all_headers()              {name = value, ...}; repeated fields joined with ", "
 * match_value(name, regex)       RE2 partial match on the field's value; false when absent
 * </pre>
 */
public final class HttpHeaderValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("HTTPHeader", METHODS);
    private static final int MAX_CACHED_PATTERNS = 256;
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private final HttpHeader header;

    public HttpHeaderValue(final HttpHeader header) {
        super(METHODS, META);
        this.header = header;
    }

    /** The header block. */
    public HttpHeader header() {
        return header;
    }

    @Override
    String typeName() {
        return "HTTPHeader";
    }

    @Override
    public String tojstring() {
        return header.toString();
    }

    @Override
    public LuaValue tostring() {
        return bytes(header.toString());
    }

    /** A Lua string with the same bytes as an ISO-8859-1 Java string. */
    static LuaString bytes(final String latin1) {
        return LuaString.valueUsing(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Pattern pattern(final String regex) {
        Pattern pattern = PATTERNS.get(regex);
        if (pattern == null) {
            pattern = Pattern.compile(regex);
            if (PATTERNS.size() >= MAX_CACHED_PATTERNS) {
                PATTERNS.clear(); // scripts use a handful of fixed patterns; this only bounds pathological ones
            }
            PATTERNS.put(regex, pattern);
        }
        return pattern;
    }

    private static final class Getter extends Method.Getter<HttpHeaderValue> {
        private final java.util.function.Function<HttpHeader, LuaValue> read;

        Getter(final String name, final java.util.function.Function<HttpHeader, LuaValue> read) {
            super(HttpHeaderValue.class, "HTTPHeader", name);
            this.read = read;
        }

        @Override
        LuaValue get(final HttpHeaderValue self) {
            return read.apply(self.header);
        }
    }

    private abstract static class HeaderMethod extends Method<HttpHeaderValue> {
        HeaderMethod(final String name) {
            super(HttpHeaderValue.class, "HTTPHeader", name);
        }
    }

    static {
        new Getter("is_request", h -> LuaValue.valueOf(h.isRequest())).register(METHODS);
        new Getter("is_response", h -> LuaValue.valueOf(h.isResponse())).register(METHODS);
        new Getter("get_method", h -> bytes(h.method())).register(METHODS);
        new Getter("get_path", h -> bytes(h.uri())).register(METHODS);
        new Getter("get_status", h -> LuaValue.valueOf(h.status())).register(METHODS);
        new Getter("get_all_headers", h -> {
            final LuaTable all = new LuaTable();
            for (final Map.Entry<String, String> field : h.fields()) {
                final LuaString name = bytes(field.getKey());
                final LuaValue earlier = all.rawget(name);
                all.rawset(name, earlier.isnil() ? bytes(field.getValue())
                    : earlier.strvalue().concat(bytes(", " + field.getValue())));
            }
            return all;
        }).register(METHODS);
        new HeaderMethod("is_method") {
            @Override
            Varargs invoke(final HttpHeaderValue self, final Varargs args) {
                final String method = Re2Value.latin1(string(args, 2, "method"));
                return LuaValue.valueOf(self.header.isRequest() && self.header.method().equalsIgnoreCase(method));
            }
        }.register(METHODS);
        new HeaderMethod("get_value") {
            @Override
            Varargs invoke(final HttpHeaderValue self, final Varargs args) {
                final String value = self.header.value(Re2Value.latin1(string(args, 2, "name")));
                return value == null ? LuaValue.NIL : bytes(value);
            }
        }.register(METHODS);
        new HeaderMethod("match_value") {
            @Override
            Varargs invoke(final HttpHeaderValue self, final Varargs args) {
                final String name = Re2Value.latin1(string(args, 2, "name"));
                final String regex = Re2Value.latin1(string(args, 3, "regex"));
                final Pattern pattern;
                try {
                    pattern = pattern(regex);
                } catch (final PatternSyntaxException e) {
                    throw new LuaError(qualified() + ": invalid pattern '" + regex + "': " + e.getDescription());
                }
                final String value = self.header.value(name);
                return LuaValue.valueOf(value != null && pattern.matcher(value).find());
            }
        }.register(METHODS);
    }
}

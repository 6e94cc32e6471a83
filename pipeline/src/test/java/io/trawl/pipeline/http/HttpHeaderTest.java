package io.trawl.pipeline.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HttpHeaderTest {
    @Test
    void requestStartLineAndFieldsCaseInsensitively() {
        final HttpHeader h = HttpHeader.parse("GET /a/b?c=1 HTTP/1.1\r\nHost:  www.example.com \r\nX-Empty:\r\n"
            + "no colon here\r\nAccept: */*\r\nhost: second", true);
        assertThat(h.isRequest()).isTrue();
        assertThat(h.method()).isEqualTo("GET");
        assertThat(h.uri()).isEqualTo("/a/b?c=1");
        assertThat(h.path()).isEqualTo("/a/b");
        assertThat(h.version()).isEqualTo("HTTP/1.1");
        assertThat(h.value("HOST")).isEqualTo("www.example.com");
        assertThat(h.value("x-empty")).isEmpty();
        assertThat(h.value("Accept")).isEqualTo("*/*");
        assertThat(h.value("Missing")).isNull();
        assertThat(h.value("Hos")).isNull();
        assertThat(h.fields()).containsExactly(Map.entry("Host", "www.example.com"), Map.entry("X-Empty", ""),
            Map.entry("Accept", "*/*"), Map.entry("host", "second"));
        assertThat(h.hasToken("accept", "*/*")).isTrue();
    }

    @Test
    void responsesLfOnlyLinesAndObsoleteFolding() {
        final HttpHeader h = HttpHeader.parse("HTTP/1.0 404 Not Found\nContent-Type: text/html\nX-Long: one\n\t two\n"
            + "Transfer-Encoding: gzip, chunked", false);
        assertThat(h.isResponse()).isTrue();
        assertThat(h.status()).isEqualTo(404);
        assertThat(h.reason()).isEqualTo("Not Found");
        assertThat(h.value("content-type")).isEqualTo("text/html");
        assertThat(h.value("x-long")).isEqualTo("one two");
        assertThat(h.hasToken("Transfer-Encoding", "chunked")).isTrue();
        assertThat(h.fields()).hasSize(3);
    }

    @Test
    void notHttpIsNull() {
        assertThat(HttpHeader.parse("SSH-2.0-OpenSSH_9.2", true)).isNull();
        assertThat(HttpHeader.parse("HTTP/1.1 abc OK", false)).isNull();
        assertThat(HttpHeader.parse("GET /x FTP/1.0", true)).isNull();
        assertThat(HttpHeader.parse("GET /x", true).version()).isEqualTo("HTTP/0.9");
    }
}

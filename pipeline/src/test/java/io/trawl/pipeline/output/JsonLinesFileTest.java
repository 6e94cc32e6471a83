package io.trawl.pipeline.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** JsonLinesFile's output, read back with Jackson: numbers, seconds, escaping, line framing. */
class JsonLinesFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long[] NUMBERS = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_535, 123_456_789, 1_000_000_000,
        9_999_999_999L, 10_000_000_000L, -1, -10, -99, -100, -1234567, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L};

    @Test
    void integersMatchLongToString(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("n.jsonl");
        try (JsonLinesFile out = new JsonLinesFile(file)) {
            for (final long n : NUMBERS) {
                out.begin().field("n", n).end();
            }
        }
        final List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(NUMBERS.length);
        for (int i = 0; i < NUMBERS.length; i++) {
            assertThat(lines.get(i)).isEqualTo("{\"n\":" + NUMBERS[i] + "}");
        }
    }

    @Test
    void manyIntegersAndTimesMatchTheJdk(@TempDir final Path dir) throws IOException {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        final long[] values = new long[20_000];
        for (int i = 0; i < values.length; i++) {
            final int kind = i % 4;
            values[i] = kind == 0 ? random.nextLong(0, 1L << 33) : kind == 1 ? random.nextLong()
                : kind == 2 ? (1L << 32) + random.nextInt(-200, 200) : random.nextLong(0, 2_000_000_000_000_000_000L);
        }
        final Path file = dir.resolve("many.jsonl");
        try (JsonLinesFile out = new JsonLinesFile(file)) {
            for (final long value : values) {
                out.begin().field("n", value).fieldSeconds("t", value).end();
            }
        }
        final List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < values.length; i++) {
            final long v = values[i];
            final String seconds = Math.floorDiv(v, 1_000_000_000L) + "." + String.format("%09d", Math.floorMod(v, 1_000_000_000L));
            assertThat(lines.get(i)).isEqualTo("{\"n\":" + v + ",\"t\":" + seconds + "}");
        }
    }

    @Test
    void secondsHaveNineDecimals(@TempDir final Path dir) throws IOException {
        final long[] nanos = {0, 1, 999_999_999, 1_000_000_000, 1_500_000_000, 1_700_000_000_123_456_789L, -1, -1_500_000_000};
        final Path file = dir.resolve("s.jsonl");
        try (JsonLinesFile out = new JsonLinesFile(file)) {
            for (final long n : nanos) {
                out.begin().fieldSeconds("t", n).end();
            }
        }
        final List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly("{\"t\":0.000000000}", "{\"t\":0.000000001}", "{\"t\":0.999999999}",
            "{\"t\":1.000000000}", "{\"t\":1.500000000}", "{\"t\":1700000000.123456789}", "{\"t\":-1.999999999}",
            "{\"t\":-2.500000000}");
        for (int i = 0; i < nanos.length - 2; i++) { // non-negative times read back as their value
            final BigDecimal expected = BigDecimal.valueOf(Math.floorDiv(nanos[i], 1_000_000_000L))
                .add(BigDecimal.valueOf(Math.floorMod(nanos[i], 1_000_000_000L), 9));
            assertThat(new BigDecimal(lines.get(i).substring(5, lines.get(i).length() - 1))).isEqualByComparingTo(expected);
        }
    }

    @Test
    void stringsRoundTripThroughAJsonParser(@TempDir final Path dir) throws IOException {
        final String[] values = {"", "plain ascii", "quote \" and backslash \\", "tab\tnew\nline\rcr", "\u0000\u0001\u001f\u007f",
            "é ß ü", "€ ∑ 日本", "emoji \uD83D\uDE00 pair", "lone \uD800 high", "lone \uDC00 low"};
        final Path file = dir.resolve("t.jsonl");
        try (JsonLinesFile out = new JsonLinesFile(file)) {
            for (final String value : values) {
                out.begin().field("name \"quoted\"", value).field("flag", true).field("x", 1.5).field("y", 3.0)
                    .field("nothing", (CharSequence) null).end();
            }
        }
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(values.length);
        for (int i = 0; i < values.length; i++) {
            final JsonNode node = JSON.readTree(lines.get(i));
            final String expected = values[i].replace('\uD800', '\uFFFD').replace('\uDC00', '\uFFFD');
            final String actual = node.get("name \"quoted\"").asText().replace('\uD800', '\uFFFD').replace('\uDC00', '\uFFFD');
            assertThat(actual).isEqualTo(expected);
            assertThat(node.get("flag").asBoolean()).isTrue();
            assertThat(node.get("x").asDouble()).isEqualTo(1.5);
            assertThat(lines.get(i)).contains("\"y\":3,");
            assertThat(node.get("nothing").isNull()).isTrue();
        }
    }

    @Test
    void manyLongLinesSurviveBufferGrowthAndFlushes(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("big.jsonl");
        final String big = "x".repeat(300_000); // larger than the initial buffer
        try (JsonLinesFile out = new JsonLinesFile(file)) {
            for (int i = 0; i < 20_000; i++) {
                out.begin().field("i", i).field("s", i % 5_000 == 0 ? big : "line " + i).end();
            }
            assertThat(out.lines()).isEqualTo(20_000);
            assertThat(out.failure()).isNull();
        }
        final List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(20_000);
        for (int i = 0; i < lines.size(); i++) {
            final JsonNode node = JSON.readTree(lines.get(i));
            assertThat(node.get("i").asInt()).isEqualTo(i);
            assertThat(node.get("s").asText()).isEqualTo(i % 5_000 == 0 ? big : "line " + i);
        }
    }
}

package io.trawl.perf.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The outputs of one trawl run ({@code OUT/summary.json}, {@code OUT/flows.jsonl}, and every other file a
 * script wrote), reduced to what must not depend on how packets arrived (a file replay, or the same file
 * replayed live over a veth): totals, decode outcomes, and flows by key with their per-direction packet
 * and byte counts. Timestamps, end reasons and pipeline numbers are left out: a live source stamps packets
 * with their arrival time, so packet-time effects (idle timeouts, the TCP close linger) differ.
 */
record RunOutputs(Map<String, Object> totals, Map<String, Integer> flows, Map<String, String> otherFiles,
                  JsonNode summary) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FLOW_FIELDS = List.of("flow", "a", "a_port", "z", "z_port", "protocol",
        "packets_az", "bytes_az", "packets_za", "bytes_za");

    static RunOutputs read(final Path out) {
        try {
            final JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
            final Map<String, Object> totals = new TreeMap<>();
            totals.put("packets", summary.get("packets").asLong());
            totals.put("bytes", summary.get("bytes").asLong());
            totals.put("flows", summary.get("flows").asLong());
            totals.put("decode_errors", summary.get("decode_errors").asLong());
            totals.put("decode", summary.get("decode").toString());
            final Map<String, Integer> flows = new TreeMap<>();
            for (final String line : Files.readAllLines(out.resolve("flows.jsonl"))) {
                final JsonNode flow = JSON.readTree(line);
                final StringBuilder key = new StringBuilder();
                for (final String field : FLOW_FIELDS) {
                    key.append(field).append('=').append(flow.get(field).asText()).append(' ');
                }
                flows.merge(key.toString().strip(), 1, Integer::sum);
            }
            final Map<String, String> others = new TreeMap<>();
            final List<String> extracted = new ArrayList<>();
            try (Stream<Path> files = Files.walk(out)) {
                for (final Path file : files.filter(Files::isRegularFile).toList()) {
                    final Path relative = out.relativize(file);
                    final String name = relative.toString();
                    if (name.equals("summary.json") || name.equals("flows.jsonl") || relative.startsWith("state")) {
                        continue;
                    }
                    if (name.startsWith("extracted-")) {
                        // Saved HTTP bodies: by content (names carry per-pipeline sequence numbers).
                        extracted.add(sha256(file) + " " + Files.size(file) + (name.endsWith(".partial") ? " partial" : ""));
                        continue;
                    }
                    others.put(name, scriptOutput(name, file));
                }
            }
            if (!extracted.isEmpty()) {
                java.util.Collections.sort(extracted);
                others.put("extracted files (sha256, bytes)", String.join("\n", extracted));
            }
            return new RunOutputs(totals, flows, others, summary);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A script output reduced to what does not depend on packet times: {@code counters.jsonl} as the total
     * of every (group, key, meter) over all buckets (with the labels seen), other JSON Lines files as the
     * sorted lines without their {@code ts} and {@code pipeline} fields, anything else by size (saved HTTP
     * bodies, {@code extracted-*}, are compared by content hash instead, together).
     */
    private static String scriptOutput(final String name, final Path file) throws IOException {
        if (!name.endsWith(".jsonl")) {
            return "bytes=" + Files.size(file);
        }
        final List<String> lines = new ArrayList<>();
        if (name.equals("counters.jsonl")) {
            final Map<String, Double> totals = new TreeMap<>();
            final Map<String, java.util.Set<String>> labels = new TreeMap<>();
            for (final String line : Files.readAllLines(file)) {
                final JsonNode counter = JSON.readTree(line);
                final String key = counter.get("group").asText() + " " + counter.get("key").asText() + " meter "
                    + counter.get("meter").asText();
                totals.merge(key, counter.get("value").asDouble(), Double::sum);
                if (counter.hasNonNull("label")) {
                    labels.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(counter.get("label").asText());
                }
            }
            totals.forEach((key, total) -> lines.add(key + " = " + total + " " + labels.getOrDefault(key, java.util.Set.of())));
            return String.join("\n", lines);
        }
        for (final String line : Files.readAllLines(file)) {
            final com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            node.remove("ts");
            node.remove("pipeline");
            lines.add(node.toString());
        }
        java.util.Collections.sort(lines);
        return String.join("\n", lines);
    }

    private static String sha256(final Path file) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every {@code drops} entry of the summary, by cause. */
    Map<String, Long> drops() {
        final Map<String, Long> drops = new TreeMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> it = summary.get("drops").fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> entry = it.next();
            drops.put(entry.getKey(), entry.getValue().asLong());
        }
        return drops;
    }

    /** The summary's {@code status} and {@code stop_reason}. */
    List<String> status() {
        final List<String> out = new ArrayList<>();
        out.add(summary.get("status").asText());
        out.add(summary.has("stop_reason") ? summary.get("stop_reason").asText() : "");
        return out;
    }
}

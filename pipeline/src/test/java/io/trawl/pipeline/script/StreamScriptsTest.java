package io.trawl.pipeline.script;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.pipeline.reassembly.Tcpflow;
import io.trawl.pipeline.script.stream.ScriptDirections;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.trawl.pipeline.script.Captures.ascii;
import static io.trawl.pipeline.script.Captures.concat;
import static io.trawl.pipeline.script.Captures.get;
import static io.trawl.pipeline.script.Captures.ok;
import static io.trawl.pipeline.script.Captures.random;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reassembly_handler, the direction numbers of every stream callback family, HTTP attributes,
 * engine:disable_reassembly, filex_monitor filters and the HTTPHeader object, through real scripts.
 */
class StreamScriptsTest {
    @TempDir
    Path temp;

    /** The lines of every OUT/{prefix}-{pipeline}.tsv, split at tabs. */
    private static List<String[]> notes(final Path out, final String prefix) {
        final List<String[]> lines = new ArrayList<>();
        try (Stream<Path> list = Files.list(out)) {
            for (final Path tsv : list.filter(p -> p.getFileName().toString().matches(prefix + "-\\d+\\.tsv")).sorted().toList()) {
                for (final String line : Files.readAllLines(tsv, StandardCharsets.ISO_8859_1)) {
                    lines.add(line.split("\t", -1));
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** What reassembly_probe.lua wrote for one followed flow. */
    private record ProbedFlow(String key, byte[] clientToServer, byte[] serverToClient, int ends) {
    }

    /** The flows reassembly_probe.lua followed, by flow key (keys followed more than once are left out). */
    private static Map<String, ProbedFlow> probedFlows(final Path out) throws IOException {
        final Map<String, List<String>> numbersByKey = new HashMap<>();
        final Map<String, Integer> ends = new HashMap<>();
        for (final String pipeline : pipelinesOf(out, "reassembly")) {
            for (final String line : Files.readAllLines(out.resolve("reassembly-" + pipeline + ".tsv"), StandardCharsets.ISO_8859_1)) {
                final String[] f = line.split("\t", -1);
                if (f[0].equals("flow")) {
                    numbersByKey.computeIfAbsent(f[2], k -> new ArrayList<>()).add(pipeline + "-" + f[1]);
                } else if (f[0].equals("end")) {
                    ends.merge(pipeline + "-" + f[1], 1, Integer::sum);
                }
            }
        }
        final Map<String, ProbedFlow> flows = new HashMap<>();
        for (final Map.Entry<String, List<String>> e : numbersByKey.entrySet()) {
            if (e.getValue().size() != 1) {
                continue;
            }
            final String n = e.getValue().getFirst();
            flows.put(e.getKey(), new ProbedFlow(e.getKey(),
                readOrEmpty(out.resolve("stream-" + n + "." + ScriptDirections.REASSEMBLY_CLIENT_TO_SERVER)),
                readOrEmpty(out.resolve("stream-" + n + "." + ScriptDirections.REASSEMBLY_SERVER_TO_CLIENT)),
                ends.getOrDefault(n, 0)));
        }
        return flows;
    }

    private static List<String> pipelinesOf(final Path out, final String prefix) throws IOException {
        try (Stream<Path> list = Files.list(out)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.matches(prefix + "-\\d+\\.tsv"))
                .map(n -> n.substring(prefix.length() + 1, n.length() - 4)).sorted().toList();
        }
    }

    private static byte[] readOrEmpty(final Path file) throws IOException {
        return Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    }

    /** A flow key's two ends as tcpflow names. */
    private static String[] tcpflowEnds(final String key) {
        final String[] ends = key.substring(4).split("_");
        final String[] out = new String[2];
        for (int i = 0; i < 2; i++) {
            final int colon = ends[i].indexOf(":p-");
            out[i] = Tcpflow.name(Tcpflow.readable(ends[i].substring(0, colon)), Integer.parseInt(ends[i].substring(colon + 3), 16));
        }
        return out;
    }

    @Test
    void onpayloadConcatenatedBySeekposEqualsTcpflow() throws IOException {
        final Path capture = SharedCorpus.sixteenMinutes();
        final Map<String, Path> tcpflow = Tcpflow.run(capture, temp);
        final ScriptRun run = ScriptRun.on(capture, temp.resolve("out")).scripts(ScriptRun.testScript("reassembly_probe.lua"))
            .set(io.trawl.config.TrawlSettings.PIPELINES, 2).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        assertThat(run.script("reassembly_probe.lua").get("errors").asLong()).isZero();
        final Map<String, ProbedFlow> flows = probedFlows(run.out);
        int compared = 0;
        final List<String> mismatches = new ArrayList<>();
        for (final ProbedFlow flow : flows.values()) {
            assertThat(flow.ends()).as("onterminateflow calls for %s", flow.key()).isEqualTo(1);
            final String[] ends = tcpflowEnds(flow.key());
            final String aToZ = ends[0] + "-" + ends[1];
            final String zToA = ends[1] + "-" + ends[0];
            if (!tcpflow.containsKey(aToZ) && !tcpflow.containsKey(zToA)) {
                continue; // no data, or a 4-tuple tcpflow saw several connections on
            }
            final byte[] az = tcpflow.containsKey(aToZ) ? Files.readAllBytes(tcpflow.get(aToZ)) : new byte[0];
            final byte[] za = tcpflow.containsKey(zToA) ? Files.readAllBytes(tcpflow.get(zToA)) : new byte[0];
            // direction 1 is the client's (the SYN sender): it is A→Z or Z→A, and the other direction must match the rest
            final boolean clientIsA = Arrays.equals(flow.clientToServer(), az) && Arrays.equals(flow.serverToClient(), za);
            final boolean clientIsZ = Arrays.equals(flow.clientToServer(), za) && Arrays.equals(flow.serverToClient(), az);
            if (clientIsA || clientIsZ) {
                compared++;
            } else {
                mismatches.add(flow.key() + ": tcpflow " + az.length + "/" + za.length + " bytes, trawl "
                    + flow.clientToServer().length + "/" + flow.serverToClient().length);
            }
        }
        assertThat(mismatches).as("flows differing from tcpflow").isEmpty();
        assertThat(compared).as("flows compared").isGreaterThan(150);
        // flows to port 8080 were filtered out by every script: not reassembled
        assertThat(flows.keySet()).noneMatch(k -> k.endsWith(":p-1F90"));
        assertThat(run.summary.get("reassembly").get("flows").asLong()).isEqualTo(
            notes(run.out, "reassembly").stream().filter(f -> f[0].equals("flow")).count());
    }

    @Test
    void directionNumbersFollowEachCallbackFamily() {
        final Path pcap = Captures.one(temp.resolve("d.pcap"), tcp -> tcp.handshake().send(true, ascii(get("/d.txt")))
            .send(false, ok(ascii("hello"))).close());
        final ScriptRun run = ScriptRun.on(pcap, temp.resolve("out")).scripts(ScriptRun.testScript("stream_directions.lua")).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        final Map<String, List<String>> seen = new HashMap<>();
        for (final String[] f : notes(run.out, "directions")) {
            seen.computeIfAbsent(f[0] + " " + f[1], k -> new ArrayList<>()).add(f[2] + " " + f[3]);
        }
        final String c2s = "0 GET /d.txt HTTP/1.1__Host: files";
        final String s2c = "0 HTTP/1.1 200 OK__Content-Type: a";
        // reassembly_handler.onpayload: 1 = client→server
        assertThat(seen.get("onpayload " + ScriptDirections.REASSEMBLY_CLIENT_TO_SERVER)).containsExactly(c2s);
        assertThat(seen.get("onpayload " + ScriptDirections.REASSEMBLY_SERVER_TO_CLIENT)).containsExactly(s2c);
        assertThat(ScriptDirections.REASSEMBLY_CLIENT_TO_SERVER).isEqualTo(1);
        // filex_monitor.onpayload_raw and packet_storage.filter_payload: 0 = client→server
        assertThat(seen.get("onpayload_raw " + ScriptDirections.FILEX_CLIENT_TO_SERVER)).containsExactly(c2s);
        assertThat(seen.get("onpayload_raw " + ScriptDirections.FILEX_SERVER_TO_CLIENT)).containsExactly(s2c);
        assertThat(seen.get("filter_payload " + ScriptDirections.FILEX_CLIENT_TO_SERVER)).containsExactly(c2s);
        assertThat(seen.get("filter_payload " + ScriptDirections.FILEX_SERVER_TO_CLIENT)).containsExactly(s2c);
        assertThat(ScriptDirections.FILEX_CLIENT_TO_SERVER).isEqualTo(0);
        // onpayload_http: the response body (server→client), then the 0-length end marker at the body's length
        assertThat(seen.get("onpayload_http " + ScriptDirections.FILEX_SERVER_TO_CLIENT)).containsExactly("0 hello", "5 ");
        assertThat(seen).containsOnlyKeys("onpayload 1", "onpayload 0", "onpayload_raw 0", "onpayload_raw 1",
            "filter_payload 0", "filter_payload 1", "onpayload_http 1");
        // filter_payload answered 1 (full) for the GET: the flow's later packets are stored
        final JsonNode flow = run.lines("flows.jsonl").getFirst();
        assertThat(flow.get("storage").get("policy").asText()).isEqualTo("full");
        assertThat(flow.get("storage").get("packets").asLong()).isPositive();
    }

    @Test
    void onattributeGetsTheHttpAttributes() {
        final Path pcap = Captures.one(temp.resolve("a.pcap"), tcp -> tcp.handshake()
            .send(true, ascii("GET /search?q=trawl HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11)\r\n\r\n"))
            .send(false, ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 2\r\n\r\nhi"))
            .close());
        final ScriptRun run = ScriptRun.on(pcap, temp.resolve("out")).scripts(ScriptRun.testScript("reassembly_probe.lua")).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        final List<String> attributes = notes(run.out, "reassembly").stream().filter(f -> f[0].equals("attr"))
            .map(f -> f[2] + "=" + f[3]).toList();
        assertThat(attributes).containsExactly(
            "HTTP-Header=GET /search?q=trawl HTTP/1.1\\x0d\\x0aHost: www.example.com\\x0d\\x0aUser-Agent: Mozilla/5.0 (X11)",
            "URI=/search?q=trawl",
            "Host=www.example.com",
            "User-Agent=Mozilla/5.0 (X11)",
            "HTTP-Header=HTTP/1.1 200 OK\\x0d\\x0aContent-Type: text/html; charset=utf-8\\x0d\\x0aContent-Length: 2",
            "Content-Type=text/html; charset=utf-8");
    }

    @Test
    void disableReassemblyStopsTheFlowForEveryScriptAndFilterVetoesAFlow() throws IOException {
        final byte[] later = random(5000, 9);
        final Path pcap = Captures.write(temp.resolve("s.pcap"), b -> {
            b.connection(Captures.CLIENT, Captures.SERVER).segmentSize(1000).handshake()
                .send(true, ascii("STOP here, please")).send(false, later).send(true, ascii("more")).close();
            b.connection(Endpoint.of("192.0.2.11", 52000), Endpoint.of("198.51.100.81", 8080)).handshake()
                .send(true, ascii(get("/filtered"))).send(false, ok(ascii("nope"))).close();
            b.connection(Endpoint.of("192.0.2.12", 53000), Captures.SERVER).handshake()
                .send(true, ascii(get("/kept"))).send(false, ok(later)).close();
        });
        final ScriptRun run = ScriptRun.on(pcap, temp.resolve("out")).scripts(ScriptRun.testScript("reassembly_probe.lua"),
            ScriptRun.testScript("filex_copy.lua")).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        final Map<String, ProbedFlow> flows = probedFlows(run.out);
        assertThat(flows).hasSize(2); // the 8080 flow was vetoed by the only reassembly_handler
        final ProbedFlow stopped = flows.values().stream().filter(f -> f.key().contains("C0.00.02.0A")).findFirst().orElseThrow();
        assertThat(stopped.clientToServer()).isEqualTo(ascii("STOP here, please"));
        assertThat(stopped.serverToClient()).isEmpty();
        assertThat(stopped.ends()).isEqualTo(1);
        final ProbedFlow kept = flows.values().stream().filter(f -> f.key().contains("C0.00.02.0C")).findFirst().orElseThrow();
        assertThat(kept.serverToClient()).isEqualTo(ok(later));
        final JsonNode reassembly = run.summary.get("reassembly");
        assertThat(reassembly.get("disabled").asLong()).isEqualTo(1);
        // filex_monitor followed every flow (its filter_flow is missing), the 8080 one too
        assertThat(FilexEntries.read(run.out).files()).extracting(FilexEntries.Entry::uri).containsExactlyInAnyOrder("/filtered", "/kept");
        assertThat(reassembly.get("flows").asLong()).isEqualTo(3);
        final List<JsonNode> records = run.lines("flows.jsonl");
        assertThat(records).filteredOn(r -> r.has("reassembly_disabled")).singleElement()
            .satisfies(r -> assertThat(r.get("flow").asText()).isEqualTo(stopped.key()));
    }

    @Test
    void filexFiltersAndTheHttpHeaderObject() {
        final Path pcap = Captures.write(temp.resolve("f.pcap"), b -> {
            b.connection(Captures.CLIENT, Captures.SERVER).handshake()
                .send(true, ascii(get("/a?q=1") + get("/skip/x") + get("/c")))
                .send(false, concat(
                    ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Multi: 1\r\nX-Multi: 2\r\nContent-Length: 3\r\n\r\nabc"),
                    ok(ascii("skipped")),
                    ascii("HTTP/1.1 200 OK\r\nX-Drop: yes\r\nContent-Length: 4\r\n\r\ndrop")))
                .close();
            b.connection(Endpoint.of("192.0.2.11", 52000), Endpoint.of("198.51.100.81", 8080)).handshake()
                .send(true, ascii(get("/other-port"))).send(false, ok(ascii("nope"))).close();
        });
        final ScriptRun run = ScriptRun.on(pcap, temp.resolve("out")).scripts(ScriptRun.testScript("filex_filter.lua")).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        assertThat(run.script("filex_filter.lua").get("errors").asLong()).isZero();
        final List<String[]> notes = notes(run.out, "filter");
        assertThat(notes).filteredOn(f -> f[0].equals("filter_flow")).hasSize(2);
        final List<String> headers = notes.stream().filter(f -> f[0].equals("header"))
            .map(f -> String.join("|", Arrays.copyOfRange(f, 1, f.length))).toList();
        assertThat(headers).containsExactly(
            "request|GET|true|/a?q=1|0|files.example|true|false|false|2|nil",
            "request|GET|true|/skip/x|0|files.example|true|false|false|2|nil",
            "request|GET|true|/c|0|files.example|true|false|false|2|nil",
            "response||false||200|nil|true|true|false|3|1, 2",
            // /skip/x was dropped by the request filter: its response filter is not called
            "response||false||200|nil|true|false|false|2|nil");
        assertThat(notes).filteredOn(f -> f[0].equals("body")).extracting(f -> f[1] + " " + f[2]).containsExactly("/a?q=1 3");
        assertThat(notes).filteredOn(f -> f[0].equals("file")).extracting(f -> f[1] + " " + f[2]).containsExactly("/a?q=1 3");
        assertThat(notes).filteredOn(f -> f[0].equals("end")).hasSize(1);
        // transactions no script follows are not staged at all
        assertThat(run.summary.get("files").get("extracted").asLong()).isEqualTo(1);
    }

    @Test
    void scriptsWithoutStreamTypesRunWithoutReassembly() {
        final Path pcap = Captures.one(temp.resolve("n.pcap"), tcp -> tcp.handshake().send(true, ascii(get("/"))).close());
        final ScriptRun run = ScriptRun.on(pcap, temp.resolve("out")).scripts(ScriptRun.testScript("flowid_probe.lua")).run();
        assertThat(run.result.failed()).as("run failed").isFalse();
        assertThat(run.streams).isNull();
        assertThat(run.summary.has("reassembly")).isFalse();
        assertThat(run.summary.has("files")).isFalse();
    }
}

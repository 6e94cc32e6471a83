package io.trawl.pipeline.script;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.ExternalTool;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example scripts of deploy/scripts on 16minutes.pcap, against independent counts by tshark. The
 * capture is replayed three times (1 pipeline compiled, 2 pipelines compiled, 1 pipeline interpreted) and
 * every test reads those runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleScriptsTest {
    private static final String PROTOCOLS = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F60}";
    private static final String RESETS = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F61}";
    private static final String TOUR = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F63}";
    private static final String HOSTS = "{4CD742B1-C1CA-4708-BE78-0FCA2EB01A86}";

    @TempDir
    static Path temp;

    private Path capture;
    private ScriptRun one;
    private ScriptRun two;
    private ScriptRun interpreted;

    @BeforeAll
    void replay() {
        capture = SharedCorpus.sixteenMinutes();
        ExternalTool.require("tshark", "tshark");
        final Path[] examples = withoutAsync();
        one = ScriptRun.on(capture, temp.resolve("one")).scripts(examples).run();
        two = ScriptRun.on(capture, temp.resolve("two")).scripts(examples)
            .set(TrawlSettings.PIPELINES, 2).run();
        interpreted = ScriptRun.on(capture, temp.resolve("interpreted")).scripts(examples)
            .set(TrawlSettings.SCRIPTS_COMPILE, "interpreter").run();
    }

    /**
     * The examples except async_*.lua: those call T.async from onfile_http, a layer of the async module
     * (the deploy module's demo test runs them with it).
     */
    private static Path[] withoutAsync() {
        try (Stream<Path> files = Files.list(ScriptRun.exampleScripts())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".lua") && !f.getFileName().toString().startsWith("async_"))
                .sorted().toArray(Path[]::new);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** tshark -T fields over the capture: one list of field values per packet matching {@code filter}. */
    private List<String[]> tshark(final String filter, final String... wanted) {
        final String[] fields = wanted.length == 0 ? new String[] {"frame.number"} : wanted;
        final String[] command = new String[9 + 2 * fields.length];
        int i = 0;
        for (final String part : new String[] {"tshark", "-n", "-r", capture.toString(), "-Y", filter, "-T", "fields",
            "-Eoccurrence=f"}) {
            command[i++] = part;
        }
        for (final String field : fields) {
            command[i++] = "-e";
            command[i++] = field;
        }
        return ExternalTool.run(command).lines().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList();
    }

    @Test
    void everyExampleLoadsAndRunsWithoutErrors() {
        for (final ScriptRun run : List.of(one, two, interpreted)) {
            assertThat(run.result.failed()).isFalse();
            final JsonNode scripts = run.summary.get("scripts");
            assertThat(scripts.size()).isEqualTo(8);
            scripts.forEach(script -> {
                assertThat(script.get("loaded").asBoolean()).isTrue();
                assertThat(script.get("disabled").asBoolean()).isFalse();
                assertThat(script.get("errors").asLong()).as(script.toString()).isZero();
                assertThat(script.get("calls").asLong()).isPositive();
            });
            assertThat(run.warnings).noneMatch(w -> w.contains("error") || w.contains("runaway"));
        }
        assertThat(one.script("api_tour.lua").get("engine").asText()).isEqualTo("luajc");
        assertThat(interpreted.script("api_tour.lua").get("engine").asText()).isEqualTo("interpreter");
    }

    /** Every method and callback of the contract (trisul-lua-api.md §1-§3, without reassembly/T.async) is called. */
    @Test
    void everyContractMethodIsCalledByAnExample() throws IOException {
        final StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(ScriptRun.exampleScripts())) {
            for (final Path file : files.filter(f -> f.toString().endsWith(".lua")).toList()) {
                all.append(Files.readString(file)).append('\n');
            }
        }
        final String text = all.toString();
        final List<String> methods = List.of(
            // engine
            "update_counter", "update_counter_bytes", "update_counter_raw", "update_key_info", "add_alert",
            "add_alert_full", "add_alert_ids", "add_alert_tca", "add_resource", "add_flow_counter", "reset_flow_counter",
            "tag_flow", "disable_reassembly", "terminate_flow", "add_flow_attribute", "post_message_frontend", "add_edge",
            "add_flow_edges", "set_key_attribute", "timestamp", "instanceid", "id", "probeid",
            // Buffer
            "size", "length", "hval_8", "hval_16", "hval_24", "hval_32", "tostring", "hexdump", "appendtofile",
            "writetofile",
            // Layer
            "layer_bytes", "protocol_id", "rawbytes", "total_bytes", "packet", "testbit", "getbyte", "flowkey",
            // Packet
            "wire_length", "capture_length", "num_layers", "get_layer", "find_layer", "flowid",
            // FlowID
            "key", "protocol", "ipa", "ipz", "porta", "portz", "ipa_readable", "ipz_readable", "porta_readable",
            "portz_readable", "to_s",
            // RE2, Aho-Corasick, T.host
            "partial_match", "full_match", "partial_match_c1", "partial_match_c2", "partial_match_n", "full_match_n",
            "match_all", "match_one", "log", "is_homenet", "get_homenets");
        for (final String method : methods) {
            assertThat(text).as(method).containsPattern(":" + method + "\\(");
        }
        for (final String function : List.of("T.util.ntop", "T.util.pton", "T.util.bor", "T.util.band", "T.util.testbit32",
            "T.util.bitval32", "T.util.split", "T.util.splitm", "T.util.hash", "T.util.bin2hex", "T.util.hex2bin", "T.re2",
            "T.ac", "T.log", "T.logerror", "T.logwarning", "T.loginfo", "T.logdebug", "T.env.get_config", "T.K.loglevel",
            "T.K.vartype", "T.contextid", "T.probeid", "T.enginetype", "bit.band", "unpack", "onload", "onunload",
            "onmessage", "message_subscriptions", "simplecounter", "packet_storage", "flowmonitor", "onflowattribute",
            "countergroup", "alertgroup", "resourcegroup", "onattribute")) {
            assertThat(text).as(function).contains(function);
        }
    }

    @Test
    void packetsAndBytesPerIpProtocolMatchTshark() {
        final Map<String, Long> packets = new TreeMap<>();
        final Map<String, Long> bytes = new TreeMap<>();
        for (final String[] f : tshark("ip", "ip.proto", "frame.len")) {
            packets.merge(f[0], 1L, Long::sum);
            bytes.merge(f[0], Long.parseLong(f[1]), Long::sum);
        }
        assertThat(packets).containsEntry("6", 5312L).containsEntry("17", 225L).containsEntry("1", 2L);
        for (final ScriptRun run : List.of(one, two, interpreted)) {
            assertThat(run.counters(PROTOCOLS, 0)).isEqualTo(packets);
            assertThat(run.counters(PROTOCOLS, 1)).isEqualTo(bytes);
        }
        // simplecounter.onpacket ran once per IPv4 packet
        assertThat(one.script("protocol_counter.lua").get("calls").asLong()).isEqualTo(5539);
        // update_key_info labels
        assertThat(one.lines("counters.jsonl")).filteredOn(l -> l.get("group").asText().equals(PROTOCOLS))
            .allMatch(l -> Map.of("6", "tcp", "17", "udp", "1", "icmp").get(l.get("key").asText())
                .equals(l.get("label").asText()));
    }

    @Test
    void tcpResetsPerHostMatchTshark() {
        final Map<String, Long> expected = new TreeMap<>();
        for (final String[] f : tshark("tcp.flags.reset == 1", "ip.src")) {
            expected.merge(f[0], 1L, Long::sum);
        }
        assertThat(expected).isNotEmpty();
        for (final ScriptRun run : List.of(one, two, interpreted)) {
            assertThat(run.counters(RESETS, 0)).isEqualTo(expected);
        }
    }

    @Test
    void bytesPerHostFromUpdateCounterBytesMatchTshark() {
        final Map<String, Long> sent = new TreeMap<>();
        final Map<String, Long> received = new TreeMap<>();
        for (final String[] f : tshark("ip", "ip.src", "ip.dst", "frame.len")) {
            sent.merge(f[0], Long.parseLong(f[2]), Long::sum);
            received.merge(f[1], Long.parseLong(f[2]), Long::sum);
        }
        for (final ScriptRun run : List.of(one, two, interpreted)) {
            assertThat(run.counters(HOSTS, 0)).isEqualTo(sent);
            assertThat(run.counters(HOSTS, 1)).isEqualTo(received);
        }
    }

    @Test
    void httpFilesSavesTsharksObjectsAndTcpStreamsCountsTheReassembledBytes() throws IOException {
        final java.util.Set<String> objects = new java.util.HashSet<>();
        for (final byte[] object : io.trawl.pipeline.http.TsharkObjects.export(capture, temp.resolve("tshark-objects"))) {
            objects.add(io.trawl.pipeline.http.HttpCapture.sha256(object));
        }
        final int okWithBody = tshark("http.response.code == 200 && http.file_data").size();
        final Map<String, Long> hosts = new TreeMap<>();
        for (final String[] f : tshark("http.request", "http.host")) {
            hosts.merge(f[0], 1L, Long::sum);
        }
        for (final ScriptRun run : List.of(one, two, interpreted)) {
            final List<String> saved = new java.util.ArrayList<>();
            try (Stream<Path> files = Files.list(run.out)) {
                for (final Path file : files.filter(f -> f.getFileName().toString().startsWith("extracted-")
                    && !f.getFileName().toString().endsWith(".partial")).toList()) {
                    saved.add(io.trawl.pipeline.http.HttpCapture.sha256(Files.readAllBytes(file)));
                }
            }
            // http_files.lua keeps the 200 responses with a body: each is an object tshark exports
            assertThat(saved).hasSize(okWithBody).allMatch(objects::contains);
            assertThat(run.counters("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F66}", 0).values().stream().mapToLong(Long::longValue)
                .sum()).isEqualTo(saved.size() + 1); // and the one body cut short by the end of the capture
            // tcp_streams.lua: onattribute's Host of every request, and every reassembled byte once
            assertThat(run.counters("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F68}", 0)).isEqualTo(hosts);
            final long streamBytes = run.counters("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F67}", 0).values().stream()
                .mapToLong(Long::longValue).sum() + run.counters("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F67}", 1).values().stream()
                .mapToLong(Long::longValue).sum();
            assertThat(streamBytes).isEqualTo(run.summary.get("reassembly").get("bytes").asLong()).isPositive();
            assertThat(run.summary.get("files").get("still_staged").asLong()).isZero();
        }
    }

    @Test
    void twoPipelinesGiveTheSameCountersAsOne() throws IOException {
        // every line, in order, except the tour's GAUGE meter (a gauge is per pipeline by nature)
        assertThat(counterLines(two)).isEqualTo(counterLines(one)).hasSizeGreaterThan(400);
        assertThat(counterLines(interpreted)).isEqualTo(counterLines(one));
        assertThat(two.summary.get("per_pipeline").get(0).get("packets").asLong()).isPositive();
        assertThat(two.summary.get("per_pipeline").get(1).get("packets").asLong()).isPositive();
    }

    private static List<String> counterLines(final ScriptRun run) throws IOException {
        try (Stream<String> lines = Files.lines(run.out.resolve("counters.jsonl"))) {
            return lines.filter(l -> !(l.contains(TOUR) && l.contains("\"meter\":2,"))).toList();
        }
    }

    @Test
    void apiTourChecksPassAndItsCountsMatchTshark() {
        final long syns = tshark("tcp.flags == 0x002").size();
        final long gets = tshark("tcp.dstport == 80 && tcp.len > 3 && tcp.payload[0:4] == 47:45:54:20").size();
        for (final ScriptRun run : List.of(one, two, interpreted)) {
            assertThat(run.lines("alerts.jsonl")).noneMatch(a -> a.get("sigid").asText().equals("tour-check"));
            assertThat(run.lines("script_log.jsonl")).noneMatch(l -> l.get("message").asText().contains("check failed"));
            assertThat(run.counter(TOUR, "syn", 0)).isEqualTo(syns);
            assertThat(run.counter(TOUR, "syn-raw", 0)).isEqualTo(syns);
            assertThat(run.counter(TOUR, "http-GET", 0)).isEqualTo(gets);
            assertThat(run.counter(TOUR, "window", 1)).isPositive();
            final List<JsonNode> toured = run.lines("flows.jsonl").stream()
                .filter(f -> f.has("tags") && f.get("tags").toString().contains("\"toured\"")).toList();
            assertThat(toured).hasSize((int) syns);
            // flow attributes reached the other script's onattribute and onflowattribute (flow_notes tags them)
            assertThat(toured).allMatch(f -> f.get("tags").toString().contains("attr:tour-syn")
                && f.get("tags").toString().contains("fm:tour-syn"));
            // add_flow_counter: the toured flows' bytes after their SYN; reset_flow_counter removed the other
            long afterSyn = 0;
            for (final JsonNode f : toured) {
                assertThat(f.get("flow_counters")).hasSize(1);
                afterSyn += f.get("flow_counters").get(0).get("bytes").asLong();
            }
            assertThat(run.counter(TOUR, "flow-bytes", 0)).isEqualTo(afterSyn).isPositive();
            assertThat(run.counter(TOUR, "flow-bytes-reset", 0)).isZero();
            final int pipelines = run.summary.get("pipelines").asInt();
            assertThat(run.lines("alerts.jsonl")).filteredOn(a -> a.get("sigid").asText().startsWith("tour-"))
                .hasSize(4 * pipelines);
            assertThat(run.lines("resources.jsonl")).filteredOn(r -> r.get("script").asText().equals("api_tour.lua")).hasSize(pipelines)
                .allMatch(r -> r.get("uri").asText().startsWith("tour://") && r.get("contents").asText().startsWith("00000000"));
            // each pipeline posted two messages; every instance with onmessage gets every message (the sender's too)
            assertThat(run.lines("script_log.jsonl")).filteredOn(l -> l.get("message").asText().startsWith("flow_notes:"))
                .hasSize(pipelines).allMatch(l -> l.get("message").asText().endsWith(2 * pipelines + " messages received"));
            assertThat(run.lines("script_log.jsonl")).filteredOn(l -> l.get("message").asText().contains("flows toured"))
                .allMatch(l -> l.get("message").asText().contains(2 * pipelines + " messages received"));
        }
    }

    @Test
    void bufferFileWritesLandInTheOutputDirectory() throws IOException {
        // writetofile(fname, off) writes the TCP layer (header + payload) at file position off = header length
        final byte[] first = Files.readAllBytes(one.out.resolve("tour-http-request.bin.0"));
        final String text = new String(first, java.nio.charset.StandardCharsets.ISO_8859_1);
        final int header = text.indexOf("GET ") / 2;
        assertThat(header).isBetween(20, 60);
        for (int i = 0; i < header; i++) {
            assertThat(first[i]).isZero();
        }
        assertThat(first[header + 12] >>> 4 & 0xF).isEqualTo(header / 4); // the TCP data offset of the written header
        final String log = Files.readString(one.out.resolve("tour-http-requests.log.0"), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(log.split("GET |HEAD ", -1)).hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void terminateFlowAndDisableReassemblyShowInFlows() {
        final long rip = tshark("udp.port == 520").size();
        for (final ScriptRun run : List.of(one, two)) {
            final List<JsonNode> flows = run.lines("flows.jsonl");
            assertThat(flows).filteredOn(f -> f.get("protocol").asInt() == 17 && f.get("z_port").asInt() == 520)
                .hasSize((int) rip).allMatch(f -> f.get("end").asText().equals("terminated"));
            assertThat(flows).filteredOn(f -> f.get("protocol").asInt() == 17 && f.get("z_port").asInt() == 53)
                .isNotEmpty().allMatch(f -> f.path("reassembly_disabled").asBoolean());
        }
    }

    @Test
    void packetStorageWritesPcapsTsharkReads() {
        final Path pcap = one.out.resolve("pcap").resolve("p0-00001.pcap");
        assertThat(pcap).exists();
        final String stored = pcap.toString();
        // DNS flows: every packet, whole
        final long dns = tshark("udp.port == 53").size();
        assertThat(ExternalTool.run("tshark", "-n", "-r", stored, "-Y", "udp.port == 53").lines().count()).isEqualTo(dns);
        // SMTP flows: headers only (captured length = Ethernet + IP + TCP headers)
        final List<String> smtp = ExternalTool.run("tshark", "-n", "-r", stored, "-Y", "tcp.port == 25", "-T", "fields",
            "-e", "frame.cap_len", "-e", "ip.hdr_len", "-e", "tcp.hdr_len").lines().toList();
        assertThat(smtp).hasSize(tshark("tcp.port == 25").size());
        for (final String line : smtp) {
            final String[] f = line.split("\t");
            assertThat(Integer.parseInt(f[0])).isEqualTo(14 + Integer.parseInt(f[1]) + Integer.parseInt(f[2]));
        }
        // HTTP flows: the first 10 KB of payload of each
        final Map<String, Long> original = payloadPerConnection(capture.toString());
        final Map<String, Long> kept = payloadPerConnection(stored);
        assertThat(original).isNotEmpty();
        original.forEach((connection, total) ->
            assertThat(kept.getOrDefault(connection, 0L)).as(connection).isEqualTo(Math.min(total, 10_240L)));
        assertThat(one.summary.get("script_outputs").get("packets_stored").asLong()).isPositive();
    }

    /** Captured TCP payload bytes per HTTP connection (by 4-tuple and SYN time, so reused ports stay apart). */
    private static Map<String, Long> payloadPerConnection(final String file) {
        final Map<String, Long> out = new HashMap<>();
        final Map<String, String> streams = new HashMap<>();
        for (final String line : ExternalTool.run("tshark", "-n", "-r", file, "-Y", "tcp.port == 80", "-T", "fields",
            "-e", "tcp.stream", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "tcp.len",
            "-e", "frame.cap_len", "-e", "ip.hdr_len", "-e", "tcp.hdr_len", "-e", "frame.time_epoch").lines().toList()) {
            final String[] f = line.split("\t");
            final String connection = streams.computeIfAbsent(f[0], s -> (f[1].compareTo(f[3]) < 0
                ? f[1] + ":" + f[2] + "-" + f[3] + ":" + f[4] : f[3] + ":" + f[4] + "-" + f[1] + ":" + f[2]) + "@"
                + f[9].substring(0, f[9].indexOf('.')));
            final long captured = Long.parseLong(f[6]) - 14 - Long.parseLong(f[7]) - Long.parseLong(f[8]);
            out.merge(connection, Math.max(0, Math.min(Long.parseLong(f[5]), captured)), Long::sum);
        }
        return out;
    }
}

package io.trawl.pipeline.script;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.capture.synthetic.Endpoint;
import io.trawl.capture.synthetic.PacketBuilder;
import io.trawl.capture.synthetic.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** FlowID strings and readable forms against hand-checked IPv4 and IPv6 examples. */
class FlowIdTest {
    @TempDir
    Path temp;

    @Test
    void flowIdMethodsMatchHandCheckedExamples() {
        final Path pcap = temp.resolve("flows.pcap");
        final PacketBuilder b = new PacketBuilder();
        try (PcapWriter w = PcapWriter.ethernet(pcap)) {
            long t = 1_700_000_000_000_000_000L;
            // the contract's own example, both directions
            final Endpoint client = Endpoint.of("192.168.1.2", 2964);
            final Endpoint server = Endpoint.of("209.216.249.58", 22);
            write(w, t += 1000, b.tcp(client, server, 1, 0, PacketBuilder.TCP_SYN));
            write(w, t += 1000, b.tcp(server, client, 7, 2, PacketBuilder.TCP_SYN | PacketBuilder.TCP_ACK));
            // IPv6 UDP; the Z end has the lower port; two zero runs of equal length: the first is compressed
            write(w, t += 1000, b.udp(Endpoint.of("2001:db8::1", 53000), Endpoint.of("2001:db8:0:0:1::2", 53), new byte[8]));
            // ICMPv6: no ports, the Z end is the lower address
            write(w, t += 1000, b.echo(Endpoint.of("fe80::2", 0), Endpoint.of("fe80::1", 0), false, 1, 1, new byte[4]));
            // IPv4 UDP with equal ports: the lower address is Z
            write(w, t += 1000, b.udp(Endpoint.of("10.0.0.1", 5353), Endpoint.of("10.0.0.2", 5353), new byte[4]));
        }
        final ScriptRun run = ScriptRun.on(pcap, temp.resolve("out")).scripts(ScriptRun.testScript("flowid_probe.lua")).run();
        assertThat(run.script("flowid_probe.lua").get("errors").asLong()).isZero();
        // id | key | to_s | protocol | ipa | porta | ipz | portz | ipa_readable | porta_readable | ipz_readable
        // | portz_readable | id():sub(5,22)
        assertThat(run.printed).containsExactly(
            "06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016|06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016"
                + "|06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016|06|C0.A8.01.02|p-0B94|D1.D8.F9.3A|p-0016"
                + "|192.168.1.2|2964|209.216.249.58|22|C0.A8.01.02:p-0B94",
            "11B:20010DB8000000000000000000000001:p-CF08_20010DB8000000000001000000000002:p-0035"
                + "|11B:20010DB8000000000000000000000001:p-CF08_20010DB8000000000001000000000002:p-0035"
                + "|11B:20010DB8000000000000000000000001:p-CF08_20010DB8000000000001000000000002:p-0035"
                + "|11|20010DB8000000000000000000000001|p-CF08|20010DB8000000000001000000000002|p-0035"
                + "|2001:db8::1|53000|2001:db8::1:0:0:2|53|20010DB80000000000",
            "3AB:FE800000000000000000000000000002:p-0000_FE800000000000000000000000000001:p-0000"
                + "|3AB:FE800000000000000000000000000002:p-0000_FE800000000000000000000000000001:p-0000"
                + "|3AB:FE800000000000000000000000000002:p-0000_FE800000000000000000000000000001:p-0000"
                + "|3A|FE800000000000000000000000000002|p-0000|FE800000000000000000000000000001|p-0000"
                + "|fe80::2|0|fe80::1|0|FE8000000000000000",
            "11A:0A.00.00.02:p-14E9_0A.00.00.01:p-14E9|11A:0A.00.00.02:p-14E9_0A.00.00.01:p-14E9"
                + "|11A:0A.00.00.02:p-14E9_0A.00.00.01:p-14E9|11|0A.00.00.02|p-14E9|0A.00.00.01|p-14E9"
                + "|10.0.0.2|5353|10.0.0.1|5353|0A.00.00.02:p-14E9");
        // engine:tag_flow found every flow from its key string (IPv6 and lower-case hex too)
        final List<JsonNode> flows = run.lines("flows.jsonl");
        assertThat(flows).hasSize(4).allMatch(f -> f.get("tags").toString().equals("[\"probed\",\"lower-case-key\"]"));
        assertThat(run.summary.get("script_outputs").get("unknown_flow_keys").asLong()).isZero();
    }

    private static void write(final PcapWriter w, final long t, final byte[] frame) {
        w.write(t, frame, 0, frame.length);
    }
}

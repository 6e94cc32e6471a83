package io.trawl.pipeline.script.output;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.LuaString;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Counter buckets: aggregation per vartype, merging pipelines, bucket boundaries, labels. */
class CounterOutputTest {
    private static final LuaString GROUP = LuaString.valueOf("{11111111-2222-3333-4444-555555555555}");
    private static final LuaString GROUP_LOWER = LuaString.valueOf("{11111111-2222-3333-4444-555555555555}".toLowerCase());

    @TempDir
    Path temp;

    private CounterGroups groups() {
        final CounterGroups groups = new CounterGroups(60);
        groups.declare(GROUP.tojstring(), "test", 10, new VarType[] {VarType.COUNTER, VarType.GAUGE, VarType.AVERAGE,
            VarType.MAXIMUM, VarType.MINIMUM, VarType.RUNNING_COUNTER});
        return groups;
    }

    /** The same updates fed to one store or spread over two give the same file. */
    @Test
    void twoPipelinesWriteWhatOneWrites() throws IOException {
        final Path oneFile = temp.resolve("one.jsonl");
        final CounterOutput one = new CounterOutput(oneFile, 1);
        final CounterStore single = new CounterStore(groups(), one, 0);
        final Path twoFile = temp.resolve("two.jsonl");
        final CounterOutput two = new CounterOutput(twoFile, 2);
        final CounterGroups shared = groups();
        final CounterStore[] pair = {new CounterStore(shared, two, 0), new CounterStore(shared, two, 1)};
        for (int second = 100; second < 140; second++) {
            for (int i = 0; i < 3; i++) {
                final LuaString key = LuaString.valueOf("k" + ((second + i) % 4));
                final int value = second * 3 + i;
                final LuaString guid = i == 1 ? GROUP_LOWER : GROUP; // GUIDs compare case-insensitively
                single.advance(second);
                pair[(second + i) % 2].advance(second);
                for (final int meter : new int[] {0, 2, 3, 4, 5}) {
                    single.update(guid, key, meter, value);
                    pair[(second + i) % 2].update(guid, key, meter, value);
                }
            }
        }
        single.label(GROUP, LuaString.valueOf("k1"), LuaString.valueOf("key one"));
        pair[1].label(GROUP, LuaString.valueOf("k1"), LuaString.valueOf("key one"));
        single.close();
        pair[0].close();
        pair[1].close();
        final List<String> lines = Files.readAllLines(oneFile);
        assertThat(Files.readAllLines(twoFile)).isEqualTo(lines);
        // 4 buckets of 10 s x 4 keys x 5 meters
        assertThat(lines).hasSize(4 * 4 * 5);
        assertThat(lines.getFirst()).startsWith("{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k0\"");
        // the label was set in the last bucket: it applies there only
        assertThat(lines).filteredOn(l -> l.contains("\"key one\"")).allMatch(l -> l.startsWith("{\"ts\":130,")).hasSize(5);
    }

    @Test
    void metersAggregateByTheirVartype() throws IOException {
        final Path file = temp.resolve("c.jsonl");
        final CounterOutput output = new CounterOutput(file, 1);
        final CounterStore store = new CounterStore(groups(), output, 0);
        final LuaString key = LuaString.valueOf("k");
        store.advance(100);
        for (final double v : new double[] {5, 1, 9, 3}) {
            for (int meter = 0; meter <= 5; meter++) {
                store.update(GROUP, key, meter, v);
            }
        }
        store.advance(110); // next bucket
        store.update(GROUP, key, 5, 10);
        store.update(GROUP, key, 7, 2); // undeclared meter: COUNTER
        store.close();
        final List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly(
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":0,\"value\":18}",
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":1,\"value\":3}",
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":2,\"value\":4.5}",
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":3,\"value\":9}",
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":4,\"value\":1}",
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":5,\"value\":18}",
            "{\"ts\":110,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":5,\"value\":28}",
            "{\"ts\":110,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":7,\"value\":2}");
    }

    @Test
    void aBucketIsWrittenOnlyWhenEveryPipelinePassedIt() throws IOException {
        final Path file = temp.resolve("c.jsonl");
        final CounterOutput output = new CounterOutput(file, 2);
        final CounterGroups groups = groups();
        final CounterStore fast = new CounterStore(groups, output, 0);
        final CounterStore slow = new CounterStore(groups, output, 1);
        fast.advance(100);
        slow.advance(100);
        fast.update(GROUP, LuaString.valueOf("k"), 0, 1);
        slow.update(GROUP, LuaString.valueOf("k"), 0, 1);
        fast.advance(200);
        assertThat(Files.readAllLines(file)).isEmpty();
        slow.advance(110);
        assertThat(Files.readAllLines(file)).containsExactly(
            "{\"ts\":100,\"group\":\"{11111111-2222-3333-4444-555555555555}\",\"key\":\"k\",\"label\":null,\"meter\":0,\"value\":2}");
        assertThat(output.maxWatermark()).isEqualTo(200);
        fast.close();
        slow.close();
    }
}

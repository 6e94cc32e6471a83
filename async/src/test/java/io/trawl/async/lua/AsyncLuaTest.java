package io.trawl.async.lua;

import com.fasterxml.jackson.databind.JsonNode;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of T.async (contract §4) with real scripts, LuaJ states, worker threads and files. */
class AsyncLuaTest {
    private static final String TCP = "{77E462AB-2E42-42ec-9A58-C1A6821D6B31}";

    @TempDir
    Path temp;

    private AsyncScriptRun run(final String script, final int pipelines, final Map<io.trawl.config.Setting<?>, Object> settings) {
        final Path file = AsyncScriptRun.script(temp.resolve("scripts"), "t.lua", script);
        return AsyncScriptRun.run(SharedCorpus.sixteenMinutes(), temp.resolve("out"), pipelines, List.of(file), settings);
    }

    private static String plugin(final String body) {
        return "TrisulPlugin = {\n  id = { name = \"t\", description = \"T.async test\" },\n" + body + "\n}\n";
    }

    @Test
    void scheduleSnapshotsDataAndCapturesUpvaluesByValue() {
        final AsyncScriptRun run = run(plugin("""
              onload = function() T.done = false end,
              simplecounter = {
                protocol_guid = "%s",
                onpacket = function(engine, layer)
                  if T.done then return end
                  T.done = true
                  local job = { data = "original" }
                  local text, number, flag = "str", 42, true
                  local nested = { a = 1, list = { "x", "y" } }
                  local cyclic = {}; cyclic.self = cyclic
                  local fn = function() return 1 end
                  T.async:schedule({
                    data = job.data,
                    onexecute = function(indata)
                      return table.concat({ indata, text, tostring(number), tostring(flag), tostring(nested.a),
                        nested.list[2], tostring(cyclic.self), type(fn), type(engine) }, ",")
                    end,
                    onresult = function(engine, data, result) print("result " .. data .. " -> " .. result) end
                  })
                  job.data = "mutated"; text = "changed"; number = 0; nested.a = 99
                end
              }""".formatted(TCP)), 1, Map.of());
        assertThat(run.printedStartingWith("result ")).containsExactly(
            "result original -> original,str,42,true,1,y,nil,nil,nil");
        assertThat(run.async().get("completed").asLong()).isEqualTo(1);
    }

    @Test
    void onresultRunsInTheInstanceThatScheduledAndEverythingDrainsBeforeOnunload() {
        final AsyncScriptRun run = run(plugin("""
              request_async_workers = 3,
              onload = function() T.scheduled = 0; T.results = 0 end,
              onunload = function()
                print("unload " .. T.scheduled .. " " .. T.results .. " " .. T.async:pending_items())
              end,
              simplecounter = {
                protocol_guid = "%s",
                onpacket = function(engine, layer)
                  T.scheduled = T.scheduled + 1
                  local mine = engine:instanceid()
                  T.async.schedule({ data = mine, onexecute = function(d) return d end,
                    onresult = function(engine, data, result)
                      if result == engine:instanceid() then T.results = T.results + 1 end
                    end })
                end
              }""".formatted(TCP)), 2, Map.of());
        final List<String> unloads = run.printedStartingWith("unload ");
        assertThat(unloads).hasSize(2);
        long total = 0;
        for (final String line : unloads) {
            final String[] parts = line.split(" ");
            assertThat(parts[1]).as("each instance got back exactly its own results: %s", line).isEqualTo(parts[2]);
            assertThat(parts[3]).as("nothing pending at onunload").isEqualTo("0");
            total += Long.parseLong(parts[1]);
        }
        assertThat(total).isEqualTo(5312); // TCP packets in 16minutes.pcap (tshark -Y tcp)
        assertThat(run.async().get("completed").asLong()).isEqualTo(5312);
        assertThat(run.summary.get("packets").asLong()).isEqualTo(7000);
    }

    @Test
    void dependentFileOperationsKeepSubmissionOrderWithFourWorkers() throws IOException {
        final Path dir = temp.resolve("out/files");
        final AsyncScriptRun run = run(plugin("""
              request_async_workers = 4,
              onload = function() T.n = 0; T.total = 0 end,
              simplecounter = {
                protocol_guid = "%1$s",
                onpacket = function(engine, layer)
                  T.n = T.n + 1
                  local bytes = layer:rawbytes()
                  T.total = T.total + bytes:size()
                  T.async:copybuffer(bytes, "%2$s/all.bin")
                  if T.n %% 500 == 0 then
                    print("snap " .. T.n .. " " .. T.total)
                    T.async:copy("%2$s/all.bin", "%2$s/snap-" .. T.n .. ".bin")
                    T.async:cat("%2$s/all.bin", "%2$s/cat.bin")
                  end
                  if T.n == 1000 then
                    T.async:copy("%2$s/snap-500.bin", "%2$s/keep-500.bin")
                    T.async:rm("%2$s/snap-500.bin")
                  end
                end
              }""".formatted(TCP, dir)), 1, Map.of());
        assertThat(run.async().get("failed").asLong()).isZero();
        final byte[] all = Files.readAllBytes(dir.resolve("all.bin"));
        final ByteArrayOutputStream expectedCat = new ByteArrayOutputStream();
        final List<String> snaps = run.printedStartingWith("snap ");
        assertThat(snaps).hasSize(10);
        for (final String line : snaps) {
            final int n = Integer.parseInt(line.split(" ")[1]);
            final int length = Integer.parseInt(line.split(" ")[2]);
            final Path snap = dir.resolve(n == 500 ? "keep-500.bin" : "snap-" + n + ".bin");
            assertThat(Files.readAllBytes(snap)).as("snapshot %d = the first %d bytes appended", n, length)
                .isEqualTo(java.util.Arrays.copyOf(all, length));
            expectedCat.write(all, 0, length);
        }
        assertThat(dir.resolve("snap-500.bin")).doesNotExist();
        assertThat(Files.readAllBytes(dir.resolve("cat.bin"))).isEqualTo(expectedCat.toByteArray());
        assertThat(run.async().get("workers").asInt()).isEqualTo(4);
    }

    @Test
    void aScheduleNamingAFileRunsAfterTheWritesSubmittedBeforeItAndBeforeTheRemoveAfterIt() throws IOException {
        // rule 5 for schedules: the path in data orders the job with the file operations on that path
        final Path dir = temp.resolve("out/files");
        final AsyncScriptRun run = run(plugin("""
              request_async_workers = 4,
              onload = function() T.n = 0; T.sizes = {} end,
              simplecounter = {
                protocol_guid = "%1$s",
                onpacket = function(engine, layer)
                  T.n = T.n + 1
                  local bytes = layer:rawbytes()
                  local k = T.n %% 7
                  local file = "%2$s/f-" .. k .. ".bin"
                  T.sizes[k] = (T.sizes[k] or 0) + bytes:size()
                  T.async:copybuffer(bytes, file)
                  if T.n %% 250 == 0 then
                    T.async:schedule({
                      data = file,
                      onexecute = function(path)
                        local f = assert(io.open(path, "rb"))
                        local size = f:seek("end")
                        f:close()
                        return tostring(size)
                      end,
                      onresult = function(engine, path, size) print("size " .. path .. " " .. size) end,
                    })
                    print("expect " .. file .. " " .. T.sizes[k])
                    T.async:rm(file)
                    T.sizes[k] = 0
                  end
                end
              }""".formatted(TCP, dir)), 1, Map.of());
        assertThat(run.async().get("failed").asLong()).as(run.async().toString()).isZero();
        final List<String> expected = run.printedStartingWith("expect ").stream().map(l -> l.substring(7)).toList();
        final List<String> seen = run.printedStartingWith("size ").stream().map(l -> l.substring(5)).toList();
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void withOneWorkerAScheduleNamingNoFileStillRunsAfterTheFileOperationsBeforeIt() throws IOException {
        // rule 5: with one worker everything is FIFO, also for jobs that share no path
        final Path dir = temp.resolve("out/files");
        final AsyncScriptRun run = run(plugin("""
              onload = function() T.n = 0; T.total = 0 end,
              simplecounter = {
                protocol_guid = "%1$s",
                onpacket = function(engine, layer)
                  T.n = T.n + 1
                  local bytes = layer:rawbytes()
                  T.total = T.total + bytes:size()
                  T.async:copybuffer(bytes, "%2$s/all.bin")
                  if T.n %% 300 == 0 then
                    local dir = "x%2$s"   -- not a path to T.async: this job shares no path with the writes
                    T.async:schedule({
                      data = "all.bin",
                      onexecute = function(name)
                        local f = assert(io.open(dir:sub(2) .. "/" .. name, "rb"))
                        local size = f:seek("end")
                        f:close()
                        return tostring(size)
                      end,
                      onresult = function(engine, name, size) print("fifo " .. size) end,
                    })
                    print("expect " .. T.total)
                  end
                end
              }""".formatted(TCP, dir)), 1, Map.of());
        assertThat(run.async().get("failed").asLong()).as(run.async().toString()).isZero();
        final List<String> expected = run.printedStartingWith("expect ").stream().map(l -> l.split(" ")[1]).toList();
        final List<String> seen = run.printedStartingWith("fifo ").stream().map(l -> l.split(" ")[1]).toList();
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void moreRecoveredJobsThanTheQueueHoldsAllRunInJournalOrder() throws IOException {
        // an interrupted run left 20000 appends; this run's queue takes 100 at a time and its rings 65536
        final Path out = temp.resolve("out");
        final Path target = out.resolve("files/recovered.txt");
        final Path script = AsyncScriptRun.script(temp.resolve("scripts"), "t.lua", plugin("onload = function() end"));
        final io.trawl.async.journal.Journal journal = io.trawl.async.journal.Journal.open(out.resolve("state/journal"), "none",
            1L << 30, AsyncScriptRun.QUIET);
        final io.trawl.async.journal.PipelineJournal pipeline = journal.pipeline(0);
        final StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) {
            final byte[] line = ("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            expected.append("line ").append(i).append('\n');
            final java.lang.foreign.MemorySegment memory = java.lang.foreign.Arena.ofAuto().allocate(line.length);
            java.lang.foreign.MemorySegment.copy(line, 0, memory, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, line.length);
            assertThat(pipeline.submitted(io.trawl.async.job.AsyncJob.copyBuffer(i, 0, 0, target, -1, memory, 0, line.length),
                i, "t.lua", script.toString(), null, -1)).isTrue();
        }
        journal.close(false);
        final AsyncScriptRun run = AsyncScriptRun.run(SharedCorpus.sixteenMinutes(), out, 1, List.of(script),
            Map.of(TrawlSettings.ASYNC_QUEUE_JOBS, 100));
        assertThat(run.warnings).noneMatch(w -> w.contains("not recovered") || w.contains("rejected"));
        assertThat(run.async().get("recovered").asLong()).isEqualTo(20_000);
        assertThat(run.async().get("rejected").asLong()).isZero();
        assertThat(Files.readString(target)).isEqualTo(expected.toString());
        assertThat(run.summary.get("packets").asLong()).isPositive();
    }

    @Test
    void writesAfterAFileWasRemovedOrReplacedLandInTheNewFile() throws IOException {
        // workers keep files open between writes: a file another worker removed or renamed over must be reopened
        final Path dir = temp.resolve("out/files");
        final AsyncScriptRun run = run(plugin("""
              request_async_workers = 3,
              onload = function() T.n = 0; T.since = {} end,
              simplecounter = {
                protocol_guid = "%1$s",
                onpacket = function(engine, layer)
                  T.n = T.n + 1
                  local bytes = layer:rawbytes()
                  local k = T.n %% 3
                  local file = "%2$s/f-" .. k .. ".bin"
                  T.async:copybuffer(bytes, file)
                  T.since[k] = (T.since[k] or 0) + bytes:size()
                  if T.n %% 97 == 0 then
                    T.async:rm(file)
                    T.since[k] = 0
                  elseif T.n %% 89 == 0 then
                    local fresh = "%2$s/fresh-" .. T.n .. ".bin"
                    T.async:copybuffer(bytes, fresh, 0)
                    T.async:copy(fresh, file)
                    T.since[k] = bytes:size()
                  end
                end,
              },
              onunload = function()
                for k = 0, 2 do print("left " .. k .. " " .. (T.since[k] or 0)) end
              end""".formatted(TCP, dir)), 1, Map.of());
        assertThat(run.async().get("failed").asLong()).as(run.async().toString()).isZero();
        final List<String> left = run.printedStartingWith("left ");
        assertThat(left).hasSize(3);
        for (final String line : left) {
            final String[] parts = line.split(" ");
            final Path file = dir.resolve("f-" + parts[1] + ".bin");
            final long expected = Long.parseLong(parts[2]);
            assertThat(Files.exists(file) ? Files.size(file) : 0L).as(line).isEqualTo(expected);
        }
    }

    @Test
    void aFullQueueRejectsAndCountsWhileEveryPacketIsStillProcessed() {
        final AsyncScriptRun run = run(plugin("""
              onload = function() T.calls = 0 end,
              onunload = function() print("calls " .. T.calls) end,
              simplecounter = {
                protocol_guid = "%s",
                onpacket = function(engine, layer)
                  T.calls = T.calls + 1
                  T.async:schedule({ data = "x", onexecute = function() os.execute("sleep 0.05") return "ok" end })
                end
              }""".formatted(TCP)), 1, Map.of(TrawlSettings.ASYNC_QUEUE_JOBS, 16));
        assertThat(run.summary.get("packets").asLong()).isEqualTo(7000);
        assertThat(run.printedStartingWith("calls ")).containsExactly("calls 5312");
        final JsonNode async = run.async();
        assertThat(async.get("rejected").asLong()).isPositive();
        assertThat(async.get("submitted").asLong() + async.get("rejected").asLong()).isEqualTo(5312);
        assertThat(async.get("pending_max").asLong()).isLessThanOrEqualTo(16);
        assertThat(run.summary.get("drops").get("dispatch_ring_full").asLong()).isZero();
        assertThat(run.warnings).anyMatch(w -> w.contains("T.async queue full") && w.contains("async.queue_jobs"));
    }

    @Test
    void aTimedOutOnexecuteIsStoppedAndItsChildKilled() {
        final String marker = "1000" + ProcessHandle.current().pid();
        final AsyncScriptRun run = run(plugin("""
              onload = function() T.once = false end,
              simplecounter = {
                protocol_guid = "%s",
                onpacket = function(engine, layer)
                  if T.once then return end
                  T.once = true
                  T.async:schedule({ data = "x",
                    onexecute = function() os.execute("sleep %s") return "finished" end,
                    onresult = function() print("onresult ran") end,
                    onerror = function(engine, data, message) print("onerror " .. message) end })
                  T.async:schedule({ data = "y", onexecute = function() while true do end end,
                    onerror = function(engine, data, message) print("onerror loop " .. message) end })
                end
              }""".formatted(TCP, marker)), 1, Map.of(TrawlSettings.ASYNC_TIMEOUT, 0.5));
        assertThat(run.async().get("timed_out").asLong()).isEqualTo(2);
        assertThat(run.printed).noneMatch(line -> line.equals("onresult ran"));
        assertThat(run.printedStartingWith("onerror ")).anyMatch(line -> line.contains("timed out"));
        assertThat(run.printedStartingWith("onerror loop ")).hasSize(1);
        final Set<String> sleeping = new HashSet<>();
        ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(c -> {
            if (c.contains("sleep " + marker)) {
                sleeping.add(c);
            }
        }));
        assertThat(sleeping).as("the sleep child was killed").isEmpty();
    }

    @Test
    void errorsAreCountedLoggedOnceWithScriptLineAndNeverStopAnything() {
        final AsyncScriptRun run = run(plugin("""
              onload = function() T.ok = 0 end,
              onunload = function() print("ok " .. T.ok) end,
              simplecounter = {
                protocol_guid = "%s",
                onpacket = function(engine, layer)
                  T.async:schedule({ data = "x", onexecute = function() error("boom in onexecute") end,
                    onresult = function() print("never") end })
                  T.async:schedule({ data = "y", onexecute = function() return "fine" end,
                    onresult = function(engine, data, result)
                      T.ok = T.ok + 1
                      if T.ok %% 1000 == 0 then error("boom in onresult") end
                    end })
                end
              }""".formatted(TCP)), 1, Map.of());
        assertThat(run.async().get("failed").asLong()).isEqualTo(5312);
        assertThat(run.printedStartingWith("ok ")).containsExactly("ok 5312");
        assertThat(run.printed).doesNotContain("never");
        assertThat(run.warnings.stream().filter(w -> w.contains("boom in onexecute"))).hasSize(1)
            .allMatch(w -> w.contains("t.lua:"));
        assertThat(run.summary.get("scripts").get("t.lua").get("errors").asLong()).isEqualTo(5);
        assertThat(run.summary.get("packets").asLong()).isEqualTo(7000);
    }

    @Test
    void pathsOutsideTheRootsAreRefusedNamingTheOptionAndBothCallStylesWork() {
        final AsyncScriptRun run = run(plugin("""
              onload = function() T.once = false end,
              simplecounter = {
                protocol_guid = "%s",
                onpacket = function(engine, layer)
                  if T.once then return end
                  T.once = true
                  T.async:cat("/etc/passwd", "stolen.txt")
                  T.async.copy("../escape.txt", "x.txt")
                  T.async.copybuffer(layer:rawbytes(), "dot.bin")
                  T.async:copybuffer(layer:rawbytes(), "colon.bin", 0)
                  local ok, message = pcall(function() T.async:copy(1) end)
                  print("argument error: " .. message)
                  ok, message = pcall(function() T.async.schedule({ data = 1 }) end)
                  print("argument error: " .. message)
                end
              }""".formatted(TCP)), 1, Map.of());
        assertThat(run.async().get("refused").asLong()).isEqualTo(2);
        assertThat(run.warnings).anyMatch(w -> w.contains("refused '/etc/passwd'") && w.contains("--allow-path /etc"));
        assertThat(run.warnings).anyMatch(w -> w.contains("'..' is not allowed"));
        assertThat(run.out.resolve("stolen.txt")).doesNotExist();
        assertThat(run.out.resolve("dot.bin")).exists();
        assertThat(run.out.resolve("colon.bin")).exists();
        assertThat(run.printedStartingWith("argument error: ")).containsExactly(
            "argument error: T.async:copy: argument 1 (from) must be a path string, got number",
            "argument error: T.async:schedule: onexecute must be a function, got nil");
    }
}

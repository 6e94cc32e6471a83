/**
 * The Lua script types driven by reassembled TCP streams: {@code reassembly_handler},
 * {@code filex_monitor} (HTTP file extraction, file mode or streaming mode) and
 * {@code packet_storage.filter_payload}. {@link io.trawl.pipeline.script.stream.ScriptStreams} installs
 * reassembly, HTTP parsing and file staging for a run only when a loaded script needs them, and turns
 * their events into script callbacks ({@code HTTPHeader} objects are
 * {@link io.trawl.pipeline.script.objects.HttpHeaderValue}). Direction numbers differ between the
 * callback families; {@link io.trawl.pipeline.script.stream.ScriptDirections} holds them.
 *
 * <p>Threading: everything here runs on its pipeline's thread; callbacks go through
 * {@link io.trawl.pipeline.script.ScriptInstance#invoke} (budget, error accounting, Buffer validity).
 */
package io.trawl.pipeline.script.stream;

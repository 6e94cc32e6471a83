-- perf: file mode; onfile_http counts the body (the baseline of async_bench_schedule.lua, without T.async)
TrisulPlugin = {
  id = { name = "async bench count", description = "counts extracted bodies" },
  onload = function() T.files = 0 end,
  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      T.files = T.files + 1
    end,
  },
}

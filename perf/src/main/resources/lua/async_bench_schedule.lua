-- perf: file mode; onfile_http counts the body and schedules one T.async job per body whose onexecute
-- reads the body's size on a worker and whose onresult counts it on the pipeline
TrisulPlugin = {
  id = { name = "async bench schedule", description = "one T.async job per extracted body" },
  onload = function() T.files = 0; T.results = 0 end,
  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      T.files = T.files + 1
      T.async:schedule({
        data = path,
        onexecute = function(file)
          local f = io.open(file, "rb")
          if not f then return "missing" end
          local size = f:seek("end")
          f:close()
          return tostring(size)
        end,
        onresult = function(engine, file, size) T.results = T.results + 1 end,
      })
    end,
  },
}

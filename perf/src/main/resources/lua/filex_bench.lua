-- perf: file mode with nothing else to do. Every body is staged in filex.ramfs_dir, reported to
-- onfile_http, and deleted (AutoDelete) when the callback returns.
local files = 0
TrisulPlugin = {
  id = { name = "filex bench", description = "file-mode extraction, bodies auto-deleted" },
  onunload = function() T.loginfo("filex bench: " .. files .. " files") end,
  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      files = files + 1
    end,
  },
}

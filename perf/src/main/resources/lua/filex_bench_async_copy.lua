-- perf: file mode, every staged body copied to OUT/objects/ by T.async (what tshark's --export-objects
-- leaves behind: one file per object); AutoDelete waits for the copies.
local out = T.env.get_config("App>DataDirectory") .. "/objects/"
TrisulPlugin = {
  id = { name = "filex bench copy", description = "file-mode extraction, bodies copied out with T.async" },
  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      T.async:copy(path, out .. path:match("^.+/(.+)$"))
    end,
  },
}

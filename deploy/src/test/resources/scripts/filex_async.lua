-- Test script: file mode with T.async. Every staged file is copied by T.async workers after onfile_http
-- returned, so AutoDelete must wait for them: OUT/async-<name> gets whole bodies (T.async:copy) and the
-- parts of large ones in order (copy the first, cat the others).
local out = T.env.get_config("App>DataDirectory")

TrisulPlugin = {
  id = { name = "filex async", description = "copies staged files with T.async for the tests" },

  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      if length == 0 then return end
      local name, offset = path:match("^.+/(.+)%.(%d+)%.part$")
      if name == nil then
        T.async:copy(path, out .. "/async-" .. path:match("^.+/(.+)$"))
      elseif offset == "0" then
        T.async:copy(path, out .. "/async-" .. name)
      else
        T.async:cat(path, out .. "/async-" .. name)
      end
    end,
  },
}

-- Test script: filex_monitor filters and the HTTPHeader object. Lists in OUT/filter-<pipeline>.tsv:
--   header <request|response> <method> <is_method("get")> <path> <status> <Host> <x-missing is nil>
--          <Content-Type matches ^text/> <missing matches> <number of headers> <X-Multi from get_all_headers>
--   filter_flow <flowkey>
--   body <uri> <length>      (onpayload_http end)
--   file <uri> <length>      (onfile_http)
--   end <flowkey>            (onterminateflow)
-- Filters: flows to port 8080 are not followed; requests for paths containing /skip and responses with
-- an X-Drop header are dropped.
local out = T.env.get_config("App>DataDirectory")

local function note(engine, fields)
  local f = assert(io.open(out .. "/filter-" .. engine:instanceid() .. ".tsv", "a"))
  f:write(table.concat(fields, "\t"), "\n")
  f:close()
end

TrisulPlugin = {
  id = { name = "filex filter", description = "records filex filters and HTTPHeader answers for the tests" },

  filex_monitor = {
    filter_flow = function(engine, ts, flowkey)
      note(engine, { "filter_flow", flowkey:id() })
      return flowkey:portz_readable() ~= "8080"
    end,

    filter = function(engine, ts, flowkey, header)
      local all, count = header:get_all_headers(), 0
      for _ in pairs(all) do count = count + 1 end
      note(engine, { "header", header:is_request() and "request" or "response", header:get_method(),
        tostring(header:is_method("get")), header:get_path(), tostring(header:get_status()),
        tostring(header:get_value("host")), tostring(header:get_value("X-Missing") == nil),
        tostring(header:match_value("content-type", "^text/")), tostring(header:match_value("X-Missing", ".*")),
        tostring(count), tostring(all["X-Multi"]) })
      assert(header:is_request() ~= header:is_response())
      if header:is_request() and header:get_path():find("/skip", 1, true) then return false end
      if header:is_response() and header:get_value("x-drop") then return false end
      return true
    end,

    onpayload_http = function(engine, ts, flowkey, path, req, resp, direction, seekpos, buffer)
      if buffer:size() == 0 then
        note(engine, { "body", req and req:get_path() or "-", tostring(seekpos) })
      end
    end,

    onfile_http = function(engine, ts, flowkey, path, req, resp, length, is_partial)
      note(engine, { "file", req and req:get_path() or "-", tostring(length) })
    end,

    onterminateflow = function(engine, ts, flowkey)
      note(engine, { "end", flowkey:id() })
    end,
  },
}

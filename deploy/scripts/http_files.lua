-- filex_monitor in file mode (it defines onfile_http): every HTTP response body trawl extracts is saved
-- as OUT/extracted-<name> (name = the staged file's name: host, last URI segment, unique id). Bodies
-- larger than filex.chunk_size_mb arrive as parts "<name>.<offset>.part"; each part is written at its
-- offset, so the saved file is the whole body. A body cut short (reset, gap, end of capture) is saved as
-- OUT/extracted-<name>.partial. Empty bodies (304, HEAD, 204) are not saved.
-- The copy is synchronous here, on the fast path; with T.async it would be T.async:copy(path, dest).
--   counters  group "HTTP content types": key = Content-Type, meter 0 = files, meter 1 = bytes
--   resources the URL of every saved body (Trisul's URL resource group)
local ex = require "lib.trawl_examples"

local CONTENT_TYPES = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F66}"
local out = T.env.get_config("App>DataDirectory")

-- writes the staged file at byte position `offset` of `dest` (created if missing)
local function copy_into(path, dest, offset)
  local from = assert(io.open(path, "rb"))
  local data = from:read("*a")
  from:close()
  local to = io.open(dest, "r+b") or assert(io.open(dest, "wb"))
  to:seek("set", offset)
  to:write(data)
  to:close()
end

TrisulPlugin = {
  id = { name = "HTTP files", description = "Saves extracted HTTP bodies under OUT, counted by content type" },

  countergroup = {
    control = { guid = CONTENT_TYPES, name = "HTTP content types", description = "Extracted bodies by type" },
    meters = {
      { 0, T.K.vartype.COUNTER, 10, "Files", "files", "files" },
      { 1, T.K.vartype.COUNTER, 10, "Bytes", "bytes", "B" },
    },
  },

  filex_monitor = {
    -- the request header, then the response header: only successful responses are followed
    filter = function(engine, ts, flowkey, header)
      return header:is_request() or header:get_status() == 200
    end,

    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      if length == 0 then
        return
      end
      local name, offset = path:match("^.+/(.+)%.(%d+)%.part$")   -- a part of a large body
      if name == nil then
        name, offset = path:match("^.+/(.+)$"), "0"
        if is_partial then name = name .. ".partial" end
      end
      copy_into(path, out .. "/extracted-" .. name, tonumber(offset))
      local content_type = (resp_header:get_value("Content-Type") or "unknown"):match("^[^;]*")
      if offset == "0" then
        engine:update_counter(CONTENT_TYPES, content_type, 0, 1)
        local host = req_header and req_header:get_value("Host") or flowkey:ipz_readable()
        engine:add_resource(ex.GUID.url, flowkey:id(), "http://" .. host .. (req_header and req_header:get_path() or "/"),
          content_type)
      end
      engine:update_counter(CONTENT_TYPES, content_type, 1, length)
    end,
  },
}

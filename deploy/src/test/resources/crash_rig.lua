-- The kill -9 rig's script: saves every HTTP body with T.async (copy for whole bodies, cat for the parts
-- of large ones, copybuffer appended and positioned from onpayload_http) and hashes every staged file on a
-- worker; onresult raises an alert with the hash (alerts carry the job id, async_job).
local HASHES = "{C8A5E2B1-7D3F-4A6E-9B1C-2D4E6F8A0B13}"

TrisulPlugin = {
  id = { name = "crash rig", description = "T.async saves and hashes, for the kill -9 rig" },
  request_async_workers = 3,
  onload = function() T.bodies = {} end,
  alertgroup = { control = { guid = HASHES, name = "File hashes", description = "sha256 of extracted files" } },

  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      if length == 0 then return end
      local name, offset = path:match("^.+/(.+)%.(%d+)%.part$")
      if name == nil then
        if is_partial then return end
        T.async:copy(path, "saved/" .. path:match("^.+/(.+)$"))
      else
        T.async:cat(path, "saved/" .. name)
      end
      T.async:schedule({
        data = path,
        onexecute = function(staged)
          local h = io.popen("sha256sum " .. staged)
          local line = h:read("*a")
          h:close()
          os.execute("sleep 0.01")
          return line:match("^(%x+)")
        end,
        onresult = function(engine, staged, sha256)
          engine:add_alert(HASHES, nil, "1", 3, sha256)
        end,
      })
    end,

    onpayload_http = function(engine, ts, flowkey, path, req_header, resp_header, direction, seekpos, buffer)
      if buffer:size() == 0 then return end
      local uri = req_header and req_header:get_path() or "/"
      local name = flowkey:id():gsub("[^%w]", "") .. "-" .. tostring(T.util.hash(uri))
      T.async:copybuffer(buffer, "cb-append/" .. name)
      T.async:copybuffer(buffer, "cb-pos/" .. name, seekpos)
    end,
  },
}

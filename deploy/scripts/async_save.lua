-- Saves every complete HTTP body with T.async and hashes it on a worker. Bodies arrive as staged files
-- (file mode): a whole body is copied with T.async:copy; a large body arrives in parts
-- "<name>.<offset>.part", appended in order with T.async:cat (operations on one path keep their order).
-- When a body is complete, a schedule computes its SHA-256 and onresult records it as a resource
-- (carrying the job id, async_job, so a consumer can de-duplicate after a recovery).
--   OUT/saved/<name>      the body
--   resources.jsonl       uri = saved file, contents = "sha256 <hex>"
local URL = "{4EF9DEB9-4332-4867-A667-6A30C5900E9E}"
local saved_dir                                   -- OUT/saved, absolute: workers run with trawl's cwd

local function saved_path(name)
  saved_dir = saved_dir or (T.env.get_config("App>DataDirectory") .. "/saved/")
  return saved_dir .. name
end

local function hash_later(file, uri)
  T.async:schedule({
    data = file,
    onexecute = function(saved)
      local h = io.popen("sha256sum " .. saved)
      local line = h:read("*a")
      h:close()
      return line:match("^(%x+)") or error("sha256sum gave no hash for " .. saved)
    end,
    onresult = function(engine, saved, sha256)
      engine:add_resource(URL, nil, saved, "sha256 " .. sha256)
    end,
  })
end

TrisulPlugin = {
  id = { name = "async save", description = "Saves extracted HTTP bodies with T.async and hashes them" },
  request_async_workers = 2,

  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      if length == 0 then return end
      local name, offset = path:match("^.+/(.+)%.(%d+)%.part$")
      if name == nil then
        if is_partial then return end             -- a body cut short: not saved
        local whole = saved_path(path:match("^.+/(.+)$"))
        T.async:copy(path, whole)
        hash_later(whole)
        return
      end
      local dest = saved_path(name)
      if offset == "0" then T.async:rm(dest) end  -- a new multi-part body
      T.async:cat(path, dest)
      if length < 5 * 1024 * 1024 then             -- the last part is the short one
        hash_later(dest)
      end
    end,
  },
}

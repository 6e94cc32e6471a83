-- Shared by the filex test scripts: writes what they receive under OUT and lists it in
-- OUT/filex-<pipeline>.tsv:
--   file <copy> <staged path> <length> <is_partial> <status> <uri> <flowkey>
--   body <copy> <body path> <length> <directions seen> <status> <uri> <flowkey>
local M = {}
local out = T.env.get_config("App>DataDirectory")
local copies = 0
local bodies = {}

function M.note(engine, fields)
  local f = assert(io.open(out .. "/filex-" .. engine:instanceid() .. ".tsv", "a"))
  f:write(table.concat(fields, "\t"), "\n")
  f:close()
end

function M.save(engine, kind, data)
  copies = copies + 1
  local name = string.format("%s/%s-%s-%d", out, kind, engine:instanceid(), copies)
  local f = assert(io.open(name, "wb"))
  f:write(data)
  f:close()
  return name
end

-- onpayload_http: collects the chunks of each body (by path) and writes the body at its end (the
-- 0-length buffer, whose seekpos is the body's length); holes stay zeros
function M.onpayload_http(engine, ts, flowkey, path, req_header, resp_header, direction, seekpos, buffer)
  local body = bodies[path]
  if body == nil then
    body = { pieces = {}, directions = {} }
    bodies[path] = body
  end
  body.directions[tostring(direction)] = true
  if buffer:size() > 0 then
    body.pieces[#body.pieces + 1] = { seekpos, buffer:tostring() }
    return
  end
  local parts, at = {}, 0
  table.sort(body.pieces, function(a, b) return a[1] < b[1] end)
  for _, piece in ipairs(body.pieces) do
    if piece[1] > at then parts[#parts + 1] = string.rep("\0", piece[1] - at) end
    parts[#parts + 1] = piece[2]
    at = piece[1] + #piece[2]
  end
  if seekpos > at then parts[#parts + 1] = string.rep("\0", seekpos - at) end
  local directions = {}
  for d in pairs(body.directions) do directions[#directions + 1] = d end
  table.sort(directions)
  local name = M.save(engine, "body", table.concat(parts))
  M.note(engine, { "body", name, path, tostring(seekpos), table.concat(directions, ","),
    tostring(resp_header:get_status()), req_header and req_header:get_path() or "-", flowkey:id() })
  bodies[path] = nil
end

-- onfile_http: copies the staged file out at once, synchronously
function M.onfile_http(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  local name = M.save(engine, "file", data)
  M.note(engine, { "file", name, path, tostring(length), tostring(is_partial), tostring(resp_header:get_status()),
    req_header and req_header:get_path() or "-", flowkey:id() })
end

return M

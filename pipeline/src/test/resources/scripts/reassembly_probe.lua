-- Test script: reassembly_handler. Writes each direction's onpayload chunks at their seekpos into
-- OUT/stream-<pipeline>-<n>.<direction> (n numbers the flows this instance followed) and lists events in
-- OUT/reassembly-<pipeline>.tsv:
--   flow <n> <flowkey>             onnewflow
--   attr <flowkey> <name> <value>  onattribute (\t \r \n \\ escaped as \xHH)
--   end <n> <flowkey>              onterminateflow
-- Flows to port 8080 are filtered out; a client stream starting with "STOP" disables reassembly.
local out = T.env.get_config("App>DataDirectory")
local numbers = {}
local flows = 0

local function note(engine, fields)
  local f = assert(io.open(out .. "/reassembly-" .. engine:instanceid() .. ".tsv", "a"))
  f:write(table.concat(fields, "\t"), "\n")
  f:close()
end

local function escape(s)
  return (s:gsub("[\t\r\n\\]", function(c) return string.format("\\x%02x", c:byte()) end))
end

TrisulPlugin = {
  id = { name = "reassembly probe", description = "records reassembly_handler callbacks for the tests" },

  reassembly_handler = {
    filter = function(engine, ts, flowkey)
      return flowkey:portz_readable() ~= "8080"
    end,

    onnewflow = function(engine, ts, flowkey)
      flows = flows + 1
      numbers[flowkey:id()] = flows
      note(engine, { "flow", tostring(flows), flowkey:id() })
    end,

    onpayload = function(engine, ts, flowkey, direction, seekpos, buffer)
      local n = numbers[flowkey:id()]
      buffer:writetofile(string.format("%s/stream-%s-%d.%d", out, engine:instanceid(), n, direction), seekpos)
      if direction == 1 and seekpos == 0 and buffer:tostring(0, 4) == "STOP" then
        engine:disable_reassembly(flowkey:id())
      end
    end,

    onattribute = function(engine, ts, flowkey, name, value)
      note(engine, { "attr", flowkey:id(), name, escape(value) })
    end,

    onterminateflow = function(engine, ts, flowkey)
      note(engine, { "end", tostring(numbers[flowkey:id()]), flowkey:id() })
    end,
  },
}

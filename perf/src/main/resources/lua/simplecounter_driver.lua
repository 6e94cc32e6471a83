-- The same simplecounter.onpacket body as SimplecounterCallBenchmark, driven in a loop by the host
-- interpreter itself (lua5.4 or luajit): engine:update_counter adds into nested tables, as a counter
-- group would. Prints "ns_per_call <value>" for the measured loop. Usage: lua driver.lua CALLS
local calls = tonumber(arg[1] or "20000000")
local G = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F90}"

local counters = {}
local engine = {}
function engine:update_counter(guid, key, meter, value)
  local group = counters[guid]
  if not group then group = {}; counters[guid] = group end
  local cell = group[key]
  if not cell then cell = {}; group[key] = cell end
  cell[meter] = (cell[meter] or 0) + value
end

local TrisulPlugin = {
  simplecounter = {
    onpacket = function(engine, layer)
      engine:update_counter(G, "dns", 0, 1)
    end,
  },
}

local onpacket = TrisulPlugin.simplecounter.onpacket
local layer = {}
local warmup = math.floor(calls / 10)
for _ = 1, warmup do onpacket(engine, layer) end                -- warm up (JIT)
local start = os.clock()
for _ = 1, calls do onpacket(engine, layer) end
local elapsed = os.clock() - start
assert(counters[G]["dns"][0] == calls + warmup)
print(string.format("ns_per_call %.3f", elapsed * 1e9 / calls))

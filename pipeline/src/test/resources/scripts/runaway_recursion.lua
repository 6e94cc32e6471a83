local function forever(n) return forever(n + 1) end   -- a tail call: no stack growth, only the budget stops it
local function deep(n) return 1 + deep(n + 1) end     -- not a tail call: the stack overflows
TrisulPlugin = {
  id = { name = "Runaway recursion", description = "recurses forever on ICMP packets" },
  simplecounter = {
    protocol_guid = "{7DDD65F2-A316-43b5-A103-368E700E045E}",
    onpacket = function(engine, layer)
      if layer:getbyte(0) == 8 then forever(0) else deep(0) end
    end,
  },
}

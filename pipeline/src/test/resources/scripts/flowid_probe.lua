-- Prints every FlowID method's answer for each new flow, then tags the flow through its key string.
local seen = {}
TrisulPlugin = {
  id = { name = "FlowID probe", description = "prints FlowID methods" },
  simplecounter = {
    protocol_guid = "{974FB098-DE46-45db-94DA-8D64A3BBCDE5}",
    onpacket = function(engine, layer)
      local f = layer:flowkey()
      if f == nil or seen[f:id()] then return end
      seen[f:id()] = true
      print(table.concat({ f:id(), f:key(), f:to_s(), f:protocol(), f:ipa(), f:porta(), f:ipz(), f:portz(),
        f:ipa_readable(), f:porta_readable(), f:ipz_readable(), f:portz_readable(), f:id():sub(5, 22) }, "|"))
      engine:tag_flow(f:id(), "probed")
      engine:tag_flow(string.lower(f:id()), "lower-case-key")
    end,
  },
}

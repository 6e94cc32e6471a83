-- Flow-level actions and deliveries between scripts:
--   reassembly_handler.onattribute receives the attributes other scripts add (api_tour's "tour-syn") and the
--   HTTP attributes of HTTP flows (HTTP-Header, URI, Host, User-Agent, Content-Type), and tags the flow
--   "attr:<name>"; flowmonitor.onflowattribute (legacy) receives the added ones too, the value as a
--   Buffer, and tags the flow "fm:<name>"; onmessage receives every message (no message_subscriptions);
--   RIP flows (UDP 520) are ended after each packet (engine:terminate_flow); DNS flows get
--   engine:disable_reassembly (visible as "reassembly_disabled" in flows.jsonl).
local ex = require "lib.trawl_examples"

TrisulPlugin = {
  id = { name = "Flow notes", description = "Flow attributes, messages and flow-level engine calls" },

  onload = function() T.notes = { attributes = 0, messages = 0 } end,

  onunload = function()
    T.loginfo("flow_notes: " .. T.notes.attributes .. " attributes, " .. T.notes.messages .. " messages received")
  end,

  onmessage = function(msgid, msg)
    T.notes.messages = T.notes.messages + 1
  end,

  reassembly_handler = {
    onattribute = function(engine, ts, flowkey, name, value)
      T.notes.attributes = T.notes.attributes + 1
      engine:tag_flow(flowkey:id(), "attr:" .. name)
    end,
  },

  flowmonitor = {
    onflowattribute = function(engine, flow, ts, name, value)
      if value:size() == #value:tostring() and ts == engine:timestamp() then
        engine:tag_flow(flow:id(), "fm:" .. name)
      end
    end,
  },

  simplecounter = {
    protocol_guid = ex.GUID.udp,
    onpacket = function(engine, layer)
      local f = layer:flowkey()
      local port = f:portz_readable()
      if port == "520" then
        engine:terminate_flow(f:id())
      elseif port == "53" then
        engine:disable_reassembly(f:id())
      end
    end,
  },
}

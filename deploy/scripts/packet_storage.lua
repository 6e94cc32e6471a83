-- packet_storage: which flows' packets go to the rotating pcap files under OUT/pcap/ (readable by
-- tshark): DNS flows whole, HTTP flows the first 10 KB of payload, SMTP flows headers only.
TrisulPlugin = {
  id = { name = "Packet storage policy", description = "Stores DNS, the start of HTTP, SMTP headers" },

  packet_storage = {
    filter = function(engine, ts, flowkey)
      local port = flowkey:portz_readable()
      local protocol = flowkey:protocol()
      if protocol == "11" and port == "53" then return 1 end   -- full
      if protocol == "06" and port == "80" then return 5 end   -- first 10 KB
      if protocol == "06" and port == "25" then return 2 end   -- headers only
      return -1                                                -- no opinion
    end,
  },
}

-- Shared helpers of the example scripts (loaded with require "lib.trawl_examples" or from a
-- scripts.lib_dirs directory). A module, not a script: it defines no TrisulPlugin.
local M = {}

M.GUID = {
  ethernet = "{974FB098-DE46-45db-94DA-8D64A3BBCDE5}",
  ipv4     = "{0A2C724B-5B9F-4ba6-9C97-B05080558574}",
  ipv6     = "{85C0CCED-DA8D-4029-924A-A6AB87F62EF8}",
  icmp     = "{7DDD65F2-A316-43b5-A103-368E700E045E}",
  udp      = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
  tcp      = "{77E462AB-2E42-42ec-9A58-C1A6821D6B31}",
  hosts    = "{4CD742B1-C1CA-4708-BE78-0FCA2EB01A86}",
  ids      = "{9AFD8C08-07EB-47E0-BF05-28B4A7AE8DC9}",
  user_alerts = "{B5F1DECB-51D5-4395-B71B-6FA730B772D9}",
  url      = "{4EF9DEB9-4332-4867-A667-6A30C5900E9E}",
}

M.PROTOCOL_NAMES = { [1] = "icmp", [6] = "tcp", [17] = "udp", [58] = "icmpv6" }

-- The source and destination addresses of a packet, readable, from its IPv4 or IPv6 layer.
function M.addresses(packet)
  local ip = packet:find_layer(M.GUID.ipv4)
  if ip then
    local b = ip:rawbytes()
    return T.util.ntop(b:hval_32(12)), T.util.ntop(b:hval_32(16))
  end
  ip = packet:find_layer(M.GUID.ipv6)
  if ip then
    local b = ip:rawbytes()
    return T.util.bin2hex(b:tostring(8, 16)), T.util.bin2hex(b:tostring(24, 16))
  end
  return nil, nil
end

return M

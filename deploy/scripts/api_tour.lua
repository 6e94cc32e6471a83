-- A tour of the scripting API: every method of engine, Layer, Packet, Buffer, FlowID and T is called and
-- its result checked against an independent computation. A failed check raises an alert with sigid
-- "tour-check" in the "API tour checks" group (the tests require none). What it produces:
--   counters  group "API tour": key "syn" (new TCP connections), "http-GET"... (request lines matched
--             with T.re2), "ac-host" (requests containing "Host:" found with T.ac), "flow-bytes" (bytes of
--             toured flows after their SYN, through engine:add_flow_counter)
--   flows     tags "toured" and "syn-from-a"/"syn-from-z" on every TCP flow that starts with a SYN
--   alerts    one add_alert, add_alert_ids, add_alert_full, add_alert_tca per pipeline (first toured flow)
--   resources one per pipeline: the first SYN's TCP header as a hexdump
--   files     OUT/tour-http-request.bin (first request, Buffer:writetofile), OUT/tour-http-requests.log
--   messages  posts one message with an id and one without per pipeline (engine:post_message_frontend)
local ex = require "lib.trawl_examples"

local CHECKS = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F62}"
local TOUR = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F63}"
local NOTES = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F64}"
local MESSAGE = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F65}"

local failures = 0

local function check(engine, ok, what, flowkey)
  if not ok then
    failures = failures + 1
    if engine then
      engine:add_alert_full(CHECKS, flowkey, "tour-check", "trawl-selftest", 1, "check failed: " .. what)
    else
      T.logerror("api_tour: check failed: " .. what)
    end
  end
end

-- pure functions, checked once at load time (no engine there: failures are logged)
local function check_libraries()
  check(nil, T.K.loglevel.ERROR == 4 and T.K.loglevel.DEBUG == 8, "T.K.loglevel")
  check(nil, T.K.vartype.COUNTER == 0 and T.K.vartype.MINIMUM == 7, "T.K.vartype")
  check(nil, T.enginetype == "frontend", "T.enginetype")
  check(nil, type(T.contextid) == "string" and type(T.probeid) == "string", "T.contextid/T.probeid")
  check(nil, T.util.ntop(0xC0A80102) == "192.168.1.2", "T.util.ntop")
  check(nil, T.util.pton("192.168.1.2") == 0xC0A80102, "T.util.pton")
  check(nil, T.util:ntop(T.util.pton("10.0.0.1")) == "10.0.0.1", "T.util:ntop (colon style)")
  check(nil, T.util.bor(1, 2) == 3 and T.util.band(6, 3) == 2, "T.util.bor/band")
  check(nil, T.util.testbit32(4, 2) and not T.util.testbit32(4, 1), "T.util.testbit32")
  check(nil, T.util.bitval32(0xABCD, 4, 8) == 0xBC, "T.util.bitval32")
  local parts = T.util.split("a,b,,c", ",")
  check(nil, #parts == 4 and parts[1] == "a" and parts[3] == "" and parts[4] == "c", "T.util.split")
  local x, y, z = T.util.splitm("a:b:c", ":")
  check(nil, x == "a" and y == "b" and z == "c", "T.util.splitm")
  check(nil, T.util.hash("abc") == 324500635 and T.util.hash("abc", 8) == 324500635 % 256, "T.util.hash (MurmurHash2)")
  check(nil, T.util.bin2hex("AB\0") == "414200" and T.util.hex2bin("414200") == "AB\0", "T.util.bin2hex/hex2bin")
  check(nil, bit.band(0xFFFFFFFF, 15) == 15 and bit.bnot(0) == -1 and bit.rshift(-1, 28) == 15, "bit")
  check(nil, bit.bor(1, 2, 4) == 7 and bit.bxor(5, 1) == 4 and bit.lshift(1, 31) == -2147483648, "bit (2)")
  check(nil, bit.tohex(255) == "000000ff" and bit.tobit(2^32 + 5) == 5, "bit.tohex/tobit")
  check(nil, select("#", unpack({1, 2, 3})) == 3, "unpack")
  local re = T.re2("^(\\w+)@(\\w+)\\.com$")
  local ok, user, domain = re:partial_match_c2("alice@example.com")
  check(nil, ok and user == "alice" and domain == "example", "RE2 partial_match_c2")
  local ok1, first = re:partial_match_c1("bob@site.com")
  check(nil, ok1 and first == "bob", "RE2 partial_match_c1")
  local okn, caps = re:full_match_n("carol@host.com")
  check(nil, okn and caps[1] == "carol" and caps[2] == "host", "RE2 full_match_n")
  local okp, pcaps = T.re2("(\\d+)-(\\d+)"):partial_match_n("ports 80-443 open")
  check(nil, okp and pcaps[1] == "80" and pcaps[2] == "443", "RE2 partial_match_n")
  check(nil, not re:full_match("alice@example.com ") and re:partial_match("alice@example.com"), "RE2 full_match")
  check(nil, T.re2("HOST", { case_sensitive = false }):partial_match("Host: x"), "RE2 options")
  local ac = T.ac({ "he", "she", "his", "hers" })
  local found = ac:match_all("ushers")
  check(nil, #found == 3 and ac:match_one("ushers") == "she" and ac:match_one("xyz") == nil, "T.ac")
  check(nil, T.host:is_homenet("172.16.112.50") and not T.host:is_homenet("8.8.8.8"), "T.host:is_homenet")
  check(nil, #T.host:get_homenets() >= 1, "T.host:get_homenets")
  check(nil, T.env.get_config("App>DBRoot") ~= nil and T.env.get_config("App>DBRoot") == T.env.get_config("//App/DBRoot"),
        "T.env.get_config")
end

local function tour_flow(engine, layer, f)
  local key = f:id()
  local v6 = key:sub(3, 3) == "B"
  local width = v6 and 32 or 11                          -- address digits in the key
  check(engine, key == f:key() and key == f:to_s() and tostring(f) == key, "FlowID id/key/to_s", key)
  check(engine, f:protocol() == "06" and key:sub(1, 3) == (v6 and "06B" or "06A"), "FlowID protocol", key)
  check(engine, key:sub(5, 4 + width + 7) == f:ipa() .. ":" .. f:porta(), "FlowID A end by position", key)
  check(engine, key:sub(4 + width + 9) == f:ipz() .. ":" .. f:portz(), "FlowID Z end by position", key)
  if v6 then
    check(engine, f:ipa_readable():find(":") ~= nil and #f:ipa() == 32, "FlowID IPv6 forms", key)
  else
    local a = T.util.split(f:ipa_readable(), ".")
    check(engine, f:ipa() == string.format("%02X.%02X.%02X.%02X", a[1], a[2], a[3], a[4]), "FlowID ipa_readable", key)
    local z = T.util.split(f:ipz_readable(), ".")
    check(engine, f:ipz() == string.format("%02X.%02X.%02X.%02X", z[1], z[2], z[3], z[4]), "FlowID ipz_readable", key)
  end
  check(engine, tonumber(f:porta_readable()) == tonumber(f:porta():sub(3), 16), "FlowID porta_readable", key)
  check(engine, tonumber(f:portz_readable()) == tonumber(f:portz():sub(3), 16), "FlowID portz_readable", key)
  check(engine, tonumber(f:porta_readable()) >= tonumber(f:portz_readable()), "FlowID: Z has the lower port", key)
  local source = ex.addresses(layer:packet())
  local a_end = v6 and string.upper(source) == f:ipa() or source == f:ipa_readable()
  local client = a_end and "a" or "z"
  engine:tag_flow(key, "toured")
  engine:tag_flow(key, "syn-from-" .. client)
  engine:add_flow_counter(key, TOUR, "flow-bytes", 0, 0)
  engine:add_flow_counter(key, TOUR, "flow-bytes-reset", 0, 0)
  engine:reset_flow_counter(key, TOUR, "flow-bytes-reset")
  engine:add_flow_attribute(key, "tour-syn", "client at " .. client)
  engine:update_counter(TOUR, "syn", 0, 1)
  engine:update_counter_raw(TOUR, "syn-raw", 0, 1)
  T.tour.flows = T.tour.flows + 1
  engine:update_counter(TOUR, "toured", 2, T.tour.flows)                -- GAUGE
  engine:update_counter(TOUR, "window", 1, layer:rawbytes():hval_16(14)) -- MAXIMUM
  engine:update_counter(TOUR, "header", 3, layer:layer_bytes())          -- AVERAGE
  if not T.tour.first_done then
    T.tour.first_done = true
    engine:add_alert(ex.GUID.user_alerts, key, "tour-first-flow", 3, "first toured flow of pipeline " .. engine:instanceid())
    engine:add_alert_ids(ex.GUID.ids, key, "tour-ids", "trawl-tour", 2, "an IDS-style alert", "ok")
    engine:add_alert_full(ex.GUID.user_alerts, key, "tour-full", "trawl-tour", 3, "a full alert", "info")
    engine:add_alert_tca(ex.GUID.user_alerts, "tour-tca", "raised", "a threshold-crossing alert")
    engine:add_resource(ex.GUID.url, key, "tour://" .. f:ipz_readable() .. ":" .. f:portz_readable(),
                        layer:rawbytes():hexdump(0, layer:layer_bytes()))
    engine:post_message_frontend(MESSAGE, "hello from pipeline " .. engine:id())
    engine:post_message_frontend("a message without id from " .. engine:probeid())
    engine:add_edge("a", "b")
    engine:add_flow_edges(key)
    engine:set_key_attribute(TOUR, "syn", "k", "v")
  end
end

local function tour_http_request(engine, layer)
  local header = layer:layer_bytes()
  local payload = layer:rawbytes():tostring(header)
  local ok, method = T.tour.request_line:partial_match_c1(payload)
  if ok then
    engine:update_counter(TOUR, "http-" .. method, 0, 1)
    if T.tour.hosts:match_one(payload) then
      engine:update_counter(TOUR, "ac-host", 0, 1)
    end
    local out = T.env.get_config("App>DataDirectory")
    local buffer = layer:rawbytes()
    if not T.tour.wrote_request then
      T.tour.wrote_request = true
      buffer:writetofile(out .. "/tour-http-request.bin." .. engine:instanceid(), header)
    end
    if T.tour.appended < 5 then
      T.tour.appended = T.tour.appended + 1
      buffer:appendtofile(out .. "/tour-http-requests.log." .. engine:instanceid())
    end
  end
end

TrisulPlugin = {
  id = {
    name = "API tour",
    description = "Calls every scripting API method and checks the answers",
    author = "trawl examples", version_major = 1, version_minor = 0,
  },

  message_subscriptions = { MESSAGE },

  onload = function()
    T.tour = { flows = 0, messages = 0, appended = 0 }
    T.tour.request_line = T.re2("^(GET|HEAD|POST) (\\S+)")
    T.tour.hosts = T.ac({ "\r\nHost:", "\nHost:" })
    check_libraries()
    T.log(T.K.loglevel.INFO, "api_tour: loaded")
    T.loginfo("api_tour: library checks done, " .. failures .. " failed")
    T.logdebug("api_tour: debug lines are filtered at the default log level")
    T.logwarning("api_tour: a WARN-level line (T.logwarning)")
    T.logerror("api_tour: an ERROR-level line (T.logerror), not a failure")
    T.host:log(T.K.loglevel.NOTICE, "api_tour: T.host:log works")
    return true
  end,

  onunload = function()
    T.loginfo("api_tour: " .. T.tour.flows .. " flows toured, " .. T.tour.messages .. " messages received, "
              .. failures .. " failed checks")
  end,

  onmessage = function(msgid, msg)
    T.tour.messages = T.tour.messages + 1
  end,

  countergroup = {
    control = { guid = TOUR, name = "API tour", description = "What the API tour saw", bucketsize = 300 },
    meters = {
      { 0, T.K.vartype.COUNTER, 10, "Count", "events", "" },
      { 1, T.K.vartype.MAXIMUM, 10, "Largest", "largest value", "" },
      { 2, T.K.vartype.GAUGE, 10, "Gauge", "last value", "" },
      { 3, T.K.vartype.AVERAGE, 10, "Mean", "mean value", "" },
    },
  },

  alertgroup = { control = { guid = CHECKS, name = "API tour checks", description = "Failed self-checks" } },

  resourcegroup = { control = { guid = NOTES, name = "API tour notes", description = "Notes of the tour" } },

  simplecounter = {
    protocol_guid = ex.GUID.tcp,
    onpacket = function(engine, layer)
      check(engine, layer:protocol_id() == ex.GUID.tcp, "Layer:protocol_id")
      local flags = layer:getbyte(13)
      local bits = 0
      for i = 0, 7 do
        if layer:testbit(104 + i) then bits = bits + 2 ^ (7 - i) end
      end
      check(engine, bits == flags, "Layer:testbit agrees with Layer:getbyte")
      check(engine, layer:layer_bytes() == bit.rshift(layer:getbyte(12), 4) * 4, "Layer:layer_bytes is the TCP header")
      local packet = layer:packet()
      local sec, usec = packet:timestamp()
      check(engine, sec == engine:timestamp() and usec >= 0 and usec < 1000000, "Packet:timestamp")
      check(engine, packet:wire_length() >= packet:capture_length(), "Packet lengths")
      check(engine, packet:rawbytes():size() == packet:capture_length(), "Packet:rawbytes size")
      check(engine, packet:get_layer(0):protocol_id() == ex.GUID.ethernet, "Packet:get_layer(0)")
      check(engine, packet:get_layer(packet:num_layers()) == nil, "Packet:get_layer beyond the last")
      local ip = packet:find_layer(ex.GUID.ipv4) or packet:find_layer(ex.GUID.ipv6)
      check(engine, ip ~= nil and ip:total_bytes() == ip:rawbytes():length(), "Packet:find_layer / Layer:total_bytes")
      check(engine, ip:total_bytes() - ip:layer_bytes() == layer:total_bytes(), "layers nest")
      local f = layer:flowkey()
      check(engine, f ~= nil and packet:flowid():id() == f:id(), "Layer:flowkey / Packet:flowid")
      local b = layer:rawbytes()
      check(engine, b:hval_8(13) == flags and b:hval_16(12) % 256 == flags
            and b:hval_24(11) % 256 == flags and b:hval_32(10) % 256 == flags, "Buffer:hval_*")
      if flags == 0x02 then
        tour_flow(engine, layer, f)
      end
      if layer:layer_bytes() < layer:total_bytes() and f:portz_readable() == "80" then
        tour_http_request(engine, layer)
      end
    end,
  },
}

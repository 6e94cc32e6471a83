# Shared by perf/replay-rig.sh and perf/bench-live.sh (source it; bash only).
#
# A replay rig is two network namespaces of its own, "$RIG-tx" and "$RIG-rx", joined by a veth pair
# tx0 <-> rx0, IPv6 off (the kernel then sends nothing by itself) and TEST-NET-2 addresses that exist only
# inside the namespaces. rig_down deletes both namespaces, which deletes the veth pair with them.

rig_require() {
  local missing=()
  [ "$(id -u)" = 0 ] || { echo "rig: needs root (network namespaces, XDP)" >&2; return 2; }
  for tool in ip tcpreplay python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "rig: missing ${missing[*]} (apt-get install iproute2 tcpreplay python3)" >&2
    return 2
  fi
}

# rig_up NAME [QUEUES]: creates the namespaces and the veth pair; sets RIG.
rig_up() {
  RIG=$1
  local queues=${2:-1}
  ip netns add "$RIG-tx"
  ip netns add "$RIG-rx"
  for ns in "$RIG-tx" "$RIG-rx"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add tx0 netns "$RIG-tx" numtxqueues "$queues" numrxqueues "$queues" type veth \
    peer name rx0 netns "$RIG-rx" numtxqueues "$queues" numrxqueues "$queues"
  if [ "$queues" -gt 1 ]; then
    ip netns exec "$RIG-rx" ethtool -L rx0 rx "$queues" tx "$queues"
    ip netns exec "$RIG-tx" ethtool -L tx0 rx "$queues" tx "$queues"
  fi
  ip -n "$RIG-tx" addr add 198.51.100.1/30 dev tx0
  ip -n "$RIG-rx" addr add 198.51.100.2/30 dev rx0
  ip -n "$RIG-tx" link set tx0 up
  ip -n "$RIG-rx" link set rx0 up
}

# rig_down: deletes what rig_up created (safe to call twice, or after a partial rig_up).
rig_down() {
  [ -n "${RIG:-}" ] || return 0
  ip netns del "$RIG-tx" 2>/dev/null || true
  ip netns del "$RIG-rx" 2>/dev/null || true
}

# rig_replay CAPTURE TCPREPLAY_OPTIONS...: replays from tx0; prints the number of packets sent.
rig_replay() {
  local capture=$1
  shift
  local output
  output=$(ip netns exec "$RIG-tx" tcpreplay --intf1=tx0 "$@" "$capture" 2>&1) || {
    echo "rig: tcpreplay failed: $output" >&2
    return 1
  }
  sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' <<<"$output" | head -n1
}

# rig_xdp_attached: true when an XDP program is attached to rx0.
rig_xdp_attached() {
  ip -n "$RIG-rx" -d link show dev rx0 | grep -q 'prog/xdp'
}

# cpu_ticks PID: user + system CPU time of a process (all threads), in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# wait_for_line FILE TEXT SECONDS [PID]: waits until FILE contains TEXT (fails if PID dies first).
wait_for_line() {
  local file=$1 text=$2 seconds=$3 pid=${4:-}
  local deadline=$((SECONDS + seconds))
  until grep -q -- "$text" "$file" 2>/dev/null; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}

# summary_field FILE PYTHON_EXPRESSION: evaluates an expression over summary.json as `s`.
summary_field() {
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"
}

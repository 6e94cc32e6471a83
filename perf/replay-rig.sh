#!/usr/bin/env bash
# Replays a capture over a veth pair between two network namespaces of its own into a live trawl, and
# checks that trawl counted every packet sent. Deletes everything it created, also on failure or Ctrl-C.
#
#   sudo perf/replay-rig.sh                                  # 16minutes.pcap at top speed into afxdp:rx0
#   sudo perf/replay-rig.sh --source afpacket --rate 20000   # TPACKET_V3, 20 kpps
#   sudo perf/replay-rig.sh --capture f.pcap --loop 10 -- --pipelines 2 --xdp-mode skb
#
# Options:
#   --source KIND     afxdp (default: afxdp:rx0), afpacket (afpacket:rx0), or a spec naming rx0 (afxdp:rx0@0)
#   --capture FILE    capture to replay (default ../shared/corpus/16minutes.pcap)
#   --rate PPS        replay at PPS packets per second (tcpreplay --pps)
#   --topspeed        replay as fast as the sender can (default)
#   --loop N          replay the capture N times (tcpreplay --loop, preloaded with -K)
#   --queues N        RX queues of the veth pair (default 1)
#   --out DIR         trawl's output directory (default: a new directory under /tmp, printed)
#   -- OPTIONS...     passed to `trawl run`
# Exit status: 0 when trawl counted every packet sent and reported no drops, 1 otherwise, 2 usage errors.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
# shellcheck source=perf/rig-functions.sh
source "$here/rig-functions.sh"

source_spec=afxdp:rx0
capture=$root/../shared/corpus/16minutes.pcap
pace=(--topspeed)
loop=1
queues=1
out=
trawl_options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --source) shift; case "$1" in afxdp) source_spec=afxdp:rx0 ;; afpacket) source_spec=afpacket:rx0 ;; *) source_spec=$1 ;; esac ;;
    --capture) shift; capture=$1 ;;
    --rate) shift; pace=(--pps="$1") ;;
    --topspeed) pace=(--topspeed) ;;
    --loop) shift; loop=$1 ;;
    --queues) shift; queues=$1 ;;
    --out) shift; out=$1 ;;
    --) shift; trawl_options=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "replay-rig: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$capture" ] || { echo "replay-rig: no capture at $capture (--capture FILE)" >&2; exit 2; }
rig_require || exit 2
[ -n "$out" ] || out=$(mktemp -d /tmp/trawl-rig.XXXXXX)
mkdir -p "$out"

trawl_pid=
cleanup() {
  if [ -n "$trawl_pid" ] && kill -0 "$trawl_pid" 2>/dev/null; then
    kill -TERM "$trawl_pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$trawl_pid" 2>/dev/null || true
  fi
  rig_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rig_up "trawl-rig-$$" "$queues"
echo "replay-rig: namespaces $RIG-tx (tx0) and $RIG-rx (rx0), $queues queue(s); trawl outputs in $out"

# The launcher builds trawl on first use; build before timing anything.
"$root/trawl" --version >/dev/null
ip netns exec "$RIG-rx" "$root/trawl" run --source "$source_spec" --out "$out" --progress never \
  "${trawl_options[@]}" >"$out/trawl.log" 2>&1 &
trawl_pid=$!
if ! wait_for_line "$out/trawl.log" "trawl: threads:" 120 "$trawl_pid"; then
  echo "replay-rig: trawl did not start:" >&2
  cat "$out/trawl.log" >&2
  exit 1
fi
head -n 2 "$out/trawl.log"

replay_options=("${pace[@]}")
[ "$loop" -gt 1 ] && replay_options+=(--loop="$loop" -K)
sent=$(rig_replay "$capture" "${replay_options[@]}")
echo "replay-rig: tcpreplay sent $sent packets (${pace[*]}, loop $loop)"

# Wait until trawl's live counters stop moving (or reach the count), then stop it as an operator would.
counted=0
previous=-1
for _ in $(seq 1 100); do
  counted=$("$root/trawl" counters --state "$out/state" 2>/dev/null \
    | awk '/Packets received/ { gsub(",", "", $1); n += $1 } END { print n + 0 }')
  [ "$counted" -ge "$sent" ] && break
  [ "$counted" = "$previous" ] && break
  previous=$counted
  sleep 0.2
done
kill -TERM "$trawl_pid"
wait "$trawl_pid" || true
trawl_pid=
tail -n 3 "$out/trawl.log"

received=$(summary_field "$out/summary.json" 's["packets"]')
drops=$(summary_field "$out/summary.json" 'sum(v for v in s["drops"].values())')
drop_detail=$(summary_field "$out/summary.json" '", ".join(k + "=" + str(v) for k, v in s["drops"].items())')
echo "replay-rig: sent $sent, trawl received $received, drops $drops ($drop_detail)"
if [ "$received" = "$sent" ] && [ "$drops" = 0 ]; then
  echo "replay-rig: OK"
  exit 0
fi
echo "replay-rig: MISMATCH"
exit 1

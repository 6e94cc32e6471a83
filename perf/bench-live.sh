#!/usr/bin/env bash
# Live-capture benchmark: the same offered load (tcpreplay --topspeed over a veth pair, 60-byte frames =
# 64 on the wire with the FCS) into four receivers, interleaved round by round:
#   trawl-afxdp     ./trawl run --source afxdp:rx0        (auto: drv mode, copy on veth, poll() when idle)
#   trawl-afpacket  ./trawl run --source afpacket:rx0     (TPACKET_V3)
#   tcpdump         tcpdump -i rx0 -w /dev/null
#   testpmd         dpdk-testpmd ... --vdev net_af_xdp0,iface=rx0 -- --forward-mode=rxonly
#   trawl-afxdp-c10 (optional) trawl-afxdp with afxdp.coalesce_us: 10000
#   trawl-afxdp-big (optional) trawl-afxdp with a 256 MiB UMEM (131072 frames, 65536-entry rings)
#   capture-afxdp, capture-afpacket  (optional) the same trawl sources with no pipeline behind them
#                   (io.trawl.perf.live.CaptureOnly): the receive path's own cost, like tcpdump's
# For each: packets sent and received, kernel/driver drops, and the receiver's CPU time (user + system of
# every thread, from /proc/PID/stat) over the measured replay, per million packets sent.
#
#   sudo perf/bench-live.sh [--rounds 5] [--packets 2000000] [--flows 1024] [--receivers "trawl-afxdp tcpdump ..."]
#
# The receiver runs on CPU 1, tcpreplay on CPU 0 (taskset). Results: a TSV of every run and a summary
# (medians and per-round ratios against tcpdump) on stdout; the work directory is kept (printed).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
# shellcheck source=perf/rig-functions.sh
source "$here/rig-functions.sh"

rounds=5
packets=2000000
receivers="trawl-afxdp trawl-afpacket tcpdump testpmd"
flows=1024
receiver_cpu=1
sender_cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) shift; rounds=$1 ;;
    --packets) shift; packets=$1 ;;
    --receivers) shift; receivers=$1 ;;
    --flows) shift; flows=$1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench-live: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
rig_require || exit 2
for tool in tcpdump taskset; do
  command -v "$tool" >/dev/null || { echo "bench-live: $tool missing (apt-get install $tool util-linux)" >&2; exit 2; }
done
if [[ " $receivers " == *" testpmd "* ]] && ! command -v dpdk-testpmd >/dev/null; then
  echo "bench-live: dpdk-testpmd missing (apt-get install dpdk-dev); leaving it out" >&2
  receivers=${receivers//testpmd/}
fi

work=$(mktemp -d /tmp/trawl-bench.XXXXXX)
receiver_pid=
cleanup() {
  if [ -n "$receiver_pid" ] && kill -0 "$receiver_pid" 2>/dev/null; then
    kill -KILL "$receiver_pid" 2>/dev/null || true
  fi
  rig_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 200,000 distinct 60-byte UDP frames over --flows flows (1024); the main replay loops the file to reach --packets.
python3 - "$work/frames.pcap" 200000 "$work/warmup.pcap" 100000 "$flows" <<'PY'
import struct, sys
flows = int(sys.argv[5])
def write(path, count):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            flow = i % flows
            payload = struct.pack(">I", i) + bytes(14)
            udp = struct.pack(">HHHH", 10000 + flow % 50000, 53, 8 + len(payload), 0) + payload
            total = 20 + len(udp)
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, i & 0xFFFF, 0, 64, 17, 0,
                             bytes([10, (flow >> 16) & 0xFF, (flow >> 8) & 0xFF, flow & 0xFF]), bytes([10, 1, 0, 1]))
            s = sum(struct.unpack(">10H", ip)); s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
            ip = ip[:10] + struct.pack(">H", ~s & 0xFFFF) + ip[12:]
            frame = bytes.fromhex("020000000002" "020000000001" "0800") + ip + udp
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(frame), len(frame)) + frame)
write(sys.argv[1], int(sys.argv[2]))
write(sys.argv[3], int(sys.argv[4]))
PY
loops=$(( (packets + 199999) / 200000 ))
main_packets=$((loops * 200000))
rig_up "trawl-bench-$$" 1
mkfifo "$work/testpmd.stdin"
printf 'afxdp:\n  coalesce_us: 10000\n' >"$work/coalesce-10ms.yaml"
exec 9<>"$work/testpmd.stdin"
"$root/trawl" --version >/dev/null
jdk=$("$root/deploy/bin/find-jdk")
ticks_per_second=$(getconf CLK_TCK)
echo "bench-live: $rounds rounds of: ${receivers}; $main_packets packets of 60 bytes per run; work dir $work" >&2

start_receiver() {
  local name=$1 log=$2 out=$3
  case "$name" in
    trawl-afxdp) ip netns exec "$RIG-rx" taskset -c "$receiver_cpu" "$root/trawl" run --source afxdp:rx0 \
                   --out "$out" --progress never >"$log" 2>&1 & ready="trawl: threads:" ;;
    trawl-afxdp-c10) # the same, waking at most every 10 ms while traffic flows (afpacket's block timeout)
                   ip netns exec "$RIG-rx" taskset -c "$receiver_cpu" "$root/trawl" run --source afxdp:rx0 \
                   --config "$work/coalesce-10ms.yaml" --out "$out" --progress never >"$log" 2>&1 & ready="trawl: threads:" ;;
    trawl-afxdp-big) # the same with 4x the UMEM (256 MiB: 131072 frames, 65536-entry rings)
                   ip netns exec "$RIG-rx" taskset -c "$receiver_cpu" "$root/trawl" run --source afxdp:rx0 \
                   --xdp-frames 131072 --xdp-rx-ring 65536 --xdp-fill-ring 65536 \
                   --out "$out" --progress never >"$log" 2>&1 & ready="trawl: threads:" ;;
    trawl-afpacket) ip netns exec "$RIG-rx" taskset -c "$receiver_cpu" "$root/trawl" run --source afpacket:rx0 \
                   --out "$out" --progress never >"$log" 2>&1 & ready="trawl: threads:" ;;
    capture-afxdp|capture-afpacket)
             ip netns exec "$RIG-rx" taskset -c "$receiver_cpu" "$jdk/bin/java" @"$root/deploy/target/trawl-jvm.options" \
               -cp "$(echo "$root"/perf/target/trawl-perf-*.jar):$root/perf/target/lib/*" io.trawl.perf.live.CaptureOnly \
               "${name#capture-}:rx0" >"$log" 2>&1 & ready="capture-only: ready" ;;
    tcpdump) ip netns exec "$RIG-rx" taskset -c "$receiver_cpu" tcpdump -i rx0 -w /dev/null >"$log" 2>&1 &
             ready="listening on" ;;
    testpmd) # lcore 0: testpmd's main thread (waits on stdin, kept open by fd 9); lcore 1: the rx-only poller.
             ip netns exec "$RIG-rx" stdbuf -oL -eL dpdk-testpmd -l "$sender_cpu,$receiver_cpu" --main-lcore "$sender_cpu" --no-huge \
               -m 512 --no-pci --file-prefix "trawl-bench-$$" --vdev net_af_xdp0,iface=rx0 -- --forward-mode=rxonly \
               --total-num-mbufs=16384 <"$work/testpmd.stdin" >"$log" 2>&1 & ready="Press enter to exit" ;;
  esac
  receiver_pid=$!
  wait_for_line "$log" "$ready" 120 "$receiver_pid" || { echo "bench-live: $name did not start:" >&2; cat "$log" >&2; return 1; }
  sleep 0.5
}

# Prints "received drops" for a stopped receiver.
receiver_counts() {
  local name=$1 log=$2 out=$3
  case "$name" in
    capture-*) sed -n 's/^capture-only: packets \([0-9]*\) bytes [0-9]* drops \([0-9]*\).*/\1 \2/p' "$log" ;;
    trawl-*) echo "$(summary_field "$out/summary.json" 's["packets"]') $(summary_field "$out/summary.json" 'sum(s["drops"].values())')" ;;
    tcpdump) echo "$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$log") $(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$log")" ;;
    testpmd) awk '/Accumulated forward statistics/ { a = 1 } a && /RX-packets:/ { r = $2; d = $4 } END { print r + 0, d + 0 }' "$log" ;;
  esac
}

{
printf 'round\treceiver\tsent\treceived\tdrops\tcpu_s\tcpu_ms_per_mpkt\tsender_pps\n'
for round in $(seq 1 "$rounds"); do
  for name in $receivers; do
    log=$work/$name-$round.log
    out=$work/$name-$round
    start_receiver "$name" "$log" "$out"
    # Warm-up at a pace a cold JVM keeps up with (JIT), so that every receiver starts the measured replay warm.
    warm=$(taskset -c "$sender_cpu" bash -c "$(declare -f rig_replay); RIG=$RIG; rig_replay $work/warmup.pcap --pps=50000")
    sleep 0.5
    before=$(cpu_ticks "$receiver_pid")
    replay=$(ip netns exec "$RIG-tx" taskset -c "$sender_cpu" tcpreplay --intf1=tx0 --topspeed -K --loop="$loops" \
      "$work/frames.pcap" 2>&1)
    sleep 1.5 # tcpdump's blocks retire after 1 s
    after=$(cpu_ticks "$receiver_pid")
    sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' <<<"$replay" | head -n1)
    pps=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' <<<"$replay" | head -n1)
    case "$name" in testpmd|tcpdump) kill -INT "$receiver_pid" ;; *) kill -TERM "$receiver_pid" ;; esac
    wait "$receiver_pid" 2>/dev/null || true
    receiver_pid=
    read -r received drops < <(receiver_counts "$name" "$log" "$out")
    cpu=$(python3 -c "print(round(($after - $before) / $ticks_per_second, 2))")
    per=$(python3 -c "print(round(($after - $before) / $ticks_per_second * 1000 / ($sent / 1e6), 1))")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$((sent + warm))" "$received" "${drops:-?}" "$cpu" "$per" "$pps"
  done
done
} | tee "$work/results.tsv"

python3 - "$work/results.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(r["receiver"], []).append(r)
print("\nreceiver\tmedian_cpu_ms_per_mpkt\tmedian_sender_pps\tlost_packets(all rounds)\tdrops(all rounds)")
for name, rs in by.items():
    lost = sum(int(r["sent"]) - int(r["received"] or 0) for r in rs)
    drops = sum(int(r["drops"]) for r in rs if r["drops"].isdigit())
    print(f'{name}\t{statistics.median(float(r["cpu_ms_per_mpkt"]) for r in rs)}\t'
          f'{statistics.median(float(r["sender_pps"] or 0) for r in rs):.0f}\t{lost}\t{drops}')
if "tcpdump" in by:
    base = {r["round"]: float(r["cpu_ms_per_mpkt"]) for r in by["tcpdump"]}
    for name, rs in by.items():
        if name == "tcpdump":
            continue
        ratios = [float(r["cpu_ms_per_mpkt"]) / base[r["round"]] for r in rs if base.get(r["round"])]
        if ratios:
            print(f"{name} / tcpdump CPU per packet: median {statistics.median(ratios):.2f} over {len(ratios)} rounds "
                  f"({', '.join(f'{x:.2f}' for x in ratios)})")
PY
echo "bench-live: details in $work" >&2

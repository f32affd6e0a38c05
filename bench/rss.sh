#!/bin/sh
# lqosd's memory at N circuits (default 100k): builds lqosd, makes a network
# namespace with two 4-queue veth ports bridged by lqosd, writes a
# ShapedDevices.csv of N circuits (one device each: an IPv4 /32, and an
# IPv6 /56 delegation for every second one) under 50 sites, starts lqosd with
# lazy queues (leaf qdiscs on first traffic; the kernel here lacks cake, so
# leaves would be bfifo), waits for the start-up apply and a few
# statistics rounds, then prints VmHWM (peak) and VmRSS from /proc and the
# biggest in-use heap items from the heap profile lqosd writes when it stops.
# Needs root. Usage: bench/rss.sh [circuits] [lazy_queues: Htb|Full|No]
set -eu
n="${1:-100000}"
lazy="${2:-Htb}"
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
ns="lqrss$$"
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
	ip netns del "$ns" 2>/dev/null || true
	umount -l "$tmp/bpffs" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

go build -o "$tmp/lqosd" ./cmd/lqosd
ip netns add "$ns"
for p in A B; do
	ip -n "$ns" link add "lqrss$p" numtxqueues 4 numrxqueues 4 type veth peer name "lqrss${p}p" numtxqueues 4 numrxqueues 4
	ip -n "$ns" link set "lqrss$p" up
	ip -n "$ns" link set "lqrss${p}p" up
done

mkdir -p "$tmp/etc" "$tmp/state" "$tmp/run"
cat >"$tmp/etc/lqos.conf" <<CONF
version = "1.5"
lqos_directory = "."
state_directory = "$tmp/state"
node_name = "rss"
[bridge]
to_internet = "lqrssA"
to_network = "lqrssB"
[queues]
default_sqm = "cake diffserv4"
uplink_bandwidth_mbps = 100000
downlink_bandwidth_mbps = 100000
lazy_queues = "$lazy"
max_circuit_removal_percent = 100
CONF
awk -v n="$n" 'BEGIN {
	printf "{"
	for (s = 0; s < 50; s++) printf "%s\"site%d\":{\"downloadBandwidthMbps\":10000,\"uploadBandwidthMbps\":10000,\"children\":{}}", (s ? "," : ""), s
	print "}"
}' >"$tmp/etc/network.json"
awk -v n="$n" 'BEGIN {
	print "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm"
	for (i = 0; i < n; i++) {
		v6 = (i % 2) ? sprintf("2001:db8:%x:%x00::/56", int(i / 256) + 4096, i % 256) : ""
		printf "c%d,Circuit %d,d%d,Device %d,site%d,,,,100.%d.%d.%d,%s,10,5,100,20,,\n", i, i, i, i, i % 50, 64 + int(i / 65536), int(i / 256) % 256, i % 256, v6
	}
}' >"$tmp/etc/ShapedDevices.csv"

echo "circuits: $n  lazy_queues: $lazy  load: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)"
start=$(date +%s)
ip netns exec "$ns" "$tmp/lqosd" --config "$tmp/etc/lqos.conf" --run-dir "$tmp/run" --bpffs "$tmp/bpffs" \
	--web-listen 127.0.0.1:0 --heap-profile "$tmp/heap.pprof" --log-level info >"$tmp/lqosd.log" 2>&1 &
pid=$!
# Wait for the start-up apply (either outcome), up to 30 minutes.
i=0
until grep -q -e "shaping plan applied at start" -e "applying the shaping plan at start failed" "$tmp/lqosd.log"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "lqosd exited:"; tail -20 "$tmp/lqosd.log"; exit 1
	fi
	i=$((i + 1))
	if [ "$i" -gt 1800 ]; then echo "no start-up apply after 30 min"; tail -5 "$tmp/lqosd.log"; exit 1; fi
	sleep 1
done
echo "start-up apply after $(( $(date +%s) - start )) s: $(grep -o -e 'shaping plan applied at start.*' -e 'applying the shaping plan at start failed.*' "$tmp/lqosd.log" | head -1 | cut -c1-200)"
sleep 10 # a few statistics rounds (1 s each) with every host known
grep -E '^(VmHWM|VmRSS)' "/proc/$pid/status"
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || true
pid=""
echo "goal: VmHWM < 300 MB at 100k circuits: $( [ "$hwm" -lt 307200 ] && echo met || echo NOT met) ($((hwm / 1024)) MB)"
if [ -s "$tmp/heap.pprof" ]; then
	echo "biggest in-use heap items at stop:"
	go tool pprof -sample_index=inuse_space -top -nodecount=25 "$tmp/lqosd" "$tmp/heap.pprof" 2>/dev/null | sed -n '1,32p'
fi
grep -c -i -e 'level=ERROR' "$tmp/lqosd.log" | sed 's/^/errors logged: /'

#!/bin/sh
# XDP/TC per-packet cost from the kernel's own BPF_PROG_TEST_RUN duration:
# our programs with 100k realistic prefixes (IPv4 /32 subscribers and /28-/30
# blocks, IPv6 /48-/64 delegations and /128 hosts), 1024 frames per case,
# each for a different address, beside an empty program (returns the
# verdict only) and, when given, upstream LibreQoS's compiled XDP/TC object,
# interleaved per frame in one run. Needs root.
# Usage: bench/xdp.sh [upstream-object.o] [runs-per-case]
#   (or LQOS_UPSTREAM_OBJ=path bench/xdp.sh)
set -eu
cd "$(dirname "$0")/.."
obj="${1:-${LQOS_UPSTREAM_OBJ:-}}"
n="${2:-2000000}"
if [ -n "$obj" ] && [ ! -r "$obj" ]; then
	echo "upstream object $obj is not readable" >&2
	exit 1
fi
if [ -z "$obj" ]; then
	echo "no upstream baseline given (argument or LQOS_UPSTREAM_OBJ): printing our figures and the empty-program ratio only"
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)  kernel: $(uname -r)"
LQOS_UPSTREAM_OBJ="$obj" go test ./internal/datapath -run '^$' -bench '^BenchmarkXDP$' -benchtime="${n}x" -timeout 30m |
	awk -v up="$obj" '
	/^Benchmark/ {
		name = $1; sub(/^BenchmarkXDP\//, "", name); sub(/-[0-9]+$/, "", name)
		for (i = 3; i < NF; i += 2) v[$(i+1)] = $i
		if (!hdr) {
			if (up != "") printf "%-34s %9s %9s %8s %11s %10s\n", "mode/program/case", "ours ns", "empty ns", "x-empty", "upstream ns", "upstream-x"
			else printf "%-34s %9s %9s %8s\n", "mode/program/case", "ours ns", "empty ns", "x-empty"
			hdr = 1
		}
		if (up != "") printf "%-34s %9.1f %9.1f %8.2f %11.1f %10.2f\n", name, v["ns/pkt"], v["empty-ns/pkt"], v["x-empty"], v["upstream-ns/pkt"], v["upstream-x"]
		else printf "%-34s %9.1f %9.1f %8.2f\n", name, v["ns/pkt"], v["empty-ns/pkt"], v["x-empty"]
		next
	}
	/^(ok|FAIL|---|PASS)/ { print }
	/not exercised|NOT EXERCISED/ { print }'
echo "goal: x-empty <= 2 and upstream-x >= 3 (upstream-x = upstream ns / ours ns)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/bin/sh
# The bus end to end with 100k mappings (client -> unix socket -> server ->
# handler, and the list back), this tree's HTTP API against the framed-JSON
# protocol with its hand-written codec that it replaced (commit 2927d4a, the
# same benchmark, extracted with git archive), in one run, in turn, each
# sub-benchmark in its own process so maxrss-MB is its own peak. Prints the
# figures and the new/old ratios. cpu-ns/op is process CPU time (both ends,
# GC included), which stays meaningful on a busy machine; ns/op is wall time.
# Usage: bench/bus.sh [iterations] [rounds]
set -eu
n="${1:-5}"
rounds="${2:-2}"
old_commit=2927d4a
cd "$(dirname "$0")/.."
top=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$old_commit" | tar -x -C "$tmp"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)"
(cd "$tmp" && go test -c -o "$tmp/old.test" ./internal/bus)
go test -c -o "$tmp/new.test" ./internal/bus
for r in $(seq "$rounds"); do
	for which in old new; do
		for sub in upload list; do
			"$tmp/$which.test" -test.run '^$' -test.bench "Mappings100k/$sub\$" -test.benchtime="${n}x" |
				awk -v w="$which" '/^BenchmarkMappings100k/ {print w, $0}'
		done
	done
done | tee "$tmp/out"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
function val(unit,   i) { for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i; return "" }
{
	k = $1 " " $2
	n[k]++
	for (u in units) { v = val(u); if (v != "") sum[k, u] += v }
}
BEGIN { split("ns/op cpu-ns/op MB/s B/op allocs/op maxrss-MB", l, " "); for (i in l) units[l[i]] = 1 }
END {
	printf "\n%-36s %14s %14s %8s\n", "mean of rounds", "old", "new", "new/old"
	for (k in n) {
		split(k, p, " "); if (p[1] != "new") continue
		o = "old " p[2]
		for (i = 1; i <= 6; i++) { u = l[i]
			ov = sum[o, u] / n[o]; nv = sum[k, u] / n[k]
			printf "%-36s %14.1f %14.1f %8.2f\n", p[2] " " u, ov, nv, (ov ? nv / ov : 0)
		}
	}
}' "$tmp/out"

#!/bin/sh
# A one-circuit change end to end: ShapedDevices.csv edited on disk (a rate
# change, an added circuit, a removed one, in turn), then a whole refresh:
# load and validate, plan, record (journal append), apply in a netns with
# pfifo leaves, IP mappings, views. Prints the time of each phase per
# refresh, our CPU time, and in the same run what the tc commands upstream
# would issue for the same change take (one `tc -batch` process), with the
# ratio ours/tc. 100k runs with the kernel replaced by memory (its first full
# apply takes too long on a small machine): its phases without the kernel.
# Needs root. Usage: bench/one_change.sh [iterations]
set -eu
n="${1:-9}"
cd "$(dirname "$0")/.."
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)  kernel: $(uname -r)"
go test ./internal/shaper -run '^$' -bench 'OneCircuitChange/10k$' -benchtime="${n}x" -timeout 60m | grep -E '^Benchmark' | tr '\t' '\n' | sed 's/^ *//'
LQOS_BENCH_KERNEL=mem go test ./internal/shaper -run '^$' -bench 'OneCircuitChange/100k$' -benchtime="${n}x" -timeout 60m | grep -E '^Benchmark' | tr '\t' '\n' | sed 's/^ *//'
go test ./internal/shaper -run '^$' -bench 'WriteIntent' -benchtime=3x
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/bin/sh
# Full apply of 10k, 20k, 50k and 100k circuits (+300 nodes, 4 queues, class
# + pfifo leaf each; beyond the 16-bit leaf handle space circuits keep HTB's
# built-in fifo) into a fresh netns: our netlink Apply vs `tc -force -batch`
# of the same tree (the upstream way), both in one run with the order
# alternating. Prints wall and CPU time (process + kernel on its behalf) of
# each and the ratios netlink/tcbatch. Then dump time per object at 10k, a
# no-op re-apply, one-circuit incremental applies and the rebuild window of
# one queue under traffic. Needs root.
# Usage: bench/tc_apply.sh [iterations] [sizes regexp, e.g. '10k|20k']
set -eu
n="${1:-2}"
sizes="${2:-10k|20k|50k|100k}"
cd "$(dirname "$0")/.."
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)  kernel: $(uname -r)  $(tc -V | head -1)"
go test ./internal/tc -run '^$' -bench "FullApply/($sizes)\$" -benchtime="${n}x" -timeout 300m -v | grep -E 'iteration|^Benchmark|netlink'
go test ./internal/tc -run '^$' -bench 'Dump10k|NoopApply10k|Incremental10k' -benchtime=5x -timeout 30m
go test ./internal/tc -run '^$' -bench 'FastDiff10k' -benchtime=200x
# Queue rebuild under a 1 packet/ms flow: time parked/unshaped, packets lost.
go test ./internal/tc -run '^$' -bench 'RebuildWindow' -benchtime=3x -timeout 30m
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

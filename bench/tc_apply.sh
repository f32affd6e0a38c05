#!/bin/sh
# Full apply of 10k circuits (+300 nodes, 4 queues, class + pfifo leaf each)
# into a fresh netns: our netlink Apply vs `tc -force -batch` (the upstream
# way), both in one run with the order alternating, plus dump time per object
# at 10k, a no-op re-apply, and the rebuild window of one queue under
# traffic. Needs root. Usage: bench/tc_apply.sh [iterations]
set -eu
n="${1:-3}"
cd "$(dirname "$0")/.."
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)  kernel: $(uname -r)  $(tc -V | head -1)"
go test ./internal/tc -run '^$' -bench 'FullApply10k' -benchtime="${n}x" -timeout 30m
go test ./internal/tc -run '^$' -bench 'Dump10k|NoopApply10k|Incremental10k' -benchtime=5x -timeout 30m
go test ./internal/tc -run '^$' -bench 'FastDiff10k' -benchtime=200x
# Queue rebuild under a 1 packet/ms flow: time parked/unshaped, packets lost.
go test ./internal/tc -run '^$' -bench 'RebuildWindow' -benchtime=3x -timeout 30m
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

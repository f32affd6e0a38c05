#!/bin/sh
# Planner speed: Build for 10k and 100k circuits (50 sites x 20 APs, 1-2 IPs
# per circuit, 16 queues), fresh and re-planned with identity state, plus the
# tc rendering of 100k. ns/op is wall clock; cpu-ns/op is process CPU time
# (all threads, GC included), which stays meaningful on a busy machine.
# Usage: bench/plan.sh [iterations]
set -eu
n="${1:-5}"
cd "$(dirname "$0")/.."
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)"
go test ./internal/plan -run '^$' -bench 'Build10k|Build100k|RenderTC100k' -benchtime="${n}x" -timeout 30m
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

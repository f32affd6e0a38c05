#!/usr/bin/env bash
# Runs every Fuzz* target in the module for a short time each.
# Go's fuzzer sometimes reports "context deadline exceeded" when the time
# budget ends while a worker is busy; that is not a finding (no crasher is
# written), so such a run is repeated once. A real finding fails at once.
set -euo pipefail
time=${1:-8s}
start=$SECONDS
trap 'echo "fuzz: $((SECONDS - start)) s in all"' EXIT
# crashers counts the inputs the fuzzer saved for a target (0 when none).
crashers() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		for attempt in 1 2; do
			echo "fuzz $pkg $fn ($time, attempt $attempt)"
			before=$(crashers "$dir/testdata/fuzz/$fn")
			if out=$(go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$time" "$pkg" 2>&1); then
				echo "$out" | tail -n 2
				break
			fi
			after=$(crashers "$dir/testdata/fuzz/$fn")
			echo "$out" | tail -n 20
			if [ "$attempt" = 1 ] && [ "$after" = "$before" ] && grep -q "context deadline exceeded" <<<"$out"; then
				echo "fuzz: time budget ended mid-run (no crasher written); trying once more"
				continue
			fi
			exit 1
		done
	done
done

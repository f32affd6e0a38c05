#!/bin/sh
# Freshness check for the committed BPF objects: regenerate them from bpf/*.c
# with bpf2go and fail if anything differs from what is committed.
#
# Needs Debian bookworm's clang 14 + llvm (llvm-strip); other clang versions
# emit different bytes. On a fresh Debian machine, .ci/run should first do:
#   apt-get update && apt-get install -y clang llvm libbpf-dev
# (libbpf-dev is not needed by the build itself: the headers are vendored in
# bpf/headers; it is listed so the vendored copies can be refreshed.)
set -eu
cd "$(dirname "$0")/../.."

for tool in clang llvm-strip; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "ci-check: $tool not found; install with: apt-get install -y clang llvm" >&2
		exit 1
	fi
done
if ! clang --version | head -n1 | grep -q 'clang version 14\.'; then
	echo "ci-check: warning: $(clang --version | head -n1) is not clang 14; objects may differ" >&2
fi

go generate ./internal/datapath/...

if ! git diff --exit-code -- internal/datapath bpf; then
	echo "ci-check: generated BPF objects are stale: run 'go generate ./internal/datapath/...' and commit" >&2
	exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- internal/datapath bpf)
if [ -n "$untracked" ]; then
	echo "ci-check: untracked generated files: $untracked" >&2
	exit 1
fi
echo "ci-check: BPF objects are fresh"

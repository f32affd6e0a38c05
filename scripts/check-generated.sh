#!/usr/bin/env bash
# Generated files are committed (the bpf2go objects, the bundled web UI and
# its TypeScript declarations) so `go build` needs neither clang nor node.
# This regenerates each set and fails, with one line per file, when the
# result differs from what is in the tree: the file is stale (or missing,
# or left over) and the line says which command makes it fresh.
#
# The BPF objects are byte-stable only with Debian bookworm's clang 14 and
# llvm-strip; web/dist needs the pinned npm packages (bash scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in clang llvm-strip node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check-generated: $tool not found: run bash scripts/deps.sh (it installs clang, llvm and node)" >&2
		exit 1
	fi
done
if ! clang --version | head -n1 | grep -q 'clang version 14\.'; then
	echo "check-generated: warning: $(clang --version | head -n1) is not clang 14; the BPF objects may differ" >&2
fi
if [ ! -d web/node_modules ]; then
	echo "check-generated: web/node_modules missing: run bash scripts/deps.sh" >&2
	exit 1
fi

# Each set: the files it owns and the command that regenerates them.
sets=(
	"internal/datapath|go generate ./internal/datapath/..."
	"web/src/js/api-types.d.ts|go generate ./internal/webui"
	"web/dist|make web"
)

snapshot() { # path -> "sha256  file" lines for every file under it
	find "$1" -type f ! -name '*_test.go' -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum
}

before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
for i in "${!sets[@]}"; do
	snapshot "${sets[$i]%%|*}" >"$before/$i"
done

go generate ./internal/datapath/...
go generate ./internal/webui
(cd web && npm run build --silent >/dev/null)

stale=0
for i in "${!sets[@]}"; do
	path=${sets[$i]%%|*} cmd=${sets[$i]#*|}
	while read -r file; do
		[ -n "$file" ] || continue
		echo "stale generated file: $file (regenerate with '$cmd' and commit it)" >&2
		stale=$((stale + 1))
	done < <(diff <(cat "$before/$i") <(snapshot "$path") | sed -n 's/^[<>] [0-9a-f]*  //p' | sort -u)
done
if [ "$stale" -gt 0 ]; then
	echo "check-generated: $stale generated file(s) differ from their sources" >&2
	exit 1
fi
echo "check-generated: generated files are fresh"

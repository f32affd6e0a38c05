#!/usr/bin/env bash
# Generated files are committed (bpf2go objects, the bundled web UI); fail
# when regenerating them changes anything.
set -euo pipefail
go generate ./internal/datapath/...
go generate ./internal/webui/
(cd web && npm run build --silent >/dev/null)
changed=$(git status --porcelain -- internal/datapath web/dist web/src/js/api-types.d.ts)
if [ -n "$changed" ]; then
	echo "generated files are stale: run 'go generate ./internal/datapath/... ./internal/webui/' and 'make web', then commit:" >&2
	echo "$changed" >&2
	exit 1
fi
echo "generated files are fresh"

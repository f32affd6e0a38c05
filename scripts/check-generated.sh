#!/usr/bin/env bash
# Generated files are committed; fail when regenerating them changes anything.
set -euo pipefail
go generate ./internal/datapath/...
if [ -f web/package.json ]; then
	(cd web && npm run build --silent)
fi
if ! git diff --exit-code --stat -- internal/datapath web/dist; then
	echo "generated files are stale: run 'go generate ./...' and 'make web', then commit" >&2
	exit 1
fi

#!/usr/bin/env bash
# CI steps for the web UI: install chromium and the pinned npm packages,
# check that the committed web/dist matches the sources, and run the Go
# tests of the web UI (which include the Playwright browser tests).
# Call from the repo root: bash web/ci.sh        (everything)
#                          bash web/ci.sh setup  (only install chromium + npm ci)
#                          bash web/ci.sh check  (setup + dist freshness, no go test)
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm ci --no-audit --no-fund
[ "${1:-}" = setup ] && exit 0

# web/dist is committed so `go build` needs no node; make sure it is fresh.
npm run build >/dev/null
if ! git diff --quiet -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  echo "web/dist is stale: run 'cd web && npm ci && npm run build' and commit web/dist" >&2
  git status --short -- dist >&2
  exit 1
fi

[ "${1:-}" = check ] && exit 0

cd ..
go test ./internal/webui/...

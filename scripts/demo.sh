#!/usr/bin/env bash
# The main job: build everything and run the demo lab until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
go build -o bin/ ./cmd/...
./bin/lqos_geodb -from web/node_modules -out bin/geo
exec ./bin/lqos_demo --bin-dir bin "$@"

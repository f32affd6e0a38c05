#!/usr/bin/env bash
# The main job. Until the full lab lands this validates the shipped example inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
./bin/libreqos --config examples/lqos.conf validate

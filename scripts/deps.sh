#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine; quick when it is all there.
set -euo pipefail
need=()
command -v clang >/dev/null || need+=(clang)
command -v llvm-strip >/dev/null || need+=(llvm)
[ -e /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
command -v ip >/dev/null || need+=(iproute2)
command -v tc >/dev/null || need+=(iproute2)
command -v ethtool >/dev/null || need+=(ethtool)
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs npm)
command -v git >/dev/null || need+=(git)
command -v radclient >/dev/null || need+=(freeradius-utils)
# Real time-series servers the metrics tests export to and scrape with.
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v influxd >/dev/null || need+=(influxdb)
command -v victoria-metrics >/dev/null || need+=(victoria-metrics)
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${need[@]}"
fi
# Front-end packages (bundler, Playwright driver) pinned by package-lock.json.
# Reinstalled whenever package-lock.json changed since the last install.
if [ -f web/package-lock.json ]; then
	want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
	if [ "$(cat web/node_modules/.lqos-lock-sha256 2>/dev/null)" != "$want" ]; then
		(cd web && npm ci --no-audit --no-fund)
		echo "$want" >web/node_modules/.lqos-lock-sha256
	fi
fi

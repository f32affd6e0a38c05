#!/usr/bin/env bash
# Unit-test runs that need no kernel:
#
#   bash scripts/test-unit.sh nonroot [PKG...]
#                                       every package's (or PKG's) tests as uid 65534
#                                       (the browser tests only when named)
#                                       (nobody): control-plane tests must
#                                       pass as a normal user, and kernel
#                                       tests may only skip for want of root
#   bash scripts/test-unit.sh race      go test -race of the packages whose
#                                       tests need no kernel (see below)
#   bash scripts/test-unit.sh packages  lists those packages
#
# The build runs as the caller (root in CI, sharing its build cache); with
# -exec only the test binaries run as nobody, in their package directory,
# with a HOME, TMPDIR and GOCACHE of their own and no CI variable (a
# normal-user run is the one place where kerneltest.RequireRoot skips).
set -euo pipefail
cd "$(dirname "$0")/.."

# kernel_free lists the packages with tests that never reach the kernel:
# their test files do not use internal/kerneltest. The browser tests
# (internal/webui/e2e) are left out of the race run: they drive Chromium.
kernel_free() {
	go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... |
		while read -r pkg dir; do
			grep -q 'internal/kerneltest"' "$dir"/*_test.go 2>/dev/null && continue
			case $pkg in */internal/webui/e2e) continue ;; esac
			echo "$pkg"
		done
}

case ${1:-} in
packages)
	kernel_free
	;;
race)
	# One package at a time: the machine's cores are shared.
	# shellcheck disable=SC2046
	go test -race -p 1 -count=1 -timeout 20m $(kernel_free)
	;;
nonroot)
	shift
	pkgs=("$@")
	# The browser tests are left out by default: they take minutes, pass
	# as nobody too, and run as root in make test-go.
	[ ${#pkgs[@]} -gt 0 ] || mapfile -t pkgs < <(go list ./... | grep -v '/internal/webui/e2e$')
	if [ "$(id -u)" -ne 0 ]; then
		env -u CI go test -p 1 -count=1 -timeout 20m "${pkgs[@]}"
		exit
	fi
	home=$(mktemp -d /tmp/lqos-nonroot.XXXXXX)
	trap 'rm -rf "$home"' EXIT
	mkdir -p "$home/tmp" "$home/bin"
	chown -R 65534:65534 "$home/tmp"
	chmod 755 "$home" "$home/bin"
	# go test keeps its binaries in a work directory only root can enter:
	# the -exec wrapper copies each where nobody can run it (but not
	# change it) and runs it there, in the package directory go test chose.
	cat >"$home/exec.sh" <<-EOF
		#!/bin/sh
		bin="$home/bin/\$(basename "\$1")"
		cp "\$1" "\$bin" && chmod 755 "\$bin" || exit 1
		shift
		exec setpriv --reuid=65534 --regid=65534 --clear-groups \\
			env -u CI HOME="$home/tmp" TMPDIR="$home/tmp" GOCACHE="$home/tmp/gocache" "\$bin" "\$@"
	EOF
	chmod 755 "$home/exec.sh"
	go test -p 1 -count=1 -timeout 20m -exec "$home/exec.sh" "${pkgs[@]}"
	;;
*)
	echo "usage: $0 nonroot|race|packages" >&2
	exit 2
	;;
esac

#!/bin/sh
# PID 1 of the kernel-matrix VM: mount what the kernel tests use, load the
# modules, run each test binary from its package directory (for testdata/)
# and write everything to the second serial port, which the host reads.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ip link set lo up

out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null
say() { echo "$*" >$out; }

say "LQKM BOOTED $(uname -r)"
while read -r mod; do
	insmod "/lib/modules/$mod" >$out 2>&1 || say "LQKM MODULE-FAILED $mod"
done </etc/lqkm/modules
. /etc/lqkm/env
# Tests the host leaves out of a guest (lqkm_skip= on the command line):
# the non-kernel tests that need repository files, and under emulation the
# ones that time traffic against the wall clock.
skip=
for arg in $(cat /proc/cmdline); do
	case "$arg" in lqkm_skip=*) skip="${arg#lqkm_skip=}" ;; esac
done
[ -n "$skip" ] && say "LQKM SKIPPED $skip"
if [ -x /lqkm/features ]; then
	/lqkm/features 2>&1 | while read -r line; do say "LQKM FEATURES $line"; done
fi
export LQOS_NOT_EXERCISED_FILE=/tmp/not-exercised
while read -r pkg; do
	say "LQKM BEGIN $pkg"
	start=$(date +%s)
	(cd "/src/internal/$pkg" && "/lqkm/$pkg.test" -test.v -test.count=1 -test.timeout="$LQKM_TEST_TIMEOUT" -test.run="$LQKM_RUN" -test.skip="$skip") >$out 2>&1
	rc=$?
	say "LQKM END $pkg rc=$rc secs=$(($(date +%s) - start))"
done </etc/lqkm/packages
if [ -f "$LQOS_NOT_EXERCISED_FILE" ]; then
	while read -r line; do say "LQKM NOT-EXERCISED $line"; done <"$LQOS_NOT_EXERCISED_FILE"
fi
say "LQKM DONE"
sync
poweroff -f

package datapath

// The BPF objects are committed; regenerating needs Debian bookworm's clang 14
// (scripts/check-generated.sh checks them). -nostdinc + vendored headers keep the build hermetic so
// the output is byte-identical across machines.
//go:generate go tool bpf2go -tags linux -target amd64,arm64 lqos ../../bpf/lqos.c -- -nostdinc -I../../bpf/headers -O2 -mcpu=v3 -g -Wall -Werror

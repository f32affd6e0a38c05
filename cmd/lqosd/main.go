// Command lqosd is the LibreQoS daemon: it loads the eBPF data path, applies
// the shaping plan, samples traffic and serves the local bus. See package
// internal/daemon for the flags, exit codes and degraded modes.
package main

import (
	"os"

	"github.com/libreqos-go/lqos/internal/daemon"
)

func main() {
	os.Exit(daemon.Main(os.Args[1:], os.Stderr))
}

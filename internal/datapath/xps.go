package datapath

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DisableXPS clears the XPS CPU mask of every TX queue of iface. With XPS
// set, the stack picks the TX queue from the sending CPU and ignores the
// queue_mapping the TC classifier wrote, so packets would reach the wrong
// mq slot (and HTB) for their class.
func DisableXPS(iface string) error { return disableXPS("/sys/class/net", iface) }

func disableXPS(sysClassNet, iface string) error {
	if iface == "" || strings.ContainsAny(iface, "/\x00") || iface == "." || iface == ".." {
		return fmt.Errorf("disable XPS: bad interface name %q", iface)
	}
	files, err := filepath.Glob(filepath.Join(sysClassNet, iface, "queues", "tx-*", "xps_cpus"))
	if err != nil {
		return fmt.Errorf("disable XPS on %s: %w", iface, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("disable XPS on %s: no %s/%s/queues/tx-*/xps_cpus (missing interface, single-queue NIC, or kernel without XPS)", iface, sysClassNet, iface)
	}
	for _, f := range files {
		if err := os.WriteFile(f, []byte("0\n"), 0); err != nil {
			return fmt.Errorf("disable XPS on %s: %w", iface, err)
		}
	}
	return nil
}

package datapath

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// XPSChange is one TX queue whose XPS CPU mask DisableXPS cleared.
type XPSChange struct {
	Queue string // "tx-3"
	Was   string // the mask before, as sysfs printed it
}

// DisableXPS clears the XPS CPU mask of every TX queue of iface and returns
// the queues whose mask was set. With XPS set, the stack picks the TX queue
// from the sending CPU and ignores the queue_mapping the TC classifier
// wrote, so packets would reach the wrong mq slot (and HTB) for their class.
// The interface is looked up in the calling thread's network namespace, even
// when /sys belongs to another one (see sysClassNet).
func DisableXPS(iface string) ([]XPSChange, error) {
	if err := checkIfaceName(iface); err != nil {
		return nil, fmt.Errorf("disable XPS: %w", err)
	}
	var out []XPSChange
	err := sysClassNet(iface, func(root string) error {
		var err error
		out, err = disableXPS(root, iface)
		return err
	})
	return out, err
}

func checkIfaceName(iface string) error {
	if iface == "" || strings.ContainsAny(iface, "/\x00") || iface == "." || iface == ".." {
		return fmt.Errorf("bad interface name %q", iface)
	}
	return nil
}

func disableXPS(sysClassNet, iface string) ([]XPSChange, error) {
	if err := checkIfaceName(iface); err != nil {
		return nil, fmt.Errorf("disable XPS: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(sysClassNet, iface, "queues", "tx-*", "xps_cpus"))
	if err != nil {
		return nil, fmt.Errorf("disable XPS on %s: %w", iface, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("disable XPS on %s: no %s/%s/queues/tx-*/xps_cpus (missing interface, single-queue NIC, or kernel without XPS)", iface, sysClassNet, iface)
	}
	var out []XPSChange
	for _, f := range files {
		old, err := os.ReadFile(f)
		if err != nil {
			return out, fmt.Errorf("disable XPS on %s: %w", iface, err)
		}
		was := strings.TrimSpace(string(old))
		if maskIsZero(was) {
			continue
		}
		if err := os.WriteFile(f, []byte("0\n"), 0); err != nil {
			return out, fmt.Errorf("disable XPS on %s: %w", iface, err)
		}
		out = append(out, XPSChange{Queue: filepath.Base(filepath.Dir(f)), Was: was})
	}
	return out, nil
}

// maskIsZero reads a sysfs CPU mask such as "00000000,00000003".
func maskIsZero(m string) bool {
	return strings.Trim(m, "0,\n") == ""
}

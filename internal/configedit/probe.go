package configedit

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations"
	"github.com/vishvananda/netlink"
)

// Interface is one network interface of this machine.
type Interface struct {
	Name     string `json:"name"`
	MAC      string `json:"mac,omitempty"`
	State    string `json:"state"` // operational state: up, down, lowerlayerdown, unknown…
	Up       bool   `json:"up"`    // administratively up
	MTU      int    `json:"mtu"`
	TxQueues int    `json:"tx_queues"`
	RxQueues int    `json:"rx_queues"`
	Kind     string `json:"kind,omitempty"` // veth, bridge, … ("" for a NIC)
}

// Interfaces lists the interfaces of the network namespace we run in
// (loopback left out), with link state and queue counts from the kernel.
func Interfaces() ([]Interface, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return nil, err
	}
	out := []Interface{}
	for _, l := range links {
		a := l.Attrs()
		if a.Flags&net.FlagLoopback != 0 {
			continue
		}
		kind := l.Type()
		if kind == "device" {
			kind = ""
		}
		out = append(out, Interface{Name: a.Name, MAC: a.HardwareAddr.String(), State: a.OperState.String(), Up: a.Flags&net.FlagUp != 0,
			MTU: a.MTU, TxQueues: a.NumTxQueues, RxQueues: a.NumRxQueues, Kind: kind})
	}
	return out, nil
}

// Probe is the result of "Test connection".
type Probe struct {
	OK bool `json:"ok"`
	// Kind of failure: "dns", "tls", "auth" (401/403), "timeout",
	// "refused", "http" (another status), "config" or "error".
	Kind     string `json:"kind,omitempty"`
	Error    string `json:"error,omitempty"`
	Circuits int    `json:"circuits"`
	Devices  int    `json:"devices"`
	Nodes    int    `json:"nodes"`
	TookMs   int64  `json:"took_ms"`
}

// TestConnection runs the named integration's import against the server in
// cfg (nothing is written) within timeout and describes the outcome.
// secrets are removed from the error text.
func TestConnection(ctx context.Context, cfg *config.Config, name string, timeout time.Duration, secrets []string) Probe {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := integrations.TestConnection(ctx, cfg, name)
	out := Probe{OK: p.OK, Circuits: p.Circuits, Devices: p.Devices, Nodes: p.Nodes, TookMs: p.Took.Milliseconds()}
	if p.OK {
		return out
	}
	msg := p.Error
	for _, s := range secrets {
		if len(s) >= 3 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	out.Error = msg
	out.Kind = classify(msg, ctx.Err())
	return out
}

func classify(msg string, ctxErr error) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "no such host") || strings.Contains(m, "server misbehaving") || strings.Contains(m, "lookup "):
		return "dns"
	case strings.Contains(m, "x509") || strings.Contains(m, "tls:") || strings.Contains(m, "certificate"):
		return "tls"
	case strings.Contains(m, "http 401") || strings.Contains(m, "http 403"):
		return "auth"
	case errors.Is(ctxErr, context.DeadlineExceeded) || strings.Contains(m, "deadline exceeded") || strings.Contains(m, "timeout") ||
		strings.Contains(m, "no reply within") || strings.Contains(m, "not complete within"):
		return "timeout"
	case strings.Contains(m, "connection refused"):
		return "refused"
	case strings.Contains(m, "http "):
		return "http"
	case strings.Contains(m, "not configured") || strings.Contains(m, "missing") || strings.Contains(m, "required"):
		return "config"
	}
	return "error"
}

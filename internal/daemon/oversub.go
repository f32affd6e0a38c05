package daemon

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// CodeOversubscribed is the urgent issue listing the nodes whose children
// were promised more than the node has (raised once per applied plan).
const CodeOversubscribed = "PLAN_OVERSUBSCRIBED"

// maxListed bounds the nodes named in the message; the context and the
// lqosd log have all of them.
const maxListed = 20

// noteOversubscription raises one WARNING for an applied plan with
// oversubscribed nodes, listing them, and resolves it once a plan has none
// (or shapes nothing: observe mode).
func (d *Daemon) noteOversubscription(p *plan.Plan) {
	if len(p.Oversubscribed) == 0 || p.Observe {
		if _, err := d.urgent.Resolve(CodeOversubscribed); err != nil {
			d.log.Warn("resolving urgent issue", "code", CodeOversubscribed, "err", err)
		}
		return
	}
	type entry struct {
		Node      string  `json:"node"`
		Direction string  `json:"direction"`
		SumMbps   float64 `json:"sum_of_minimums_mbps"`
		RateMbps  float64 `json:"node_rate_mbps"`
		Scale     float64 `json:"scale"`
	}
	var listed []string
	var ctx []entry
	for _, o := range p.Oversubscribed {
		if len(listed) < maxListed {
			listed = append(listed, o.Short())
		}
		ctx = append(ctx, entry{o.Node, o.Direction.String(), o.SumMbps, o.RateMbps, o.Scale})
	}
	rule := "their guarantees were scaled down in proportion"
	if p.Oversubscribed[0].Upstream {
		rule = "upstream rule: their circuits get 1 Mbps"
	}
	msg := fmt.Sprintf("Oversubscribed: %d node/direction pair(s) whose children's minimums add up to more than the node's rate (%s): %s",
		len(p.Oversubscribed), rule, strings.Join(listed, "; "))
	if n := len(p.Oversubscribed) - len(listed); n > 0 {
		msg += fmt.Sprintf("; and %d more", n)
	}
	raw, err := json.Marshal(map[string]any{"oversubscribed": ctx})
	if err != nil || len(raw) > urgent.MaxContextBytes {
		raw = nil
	}
	if _, err := d.urgent.Raise(urgent.Raise{Code: CodeOversubscribed, Severity: urgent.Warning, Source: "lqosd", Message: msg, Context: raw}); err != nil {
		d.log.Warn("raising urgent issue", "code", CodeOversubscribed, "err", err)
	}
}

package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Live channels of the network pages.
//
//	tree            1 s   TreeLive (positional rows, one per node index)
//	tree:<i,j,…>    1 s   TreeLive of the listed node indices only (the
//	                      rows a tree page shows), so a large network's
//	                      live update stays small
//	cpu_plan        5 s   CPUView
//	node:<id>       1 s   NodeView without history
//	circuit:<id>    1 s   CircuitView without history (and its one-second
//	                      history is recorded while subscribed)
//
// A socket may hold at most maxItemSubs node/circuit subscriptions, so one
// page cannot make the server compute hundreds of views per second.
const (
	chanTree    = "tree"
	chanCPUPlan = "cpu_plan"
	maxItemSubs = 8
	maxItemID   = 1024
	maxTreeRows = 200
)

func init() {
	channels[chanTree] = channelSpec{fast: true, produce: func(ctx context.Context, s *Server) (any, error) {
		ps, ok := s.src.(PageSource)
		if !ok {
			return nil, errNoPages
		}
		nodes, err := ps.NetworkTree(ctx)
		if err != nil {
			return nil, err
		}
		return treeLive(nodes, nil), nil
	}}
	channels[chanCPUPlan] = channelSpec{produce: func(ctx context.Context, s *Server) (any, error) {
		ps, ok := s.src.(PageSource)
		if !ok {
			return nil, errNoPages
		}
		p, err := ps.CPUPlan(ctx)
		if err != nil {
			return nil, err
		}
		return cpuView(p, nil), nil
	}}
}

// treeLive encodes the live figures of nodes (all when only is nil).
// Rates keep three significant digits, as many as the page shows.
func treeLive(nodes []TreeNode, only []int) TreeLive {
	r1 := func(v float64) float64 { return math.Round(v*10) / 10 }
	row := func(n TreeNode) [10]float64 {
		l := n.Live
		return [10]float64{sig3(l.BitsPerSecond.Down), sig3(l.BitsPerSecond.Up), r1(l.RTTP50Ms), r1(l.RTTP90Ms),
			r1(l.RetransmitPct.Down), r1(l.RetransmitPct.Up), float64(l.Drops.Down), float64(l.Drops.Up), float64(l.Marks.Down), float64(l.Marks.Up)}
	}
	if only == nil {
		out := TreeLive{Rows: make([][10]float64, len(nodes))}
		for i, n := range nodes {
			out.Rows[i] = row(n)
		}
		return out
	}
	out := TreeLive{Rows: make([][10]float64, 0, len(only)), Index: make([]int, 0, len(only))}
	for _, i := range only {
		if i >= 0 && i < len(nodes) {
			out.Rows = append(out.Rows, row(nodes[i]))
			out.Index = append(out.Index, i)
		}
	}
	return out
}

// sig3 rounds to three significant digits.
func sig3(v uint64) float64 {
	if v < 1000 {
		return float64(v)
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(v)))-2)
	return math.Round(float64(v)/p) * p
}

// parseIndexList reads "3,17,42" (at most maxTreeRows entries).
func parseIndexList(s string) ([]int, bool) {
	parts := strings.Split(s, ",")
	if len(parts) > maxTreeRows {
		return nil, false
	}
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// itemChannel resolves "node:<id>" and "circuit:<id>".
func itemChannel(name string) (channelSpec, bool) {
	kind, id, ok := strings.Cut(name, ":")
	if !ok || id == "" || len(id) > maxItemID {
		return channelSpec{}, false
	}
	switch kind {
	case "tree":
		only, ok := parseIndexList(id)
		if !ok {
			return channelSpec{}, false
		}
		return channelSpec{fast: true, produce: func(ctx context.Context, s *Server) (any, error) {
			ps, ok := s.src.(PageSource)
			if !ok {
				return nil, errNoPages
			}
			nodes, err := ps.NetworkTree(ctx)
			if err != nil {
				return nil, err
			}
			return treeLive(nodes, only), nil
		}}, true
	case "node":
		return channelSpec{fast: true, produce: func(ctx context.Context, s *Server) (any, error) {
			ps, ok := s.src.(PageSource)
			if !ok {
				return nil, errNoPages
			}
			return s.nodeView(ctx, ps, id)
		}}, true
	case "circuit":
		return channelSpec{fast: true, produce: func(ctx context.Context, s *Server) (any, error) {
			ps, ok := s.src.(PageSource)
			if !ok {
				return nil, errNoPages
			}
			v, err := s.circuitView(ctx, ps, id)
			v.Devices = nil // static; the page has them from REST
			return v, err
		}}, true
	}
	return channelSpec{}, false
}

// resolveChannel finds a fixed channel or a per-item one.
func resolveChannel(name string) (channelSpec, bool) {
	if spec, ok := channels[name]; ok {
		return spec, true
	}
	return itemChannel(name)
}

// pagesState is the hub's part for the network pages.
type pagesState struct {
	history *historyStore
	asn     *asnHistory // ASN Analysis (asn_history.go)
}

func newPagesState() *pagesState {
	return &pagesState{history: newHistoryStore(), asn: newASNHistory()}
}

// checkSubscribe refuses a per-item subscription beyond maxItemSubs.
func (h *hub) checkSubscribe(c *client, name string) error {
	if _, fixed := channels[name]; fixed {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for ch := range c.subs {
		if _, fixed := channels[ch]; !fixed && ch != name {
			n++
		}
	}
	if n >= maxItemSubs {
		return fmt.Errorf("field channel: at most %d node/circuit channels per connection", maxItemSubs)
	}
	return nil
}

// itemSubscriptions lists the per-item channels someone subscribes to.
func (h *hub) itemSubscriptions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := map[string]bool{}
	for c := range h.clients {
		for ch := range c.subs {
			if _, fixed := channels[ch]; !fixed {
				set[ch] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for ch := range set {
		out = append(out, ch)
	}
	return out
}

// publishItems publishes the per-item channels of one tier.
func (h *hub) publishItems(ctx context.Context, fast bool) {
	for _, name := range h.itemSubscriptions() {
		if spec, ok := itemChannel(name); ok && spec.fast == fast {
			h.publish(ctx, name)
		}
	}
}

// sampleHistory records one second of node and circuit figures (runs
// every fast tick, with or without viewers, like the throughput history).
func (h *hub) sampleHistory(ctx context.Context) {
	ps, ok := h.s.src.(PageSource)
	if !ok {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, sourceTimeout)
	defer cancel()
	nodes, err := ps.NetworkTree(sctx)
	if err != nil {
		h.noteErr("history", err)
		return
	}
	circuits, err := ps.Circuits(sctx)
	h.noteErr("history", err)
	if err != nil {
		return
	}
	watched := map[string]bool{}
	for _, name := range h.itemSubscriptions() {
		if id, ok := strings.CutPrefix(name, "circuit:"); ok {
			watched[id] = true
		}
	}
	h.pages.history.record(h.s.cfg.Now(), nodes, circuits, watched)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

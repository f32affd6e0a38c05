package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// Handler implements bus.Handler on top of a running Daemon.
type Handler struct {
	bus.SchedulerTracker
	bus.UrgentStore
	d *Daemon

	// The last ListIPs answer, reused until the mappings or their names
	// change (converting 100k entries costs more than serving them).
	listMu  sync.Mutex
	listVer uint64
	list    []plan.Mapping
}

var _ bus.Handler = (*Handler)(nil)

// maxCPU is the CPU count mappings are checked against.
func (h *Handler) maxCPU() uint32 { return h.d.ncpu }

// MapIPs validates each mapping on its own (so one bad entry does not sink
// a batch), then writes the good ones with one batch update.
func (h *Handler) MapIPs(ctx context.Context, ms []plan.Mapping) (*bus.MapIPsResult, error) {
	t0 := time.Now()
	res := &bus.MapIPsResult{}
	entries := make([]datapath.Entry, 0, len(ms))
	ps := make([]netip.Prefix, 0, len(ms))
	ids := make([]idPair, 0, len(ms))
	ncpu := h.maxCPU()
	for i, m := range ms {
		p, err := datapath.NormalizePrefix(m.Prefix)
		if err == nil {
			e := shaper.ToDatapath(m)
			e.Prefix = p
			if err = e.Mapping.Validate(ncpu); err == nil {
				entries = append(entries, e)
				ps = append(ps, p)
				ids = append(ids, idPair{Circuit: m.CircuitID, Device: m.DeviceID})
				continue
			}
		}
		res.Failed = append(res.Failed, bus.MappingError{Index: i, Prefix: m.Prefix, Error: err.Error()})
	}
	t1 := time.Now()
	if len(entries) > 0 {
		if err := h.d.maps.BatchUpdate(entries); err != nil {
			return nil, err
		}
	}
	t2 := time.Now()
	res.Applied = len(entries)
	if err := h.d.names.set(ps, ids); err != nil {
		h.d.log.Warn("saving mapping names", "err", err)
	}
	h.d.maps.touch()
	h.d.log.Debug("map_ips", "applied", res.Applied, "failed", len(res.Failed), "validate", t1.Sub(t0), "kernel", t2.Sub(t1), "names", time.Since(t2))
	return res, nil
}

// DelIPs deletes by exact prefix (one batch); prefixes lqosd does not know
// count as not found (they are still deleted from the kernel, in case).
func (h *Handler) DelIPs(ctx context.Context, ps []netip.Prefix) (*bus.DelIPsResult, error) {
	res := &bus.DelIPsResult{}
	done := make([]netip.Prefix, 0, len(ps))
	all := make([]netip.Prefix, 0, len(ps))
	for _, p := range ps {
		np, err := datapath.NormalizePrefix(p)
		if err != nil {
			return nil, bus.Errorf(bus.CodeInvalidArgument, "%v", err)
		}
		all = append(all, np)
		// A mapping without a name (written before the name table existed,
		// or the table was lost) still counts as found.
		if h.d.names.has(np) || h.d.maps.Has(np) {
			res.Deleted++
			done = append(done, np)
		} else {
			res.NotFound++
		}
	}
	if err := h.d.maps.BatchDelete(all); err != nil {
		return nil, err
	}
	if err := h.d.names.del(done); err != nil {
		h.d.log.Warn("saving mapping names", "err", err)
	}
	h.d.maps.touch()
	return res, nil
}

// ClearIPs deletes every mapping.
func (h *Handler) ClearIPs(ctx context.Context) (*bus.ClearIPsResult, error) {
	n := h.d.maps.Len()
	if err := h.d.maps.Clear(); err != nil {
		return nil, err
	}
	if err := h.d.names.clear(); err != nil {
		h.d.log.Warn("saving mapping names", "err", err)
	}
	h.d.maps.touch()
	h.d.log.Info("all IP mappings cleared over the bus", "count", n)
	return &bus.ClearIPsResult{Cleared: n}, nil
}

// ListIPs lists the mappings with their IDs, from lqosd's copy of the
// kernel trie. The slice is shared with other callers (the bus only pages
// it).
func (h *Handler) ListIPs(ctx context.Context) ([]plan.Mapping, error) {
	h.listMu.Lock()
	defer h.listMu.Unlock()
	live, ver := h.d.maps.snapshot()
	if h.list != nil && h.listVer == ver {
		return h.list, nil
	}
	out := make([]plan.Mapping, len(live))
	for i, e := range live {
		out[i] = h.named(e)
	}
	h.list, h.listVer = out, ver
	return out, nil
}

func (h *Handler) named(e datapath.Entry) plan.Mapping {
	m := plan.Mapping{Prefix: e.Prefix, CPU: e.Mapping.CPU, ClassID: e.Mapping.ClassID, UploadClassID: e.Mapping.UploadClassID}
	if ids, ok := h.d.names.get(e.Prefix); ok {
		m.CircuitID, m.DeviceID = ids.Circuit, ids.Device
	} else {
		m.CircuitID = fmt.Sprintf("hash:%016x", e.Mapping.CircuitHash)
		m.DeviceID = fmt.Sprintf("hash:%016x", e.Mapping.DeviceHash)
	}
	return m
}

// ApplyPlan applies the current inputs.
func (h *Handler) ApplyPlan(ctx context.Context, r *bus.ApplyPlan) (*bus.PlanResult, error) {
	return h.plan(ctx, "bus: "+r.Reason, r.DryRun, false)
}

// ReloadPlan re-reads lqos.conf, then applies.
func (h *Handler) ReloadPlan(ctx context.Context, r *bus.ReloadPlan) (*bus.PlanResult, error) {
	return h.planReq(ctx, applyReq{reason: "bus reload: " + r.Reason, reload: true, confirmShrink: r.ConfirmShrink})
}

// maxWarnings keeps plan results small; the log has all of them.
const maxWarnings = 50

func (h *Handler) plan(ctx context.Context, reason string, dry, reload bool) (*bus.PlanResult, error) {
	return h.planReq(ctx, applyReq{reason: reason, dryRun: dry, reload: reload})
}

func (h *Handler) planReq(ctx context.Context, r applyReq) (*bus.PlanResult, error) {
	dry := r.dryRun
	start := time.Now()
	res, err := h.d.applyRun(ctx, r)
	if err != nil {
		var se *shaper.ShrinkError
		switch {
		case errors.Is(err, errShapingDisabled):
			return nil, bus.Errorf(bus.CodeFailed, "%v (see `lqos urgent list`)", err)
		case errors.As(err, &se):
			return nil, bus.Errorf(bus.CodeShrinkHeld, "%v", err)
		}
		return nil, err
	}
	out := &bus.PlanResult{Applied: !dry, Summary: res.Summary(), Duration: time.Since(start)}
	if dry {
		out.Summary += fmt.Sprintf("; dry run: %d tc commands", len(res.Commands))
	}
	out.Warnings = res.Warnings
	if len(out.Warnings) > maxWarnings {
		n := len(out.Warnings)
		out.Warnings = append(out.Warnings[:maxWarnings:maxWarnings], fmt.Sprintf("... and %d more (see the lqosd log)", n-maxWarnings))
	}
	return out, nil
}

func du(d stats.DownUp) bus.DownUp { return bus.DownUp{Down: d.Down, Up: d.Up} }

// Throughput returns the latest totals.
func (h *Handler) Throughput(ctx context.Context) (*bus.Throughput, error) {
	t := h.d.coll.Totals()
	return &bus.Throughput{
		At:                     t.At,
		BitsPerSecond:          du(t.All.Bits),
		PacketsPerSecond:       du(t.All.Packets),
		ShapedBitsPerSecond:    du(t.Shaped.Bits),
		ShapedPacketsPerSecond: du(t.Shaped.Packets),
		UnshapedBitsPerSecond:  du(t.Unshaped.Bits),
		UnshapedPacketsPerSec:  du(t.Unshaped.Packets),
	}, nil
}

// TopN returns the busiest hosts or circuits.
func (h *Handler) TopN(ctx context.Context, r *bus.GetTopN) (*bus.TopNResult, error) {
	o, err := stats.ParseOrder(r.By)
	if err != nil {
		return nil, bus.Errorf(bus.CodeInvalidArgument, "by: %v", err)
	}
	by := r.By
	if by == "" {
		by = bus.ByDown
	}
	res := &bus.TopNResult{Kind: r.Kind, By: by, Entries: []bus.TopEntry{}}
	if r.Kind == bus.TopHosts {
		for _, x := range h.d.coll.TopHosts(o, r.Offset, r.N) {
			res.Entries = append(res.Entries, bus.TopEntry{Key: x.Addr.String(), CircuitID: x.CircuitID, CircuitName: h.d.circuitName(x.CircuitID), BitsPerSecond: du(x.Bits), PacketsPerSecond: du(x.Packets)})
		}
		return res, nil
	}
	for _, x := range h.d.coll.TopCircuits(o, r.Offset, r.N) {
		res.Entries = append(res.Entries, bus.TopEntry{Key: x.CircuitID, CircuitID: x.CircuitID, CircuitName: h.d.circuitName(x.CircuitID), BitsPerSecond: du(x.Bits), PacketsPerSecond: du(x.Packets)})
	}
	return res, nil
}

// CircuitThroughput returns per-circuit rates.
func (h *Handler) CircuitThroughput(ctx context.Context, r *bus.GetCircuitThroughput) (*bus.CircuitThroughputResult, error) {
	res := &bus.CircuitThroughputResult{At: h.d.coll.Totals().At, Circuits: []bus.CircuitRate{}}
	for _, c := range h.d.coll.Circuits(r.CircuitIDs...) {
		res.Circuits = append(res.Circuits, bus.CircuitRate{CircuitID: c.CircuitID, BitsPerSecond: du(c.Bits), PacketsPerSecond: du(c.Packets), Bytes: du(c.Bytes)})
	}
	return res, nil
}

// QueueStats reads the HTB class (and its leaf qdisc) counters of a
// circuit's download and upload classes, found through its mappings.
func (h *Handler) QueueStats(ctx context.Context, circuitID string) (*bus.QueueStats, error) {
	live, _ := h.d.maps.snapshot()
	hash := shaper.Hash64(circuitID)
	var down, up tchandle.Handle
	for _, e := range live {
		if e.Mapping.CircuitHash == hash {
			down, up = e.Mapping.ClassID, e.Mapping.UploadClassID
			break
		}
	}
	if down == 0 && up == 0 {
		return nil, bus.Errorf(bus.CodeNotFound, "circuit %q has no IP mappings, so no queues", circuitID)
	}
	if h.d.kernel == nil {
		return nil, bus.Errorf(bus.CodeFailed, "no netlink handle: %s", h.d.noShape)
	}
	cfg := h.d.config()
	downIf, upIf := cfg.NetworkInterface(), cfg.InternetInterface()
	ifaces := []string{downIf}
	if upIf != downIf {
		ifaces = append(ifaces, upIf)
	}
	dump, err := tc.Dump(h.d.kernel.TC(), ifaces)
	if err != nil {
		return nil, fmt.Errorf("read queues: %w", err)
	}
	return &bus.QueueStats{CircuitID: circuitID, At: time.Now(), Down: counters(dump, downIf, down), Up: counters(dump, upIf, up)}, nil
}

func counters(l *tc.Live, iface string, id tchandle.Handle) bus.QueueCounters {
	qc := bus.QueueCounters{ClassID: id}
	if id == 0 {
		return qc
	}
	c, ok := l.Class(iface, id)
	if !ok {
		return qc
	}
	s := c.Stats
	qc.Bytes, qc.Packets = s.Bytes, s.Packets
	qc.Drops, qc.Overlimits, qc.Requeues = uint64(s.Drops), uint64(s.Overlimits), uint64(s.Requeues)
	qc.Backlog, qc.Qlen = uint64(s.Backlog), uint64(s.Qlen)
	// Drops happen in the leaf qdisc, not the class.
	if q, ok := l.QdiscAt(iface, id); ok {
		qc.Drops += uint64(q.Stats.Drops)
		qc.Backlog = max(qc.Backlog, uint64(q.Stats.Backlog))
		qc.Qlen = max(qc.Qlen, uint64(q.Stats.Qlen))
	}
	return qc
}

// namedStore is the shaper's mapping sink: the data path, plus the ID table.
type namedStore struct{ d *Daemon }

func (s *namedStore) ReplaceAll(ctx context.Context, ms []plan.Mapping) error {
	if err := (shaper.DatapathStore{Store: s.d.maps}).ReplaceAll(ctx, ms); err != nil {
		return err
	}
	defer s.d.maps.touch()
	ps := make([]netip.Prefix, 0, len(ms))
	ids := make([]idPair, 0, len(ms))
	for _, m := range ms {
		p, err := datapath.NormalizePrefix(m.Prefix)
		if err != nil {
			continue
		}
		ps = append(ps, p)
		ids = append(ids, idPair{Circuit: m.CircuitID, Device: m.DeviceID})
	}
	// The names only label what the maps hold (statistics, the UI): failing
	// to save them (a full disk) must not fail an apply whose mappings are in.
	if err := s.d.names.replace(ps, ids); err != nil {
		s.d.log.Warn("mapping names: save", "err", err)
	}
	return nil
}

// DataPath reports the data path's mode on this kernel.
func (h *Handler) DataPath(context.Context) (*bus.DataPathStatus, error) {
	return dataPathStatus(h.d.dp.Status()), nil
}

func dataPathStatus(st datapath.Status) *bus.DataPathStatus {
	out := &bus.DataPathStatus{Classification: st.Describe(), CPURedirect: st.CPURedirect, Features: map[string]bool{},
		Degraded: []bus.DataPathDegraded{}, Interfaces: []bus.DataPathInterface{}}
	for _, f := range datapath.AllFeatures {
		out.Features[string(f)] = st.Features.Has(f)
	}
	for _, dg := range st.Degraded {
		out.Degraded = append(out.Degraded, bus.DataPathDegraded{Feature: string(dg.Feature), Subject: dg.Subject, Reason: dg.Reason, Cost: dg.Cost})
	}
	for _, a := range st.Interfaces {
		out.Interfaces = append(out.Interfaces, bus.DataPathInterface{Name: a.Name, Role: a.Role.String(), XDP: a.XDP, TC: a.TC, Adopted: a.Adopted})
	}
	return out
}

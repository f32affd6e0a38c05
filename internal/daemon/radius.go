package daemon

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/radius"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// Urgent issue codes of RADIUS accounting.
const (
	CodeRadiusListener  = "LQOSD_RADIUS_LISTENER"
	CodeRadiusDuplicate = "RADIUS_DUPLICATE_IDENTITY"
)

// radiusState is lqosd's RADIUS accounting: the listener, the live
// sessions (persisted, so a restart keeps dynamic circuits) and what the
// last plan made of them.
type radiusState struct {
	sessions *radius.Sessions
	path     string
	srv      *radius.Server
	// kick (capacity 1) asks the apply loop to re-plan; events arriving
	// while a plan runs fold into the next one.
	kick chan struct{}

	mu      sync.Mutex
	outcome radius.Outcome
}

// loadRadius reads the saved sessions when accounting is on. It runs
// before the start-up apply so that apply already contains the dynamic
// circuits the previous lqosd had.
func (d *Daemon) loadRadius() {
	rc := d.config().RadiusAccounting
	if !rc.Enabled {
		return
	}
	r := &radiusState{
		sessions: radius.NewSessions(time.Duration(rc.DefaultTTLSeconds)*time.Second, time.Duration(rc.StaleGraceSeconds)*time.Second, nil),
		path:     filepath.Join(d.config().StateDirectory, "lqosd", "radius_sessions.json"),
		kick:     make(chan struct{}, 1),
	}
	if err := r.sessions.Load(r.path); err != nil {
		d.log.Warn("RADIUS sessions from the last run unreadable; starting empty", "path", r.path, "err", err)
	}
	d.radius = r
	d.log.Info("RADIUS sessions restored", "count", r.sessions.Len())
}

// startRadius opens the listener and runs the apply and expiry loops. A
// listener that cannot start is an urgent ERROR; shaping goes on.
func (d *Daemon) startRadius(ctx context.Context, wg *sync.WaitGroup) {
	r := d.radius
	if r == nil {
		return
	}
	rc := d.config().RadiusAccounting
	clients, err := radius.ClientsFromConfig(rc)
	if err == nil {
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp", rc.Listen); err == nil {
			r.srv = &radius.Server{Clients: clients, Log: d.log.With("component", "radius"), Handle: func(ev radius.Event) {
				if r.sessions.Apply(ev) {
					r.poke()
				}
			}}
			wg.Go(func() {
				if err := r.srv.Serve(ctx, pc); err != nil {
					d.log.Error("RADIUS listener stopped", "err", err)
					d.raise(CodeRadiusListener, urgent.Error, "The RADIUS accounting listener stopped: "+err.Error())
				}
			})
		}
	}
	if err != nil {
		d.log.Error("RADIUS accounting listener not started", "listen", rc.Listen, "err", err)
		d.raise(CodeRadiusListener, urgent.Error, "The RADIUS accounting listener could not start on "+rc.Listen+": "+err.Error())
	} else {
		d.resolve(CodeRadiusListener)
		d.log.Info("RADIUS accounting listening", "listen", rc.Listen, "clients", len(clients), "shapes_sessions", d.config().ShapesSessions())
	}
	wg.Go(func() { d.radiusLoop(ctx) })
}

func (r *radiusState) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// radiusLoop saves the sessions and re-plans after every change, and
// expires silent sessions.
func (d *Daemon) radiusLoop(ctx context.Context) {
	r := d.radius
	grace := time.Duration(d.config().RadiusAccounting.StaleGraceSeconds) * time.Second
	t := time.NewTicker(min(max(grace/4, time.Second), 10*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if r.sessions.Expire() > 0 {
				r.poke()
			}
			continue
		case <-r.kick:
		}
		if err := r.sessions.Save(r.path); err != nil {
			d.log.Error("saving RADIUS sessions (a restart would forget the newest)", "path", r.path, "err", err)
		}
		if !d.config().ShapesSessions() || d.noShape != "" {
			continue
		}
		if res, err := d.apply(ctx, "RADIUS accounting", false, false); err != nil {
			d.log.Error("applying RADIUS sessions failed; the previous queues stay", "err", err)
		} else {
			d.log.Info("RADIUS sessions applied", "summary", res.Summary())
		}
	}
}

// radiusOverlay is the shaper's Overlay hook while sessions become circuits.
func (d *Daemon) radiusOverlay() func(*inputs.Inputs) []string {
	r := d.radius
	if r == nil || !d.config().ShapesSessions() {
		return nil
	}
	return func(in *inputs.Inputs) []string {
		list, _ := r.sessions.Snapshot()
		out := radius.Overlay(list, in, d.config().RadiusAccounting)
		r.mu.Lock()
		r.outcome = out
		r.mu.Unlock()
		if len(out.Duplicates) > 0 {
			d.raise(CodeRadiusDuplicate, urgent.Warning, "RADIUS sessions left unshaped because their identity is ambiguous: "+strings.Join(out.Duplicates, "; "))
		} else {
			d.resolve(CodeRadiusDuplicate)
		}
		return out.Warnings()
	}
}

// DynamicCircuits reports the RADIUS sessions and what became of them.
func (h *Handler) DynamicCircuits(context.Context) (*bus.DynamicCircuits, error) {
	d := h.d
	cfg := d.config()
	res := &bus.DynamicCircuits{Enabled: cfg.RadiusAccounting.Enabled, Shaping: cfg.ShapesSessions(), Sessions: []bus.DynamicSession{}}
	r := d.radius
	if r == nil {
		return res, nil
	}
	if r.srv != nil {
		v := r.srv.Values()
		res.Counters = bus.RadiusCounters{Accepted: v.Accepted, UnknownSource: v.UnknownSource, BadAuth: v.BadAuth, Malformed: v.Malformed}
	}
	r.mu.Lock()
	out := r.outcome
	r.mu.Unlock()
	state := map[string]bus.DynamicSession{}
	for _, a := range out.Applied {
		state[a.Session] = bus.DynamicSession{CircuitID: a.CircuitID, State: "shaped", Attached: a.Attached}
	}
	for _, p := range out.Pending {
		state[p.Session] = bus.DynamicSession{State: "pending", Reason: p.Reason}
	}
	list, _ := r.sessions.Snapshot()
	for _, s := range list {
		ds, ok := state[s.Key]
		if !ok {
			ds.State = "new"
			if !res.Shaping {
				ds.State = "tracked"
			}
		}
		ds.Key, ds.Username, ds.MAC, ds.Addrs, ds.Expires = s.Key, s.Username, s.MAC, s.Addrs, s.Expires
		if s.Rates != nil {
			ds.DownloadMbps, ds.UploadMbps = s.Rates.DownloadMbps, s.Rates.UploadMbps
		}
		res.Sessions = append(res.Sessions, ds)
	}
	return res, nil
}

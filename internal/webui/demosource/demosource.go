// Package demosource is an in-memory webui.Source with made-up, changing
// numbers. It backs the web UI tests and cmd/webui-dev; its Control handler
// lets tests switch the scheduler state and inject urgent issues.
package demosource

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
)

type circuit struct {
	id, name, ip, mac, parent string
	planDown, planUp          uint64 // Mbps
	phase                     float64
	rtt                       float64
}

// Source is a fake data source. The zero value is not usable; call New.
type Source struct {
	now func() time.Time

	mu        sync.Mutex
	rng       *rand.Rand
	start     time.Time
	circuits  []circuit
	sched     webui.SchedulerStatus
	schedMode string
	urgent    []webui.UrgentIssue
	nextID    uint64
	acks      []string
	cores     int
}

// New returns a source with 40 circuits, a healthy scheduler and one
// warning. seed makes the numbers reproducible.
func New(seed uint64) *Source {
	s := &Source{now: time.Now, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), cores: 4}
	s.start = s.now()
	sites := []string{"Tower North", "Tower South", "Riverside AP", "Hilltop", "Downtown POP"}
	first := []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"}
	last := []string{"Smith", "Jones", "Garcia", "Miller"}
	for i := 0; i < 40; i++ {
		plan := []uint64{25, 50, 100, 250, 500}[i%5]
		s.circuits = append(s.circuits, circuit{
			id:       fmt.Sprintf("c%04d", 1000+i),
			name:     fmt.Sprintf("%s %s #%d", first[i%len(first)], last[i%len(last)], i+1),
			ip:       fmt.Sprintf("100.64.%d.%d", i/200, 10+i%200),
			mac:      fmt.Sprintf("02:00:5e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff),
			parent:   sites[i%len(sites)],
			planDown: plan, planUp: plan / 5,
			phase: s.rng.Float64() * 2 * math.Pi,
			rtt:   8 + s.rng.Float64()*60,
		})
	}
	s.SetScheduler("healthy")
	s.AddUrgent(webui.UrgentIssue{Source: "LibreQoS", Severity: "warning", Code: "UNATTACHED_SHAPED_CIRCUITS",
		Message: "2 circuits did not attach to the queue tree", Context: `{"count":2,"examples":["c1003","c1017"]}`, Clearable: true})
	return s
}

// SetNow replaces the clock (tests share one clock with the server).
func (s *Source) SetNow(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.start = now()
	mode := s.schedMode
	s.mu.Unlock()
	s.SetScheduler(mode) // re-stamp times with the new clock
}

// NodeName implements webui.Source.
func (s *Source) NodeName() string { return "demo-shaper" }

func (s *Source) elapsed() float64 { return s.now().Sub(s.start).Seconds() }

// rate is a circuit's current download rate: a slow wave plus noise.
func (s *Source) rate(c circuit, t float64) (down, up uint64) {
	f := 0.35 + 0.3*math.Sin(t/20+c.phase) + 0.15*s.rng.Float64()
	d := f * float64(c.planDown) * 1e6
	return uint64(d), uint64(d / 6)
}

// Throughput implements webui.Source.
func (s *Source) Throughput(ctx context.Context) (webui.Throughput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.elapsed()
	var tp webui.Throughput
	for _, c := range s.circuits {
		d, u := s.rate(c, t)
		tp.ShapedBitsPerSecond.Down += d
		tp.ShapedBitsPerSecond.Up += u
	}
	unDown := uint64((0.05 + 0.03*s.rng.Float64()) * float64(tp.ShapedBitsPerSecond.Down))
	unUp := uint64((0.05 + 0.03*s.rng.Float64()) * float64(tp.ShapedBitsPerSecond.Up))
	tp.BitsPerSecond = webui.DownUp{Down: tp.ShapedBitsPerSecond.Down + unDown, Up: tp.ShapedBitsPerSecond.Up + unUp}
	tp.PacketsPerSecond = webui.DownUp{Down: tp.BitsPerSecond.Down / 8 / 900, Up: tp.BitsPerSecond.Up / 8 / 300}
	tp.MaxMbps = webui.DownUp{Down: 10000, Up: 2000}
	return tp, nil
}

func (s *Source) stats() []webui.CircuitStat {
	t := s.elapsed()
	out := make([]webui.CircuitStat, 0, len(s.circuits))
	for _, c := range s.circuits {
		d, u := s.rate(c, t)
		out = append(out, webui.CircuitStat{
			CircuitID: c.id, Name: c.name, IP: c.ip, MAC: c.mac, Parent: c.parent,
			Down: d, Up: u, RTTMs: math.Round((c.rtt+10*math.Sin(t/7+c.phase)+5*s.rng.Float64())*10) / 10,
			PlanMbps: webui.DownUp{Down: c.planDown, Up: c.planUp},
		})
	}
	return out
}

// TopCircuits implements webui.Source.
func (s *Source) TopCircuits(ctx context.Context, n int) ([]webui.CircuitStat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats()
	sort.Slice(st, func(i, j int) bool { return st[i].Down > st[j].Down })
	return st[:min(n, len(st))], nil
}

// WorstRTT implements webui.Source.
func (s *Source) WorstRTT(ctx context.Context, n int) ([]webui.CircuitStat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats()
	sort.Slice(st, func(i, j int) bool { return st[i].RTTMs > st[j].RTTMs })
	return st[:min(n, len(st))], nil
}

// CPULoad implements webui.Source.
func (s *Source) CPULoad(ctx context.Context) ([]float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]float64, s.cores)
	for i := range out {
		out[i] = math.Round(20+25*math.Sin(s.elapsed()/15+float64(i))+20*s.rng.Float64()) + 25
	}
	return out, nil
}

// QueueCounts implements webui.Source.
func (s *Source) QueueCounts(ctx context.Context) (webui.QueueCounts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return webui.QueueCounts{CPUQueues: s.cores, SiteQueues: 5, CircuitQueues: len(s.circuits),
		ShapedDevices: len(s.circuits) + 7, UnknownIPs: 3 + s.rng.IntN(4), Classification: "XDP+TC metadata"}, nil
}

// SchedulerStatus implements webui.Source.
func (s *Source) SchedulerStatus(ctx context.Context) (webui.SchedulerStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sched
	if s.schedMode != "stale" && s.schedMode != "unavailable" {
		st.LastHeartbeat = s.now() // a live scheduler keeps checking in
	}
	st.Output = append([]string(nil), st.Output...)
	return st, nil
}

// SchedulerModes lists the states SetScheduler accepts.
var SchedulerModes = []string{"healthy", "running", "setup", "stale", "error", "unavailable"}

// SetScheduler puts the fake scheduler into one of SchedulerModes.
func (s *Source) SetScheduler(mode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	base := webui.SchedulerStatus{
		Phase: "ready", PhaseLabel: "Ready", LastHeartbeat: now,
		LastSuccess: now.Add(-12 * time.Minute), NextRun: now.Add(18 * time.Minute),
		Output: []string{"integration: 40 circuits", "LibreQoS: queues applied"},
	}
	switch mode {
	case "healthy":
	case "running":
		base.Active, base.Phase, base.PhaseLabel = true, "partial_reload", "Applying queue changes"
		base.StepIndex, base.StepCount = 2, 4
	case "setup":
		base.SetupRequired, base.SetupMessage = true, "No topology source: enable an integration or provide network.json and ShapedDevices.csv."
	case "stale":
		base.LastHeartbeat = now.Add(-7 * time.Minute)
	case "error":
		base.Phase, base.PhaseLabel = "degraded", "Degraded"
		base.LastError = "integration UISP failed: HTTP 401 from <https://uisp.example/nms/api> — token rejected\nsee /tmp/lqos_scheduler_uisp.log"
	case "unavailable":
		base = webui.SchedulerStatus{}
	default:
		return fmt.Errorf("scheduler mode %q: want one of %v", mode, SchedulerModes)
	}
	s.sched, s.schedMode = base, mode
	return nil
}

// AddUrgent adds an issue (ID and time are assigned) and returns its ID.
func (s *Source) AddUrgent(i webui.UrgentIssue) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	i.ID = s.nextID
	if i.Time.IsZero() {
		i.Time = s.now().UTC().Truncate(time.Second)
	}
	s.urgent = append([]webui.UrgentIssue{i}, s.urgent...)
	return i.ID
}

// UrgentIssues implements webui.Source.
func (s *Source) UrgentIssues(ctx context.Context) ([]webui.UrgentIssue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]webui.UrgentIssue(nil), s.urgent...), nil
}

// AckUrgent implements webui.Source.
func (s *Source) AckUrgent(ctx context.Context, id uint64, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, i := range s.urgent {
		if i.ID == id {
			if !i.Clearable {
				return webui.ErrNotClearable
			}
			s.urgent = append(s.urgent[:k], s.urgent[k+1:]...)
			s.acks = append(s.acks, fmt.Sprintf("%d by %s", id, user))
			return nil
		}
	}
	return webui.ErrNotFound
}

// AckAllUrgent implements webui.Source.
func (s *Source) AckAllUrgent(ctx context.Context, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.urgent[:0]
	for _, i := range s.urgent {
		if i.Clearable {
			s.acks = append(s.acks, fmt.Sprintf("%d by %s", i.ID, user))
			continue
		}
		kept = append(kept, i)
	}
	s.urgent = kept
	return nil
}

// Acks returns the acknowledgements recorded so far ("<id> by <user>").
func (s *Source) Acks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.acks...)
}

// Control returns a handler for driving the fake from tests or the dev
// server. Serve it on its own loopback listener, never on the UI address.
//
//	POST /scheduler?state=<mode>
//	POST /urgent   JSON webui.UrgentIssue (id/ts ignored) → {"id":N}
//	POST /urgent/clear
//	GET  /acks     → ["<id> by <user>", …]
func (s *Source) Control() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /scheduler", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SetScheduler(r.URL.Query().Get("state")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /urgent", func(w http.ResponseWriter, r *http.Request) {
		var i webui.UrgentIssue
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&i); err != nil {
			http.Error(w, "urgent issue JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		i.ID, i.Time = 0, time.Time{}
		json.NewEncoder(w).Encode(map[string]uint64{"id": s.AddUrgent(i)})
	})
	mux.HandleFunc("POST /urgent/clear", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.urgent = nil
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /acks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(s.Acks())
	})
	return mux
}

var _ webui.Source = (*Source)(nil)

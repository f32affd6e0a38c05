//go:build linux

package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/libreqos-go/lqos/internal/plan"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

func prefixes(ms []plan.Mapping) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Prefix.String()+"="+m.CircuitID)
	}
	return out
}

func listAll(t *testing.T, c *bus.Client) []plan.Mapping {
	t.Helper()
	l, err := c.ListIPs(context.Background(), 0, 0)
	if err != nil {
		t.Fatalf("ListIPs: %v", err)
	}
	if l.Total != len(l.Mappings) {
		t.Fatalf("ListIPs: total %d but %d returned", l.Total, len(l.Mappings))
	}
	return l.Mappings
}

// TestLab starts lqosd in a netns lab and drives every bus request through
// the client; then kill -9, restart (mappings and queues survive, programs
// reattach), a refused second instance and a clean SIGTERM.
func TestLab(t *testing.T) {
	l := newLab(t)
	notify := l.notifySocket()
	p := l.start()
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()
	if msg := readNotify(t, notify); !strings.Contains(msg, "READY=1") || !strings.Contains(msg, "STATUS=shaping active") {
		t.Errorf("first sd_notify message %q, want READY=1 with a status", msg)
	}
	l.env = nil

	// What the kernel offers decides which warnings lqosd must have logged.
	have, err := probeQdiscs([]string{"cake", "fq_codel"})
	if err != nil {
		t.Fatal(err)
	}
	// READY=1 and the bus come up a moment before the last start-up lines
	// are written; wait for them instead of racing the logger.
	waitFor(t, "the start-up log lines", func() bool {
		s := p.stderr.String()
		return strings.Contains(s, "lqosd ready") && strings.Contains(s, "web UI listening")
	})
	log := p.stderr.String()
	for _, want := range []string{"lqosd ready", "datapath attached", "iface=lqtdA", "iface=lqtdB", "bpffs was not mounted at " + l.bpffs + "; lqosd mounted it", "shaping plan applied at start"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if !have["cake"] && !strings.Contains(log, `the kernel has no \"cake\" qdisc`) {
		t.Errorf("kernel lacks cake but the log does not say so")
	}
	if !isBPFFS(l.bpffs) {
		t.Fatalf("%s is not a bpffs after start", l.bpffs)
	}
	if !l.xdpAttached("lqtdA") || !l.xdpAttached("lqtdB") {
		t.Fatalf("XDP not attached after start")
	}

	t.Run("web UI is mounted", func(t *testing.T) {
		if !strings.Contains(log, "web UI listening") {
			t.Errorf("log lacks the web UI start")
		}
		code, body := httpGetInNS(t, l.shaper, "http://127.0.0.1:9123/health")
		if code != 200 {
			t.Fatalf("GET /health: %d %s", code, body)
		}
		if code, _ := httpGetInNS(t, l.shaper, "http://127.0.0.1:9123/api/setup-status"); code != 200 {
			t.Fatalf("GET /api/setup-status: %d", code)
		}
	})

	t.Run("ping and version", func(t *testing.T) {
		if _, err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := c.Version(ctx)
		if err != nil || v.Protocol != bus.ProtocolVersion || v.StartedAt.IsZero() {
			t.Fatalf("version %+v, %v", v, err)
		}
	})

	t.Run("startup plan mapped the devices", func(t *testing.T) {
		got := prefixes(listAll(t, c))
		want := []string{"10.10.0.1/32=c1", "10.10.0.2/32=c2", "10.10.1.0/24=c3"}
		if !slices.Equal(got, want) {
			t.Fatalf("mappings %v, want %v", got, want)
		}
		out := sh(t, "tc", "-n", l.shaper, "qdisc", "show", "dev", "lqtdB")
		if !strings.Contains(out, "qdisc mq 7fff: root") || !strings.Contains(out, "qdisc htb") {
			t.Fatalf("no mq+htb tree on lqtdB:\n%s", out)
		}
	})

	t.Run("map, delete, list", func(t *testing.T) {
		res, err := c.MapIPs(ctx, []plan.Mapping{
			{Prefix: netip.MustParsePrefix("10.30.0.0/24"), CPU: 0, ClassID: 0x10009, UploadClassID: 0x10009, CircuitID: "manual", DeviceID: "m1"},
			{Prefix: netip.MustParsePrefix("2001:db8::/64"), CPU: 1, ClassID: 0x2000a, CircuitID: "manual6"},
			{Prefix: netip.MustParsePrefix("10.31.0.1/32"), CPU: 9999, ClassID: 0x10009, CircuitID: "badcpu"},
			{Prefix: netip.MustParsePrefix("10.32.0.1/32"), CPU: 0, CircuitID: "noclass"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied != 2 || len(res.Failed) != 2 || res.Failed[0].Index != 2 || res.Failed[1].Index != 3 ||
			!strings.Contains(res.Failed[0].Error, "CPU 9999") || !strings.Contains(res.Failed[1].Error, "both 0") {
			t.Fatalf("MapIPs result %+v", res)
		}
		got := listAll(t, c)
		i := slices.IndexFunc(got, func(m plan.Mapping) bool { return m.Prefix.String() == "10.30.0.0/24" })
		if i < 0 || got[i].CircuitID != "manual" || got[i].DeviceID != "m1" || got[i].ClassID != 0x10009 {
			t.Fatalf("mapping not listed as sent: %+v", got)
		}
		del, err := c.DelIPs(ctx, []netip.Prefix{netip.MustParsePrefix("2001:db8::/64"), netip.MustParsePrefix("10.99.0.0/16")})
		if err != nil || del.Deleted != 1 || del.NotFound != 1 {
			t.Fatalf("DelIPs %+v, %v", del, err)
		}
		if len(listAll(t, c)) != 4 {
			t.Fatalf("after delete: %v", prefixes(listAll(t, c)))
		}
		page, err := c.ListIPs(ctx, 1, 2)
		if err != nil || page.Total != 4 || len(page.Mappings) != 2 {
			t.Fatalf("paged list %+v, %v", page, err)
		}
		// A host prefix with host bits set is refused by the server's
		// validation before the handler.
		_, err = c.MapIPs(ctx, []plan.Mapping{{Prefix: netip.MustParsePrefix("10.40.0.1/24"), ClassID: 0x10003, CircuitID: "x"}})
		if !errors.Is(err, &bus.Error{Code: bus.CodeInvalidArgument}) {
			t.Fatalf("host bits: %v", err)
		}
	})

	t.Run("apply and reload", func(t *testing.T) {
		dry, err := c.ApplyPlan(ctx, "test dry run", true)
		if err != nil || dry.Applied || !strings.Contains(dry.Summary, "3 circuits") || !strings.Contains(dry.Summary, "dry run") {
			t.Fatalf("dry run %+v, %v", dry, err)
		}
		// A real apply makes the mappings equal to the plan again: the
		// manual one goes away.
		res, err := c.ApplyPlan(ctx, "test", false)
		if err != nil || !res.Applied {
			t.Fatalf("apply %+v, %v", res, err)
		}
		if got := prefixes(listAll(t, c)); len(got) != 3 {
			t.Fatalf("after apply: %v", got)
		}
		if !have["cake"] && !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "replaced by bfifo") }) {
			t.Errorf("no fallback warning in %v", res.Warnings)
		}
		if !have["cake"] {
			// c1 downloads at up to 50 Mbit/s: its leaf holds 30 ms of that.
			if out := sh(t, "ip", "netns", "exec", l.shaper, "tc", "qdisc", "show", "dev", "lqtdB"); !strings.Contains(out, "bfifo") || !strings.Contains(out, "limit 187500b") {
				t.Errorf("no bfifo sized for 50 Mbit/s (limit 187500b) on lqtdB:\n%s", out)
			}
		}
		l.writeDevices(defaultDevices + "c4,Circuit Four,d4,Dev 4,,,,,10.10.2.4,,10,5,30,10,,\n")
		res, err = c.ReloadPlan(ctx, "test reload", false)
		if err != nil || !res.Applied || !strings.Contains(res.Summary, "4 circuits") {
			t.Fatalf("reload %+v, %v", res, err)
		}
		if got := prefixes(listAll(t, c)); !slices.Contains(got, "10.10.2.4/32=c4") {
			t.Fatalf("after reload: %v", got)
		}
		// SIGHUP reloads too.
		l.writeDevices(defaultDevices + "c5,Circuit Five,d5,Dev 5,,,,,10.10.2.5,,10,5,30,10,,\n")
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "c5 mapped after SIGHUP", func() bool { return slices.Contains(prefixes(listAll(t, c)), "10.10.2.5/32=c5") })
		if !slices.Contains(prefixes(listAll(t, c)), "10.10.0.1/32=c1") {
			t.Fatalf("SIGHUP reload lost c1: %v", prefixes(listAll(t, c)))
		}
		l.writeDevices("Circuit ID,broken\n")
		if _, err := c.ApplyPlan(ctx, "broken inputs", false); err == nil || !strings.Contains(err.Error(), "ShapedDevices.csv") {
			t.Fatalf("apply with broken inputs: %v", err)
		}
		if got := len(listAll(t, c)); got != 4 {
			t.Fatalf("a failed apply changed the mappings: %d", got)
		}
		l.writeDevices(defaultDevices)
		if _, err := c.ApplyPlan(ctx, "restore", false); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("throughput, top, circuits, queue stats", func(t *testing.T) {
		var down uint64
		// Traffic from a shaped (c1) and an unshaped host, until a sample
		// shows both (the daemon samples every 200 ms).
		waitFor(t, "shaped and unshaped rates", func() bool {
			l.traffic("10.10.0.1", 20)
			l.traffic("10.10.0.99", 20)
			tp, err := c.Throughput(ctx)
			if err != nil {
				t.Fatal(err)
			}
			top, err := c.TopN(ctx, bus.GetTopN{Kind: bus.TopHosts, By: bus.ByTotal, N: 10})
			if err != nil {
				t.Fatal(err)
			}
			var shaped, unshaped bool
			for _, e := range top.Entries {
				shaped = shaped || (e.Key == "10.10.0.1" && e.CircuitID == "c1")
				unshaped = unshaped || (e.Key == "10.10.0.99" && e.CircuitID == "")
			}
			down = tp.BitsPerSecond.Down
			return shaped && unshaped && tp.ShapedBitsPerSecond.Down+tp.ShapedBitsPerSecond.Up > 0 && tp.UnshapedBitsPerSecond.Down+tp.UnshapedBitsPerSecond.Up > 0
		})
		if down == 0 {
			t.Errorf("total download rate is 0")
		}
		top, err := c.TopN(ctx, bus.GetTopN{Kind: bus.TopCircuits, N: 5})
		if err != nil || top.By != bus.ByDown {
			t.Fatalf("top circuits %+v, %v", top, err)
		}
		ct, err := c.CircuitThroughput(ctx, "c1", "c2")
		if err != nil || len(ct.Circuits) != 2 || ct.Circuits[0].CircuitID != "c1" || ct.Circuits[0].Bytes.Down == 0 {
			t.Fatalf("circuit throughput %+v, %v", ct, err)
		}
		qs, err := c.QueueStats(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		ms := listAll(t, c)
		if qs.Down.ClassID != ms[0].ClassID || qs.Down.Packets == 0 || qs.Up.Packets == 0 {
			t.Fatalf("queue stats of c1 %+v (mapping %+v): the pings should have passed its classes", qs, ms[0])
		}
		if _, err := c.QueueStats(ctx, "nope"); !errors.Is(err, &bus.Error{Code: bus.CodeNotFound}) {
			t.Fatalf("queue stats of an unknown circuit: %v", err)
		}
		if _, err := c.TopN(ctx, bus.GetTopN{Kind: "planets", N: 1}); !errors.Is(err, &bus.Error{Code: bus.CodeInvalidArgument}) {
			t.Fatalf("bad top kind: %v", err)
		}
	})

	t.Run("scheduler reports", func(t *testing.T) {
		pct := 40
		for _, r := range []bus.Request{
			&bus.SchedulerHeartbeat{},
			&bus.SchedulerProgress{Active: true, Phase: "integration", Step: 2, Steps: 5, Percent: &pct},
			&bus.SchedulerOutput{Text: "hello"},
			&bus.SchedulerError{Integration: "uisp", Preview: "boom"},
		} {
			if err := c.Report(ctx, r); err != nil {
				t.Fatalf("%T: %v", r, err)
			}
		}
		st, err := c.SchedulerStatus(ctx)
		if err != nil || st.State != schedstatus.StateError || st.LastError == nil || !strings.Contains(st.LastError.Preview, "boom") {
			t.Fatalf("status %+v, %v", st, err)
		}
		if err := c.Report(ctx, &bus.SchedulerSuccess{Duration: 5}); err != nil {
			t.Fatal(err)
		}
		if err := c.Report(ctx, &bus.SchedulerProgress{Phase: "idle"}); err != nil {
			t.Fatal(err)
		}
		if st, err := c.SchedulerStatus(ctx); err != nil || st.State != schedstatus.StateHealthy {
			t.Fatalf("after success %+v, %v", st.State, err)
		}
	})

	t.Run("urgent issues", func(t *testing.T) {
		ctxJSON := json.RawMessage(`{"n":1}`)
		is, err := c.RaiseUrgent(ctx, bus.RaiseUrgent{Code: "TEST_ISSUE", Severity: urgent.Error, Source: "test", Message: "first", Context: ctxJSON})
		if err != nil || is.ID == 0 {
			t.Fatalf("raise %+v, %v", is, err)
		}
		again, err := c.RaiseUrgent(ctx, bus.RaiseUrgent{Code: "TEST_ISSUE", Severity: urgent.Error, Message: "second"})
		if err != nil || again.ID != is.ID || again.Count != 2 {
			t.Fatalf("dedupe %+v, %v", again, err)
		}
		if _, err := c.RaiseUrgent(ctx, bus.RaiseUrgent{Code: "TEST_OTHER", Severity: urgent.Warning, Message: "other"}); err != nil {
			t.Fatal(err)
		}
		open, err := c.ListUrgent(ctx, true)
		if err != nil || !slices.ContainsFunc(open, func(x urgent.Issue) bool { return x.Code == "TEST_ISSUE" }) {
			t.Fatalf("list %+v, %v", open, err)
		}
		acked, err := c.AckUrgent(ctx, is.ID, "", "tester")
		if err != nil || len(acked) != 1 || !acked[0].Acknowledged || !strings.Contains(acked[0].AcknowledgedBy, "tester") {
			t.Fatalf("ack by id %+v, %v", acked, err)
		}
		if acked, err := c.AckUrgent(ctx, 0, "TEST_OTHER", ""); err != nil || len(acked) != 1 {
			t.Fatalf("ack by code %+v, %v", acked, err)
		}
		if _, err := c.AckUrgent(ctx, 987654, "", ""); !errors.Is(err, &bus.Error{Code: bus.CodeNotFound}) {
			t.Fatalf("ack unknown id: %v", err)
		}
		if _, err := c.RaiseUrgent(ctx, bus.RaiseUrgent{Code: "bad code!", Severity: urgent.Error, Message: "x"}); !errors.Is(err, &bus.Error{Code: bus.CodeInvalidArgument}) {
			t.Fatalf("bad code: %v", err)
		}
		// The store file is in the state directory (kept across restarts).
		if _, err := os.Stat(filepath.Join(l.state, "lqosd", "urgent.json")); err != nil {
			t.Fatal(err)
		}
	})

	// kill -9: nothing is cleaned up; the pins, the queues and the attached
	// programs (pinned links) stay (see TestCrashKeepsClassifying).
	before := listAll(t, c)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(t); code != -int(syscall.SIGKILL) {
		t.Fatalf("exit after kill -9: %d", code)
	}
	for _, m := range []string{"lqos_lpm", "lqos_hosts"} {
		if _, err := os.Stat(filepath.Join(l.pins, m)); err != nil {
			t.Fatalf("pin %s gone after kill -9: %v", m, err)
		}
	}
	if out := sh(t, "tc", "-n", l.shaper, "class", "show", "dev", "lqtdB"); !strings.Contains(out, "class htb 1:4") {
		t.Fatalf("queues gone after kill -9:\n%s", out)
	}

	p2 := l.start("--no-startup-apply")
	l.waitReady(p2)
	c2 := l.client()
	after := listAll(t, c2)
	if !slices.Equal(prefixes(before), prefixes(after)) {
		t.Fatalf("mappings changed across kill -9 + restart:\nbefore %v\nafter  %v", prefixes(before), prefixes(after))
	}
	if !strings.Contains(p2.stderr.String(), "mappings present in pinned maps\" count=3") && !strings.Contains(p2.stderr.String(), "mappings present in pinned maps count=3") {
		t.Errorf("restart log does not report the 3 pinned mappings:\n%s", p2.stderr.String())
	}
	if !l.xdpAttached("lqtdA") || !l.xdpAttached("lqtdB") {
		t.Fatalf("XDP not reattached after restart")
	}
	open, err := c2.ListUrgent(ctx, false)
	if err != nil || !slices.ContainsFunc(open, func(x urgent.Issue) bool { return x.Code == "TEST_ISSUE" && x.Acknowledged }) {
		t.Fatalf("urgent issues not kept across restart: %+v, %v", open, err)
	}

	// A second instance refuses to start.
	p3 := l.start()
	if code := p3.exit(t); code != ExitAlreadyRunning {
		t.Fatalf("second instance exit code %d, want %d\n%s", code, ExitAlreadyRunning, p3.stderr.String())
	}
	if !strings.Contains(p3.stderr.String(), "another lqosd is running") {
		t.Errorf("second instance did not say why:\n%s", p3.stderr.String())
	}
	if _, err := c2.Ping(ctx); err != nil {
		t.Fatalf("first instance hurt by the second: %v", err)
	}

	t.Run("clear", func(t *testing.T) {
		res, err := c2.ClearIPs(ctx)
		if err != nil || res.Cleared != 3 {
			t.Fatalf("clear %+v, %v", res, err)
		}
		if got := listAll(t, c2); len(got) != 0 {
			t.Fatalf("after clear: %v", prefixes(got))
		}
	})

	// SIGTERM: exit 0; programs stay attached, pins and queues kept, so
	// subscribers stay shaped while lqosd restarts.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p2.exit(t); code != ExitOK {
		t.Fatalf("exit code after SIGTERM %d\n%s", code, p2.stderr.String())
	}
	if !l.xdpAttached("lqtdA") || !l.xdpAttached("lqtdB") {
		t.Fatalf("XDP detached by SIGTERM: everyone would be unshaped until the next start")
	}
	if _, err := os.Stat(filepath.Join(l.pins, "lqos_lpm")); err != nil {
		t.Fatalf("pin gone after SIGTERM: %v", err)
	}
	if _, err := os.Stat(l.bus); !os.IsNotExist(err) {
		t.Fatalf("bus socket left behind: %v", err)
	}
}

package daemon

import (
	"testing"

	"github.com/vishvananda/netns"

	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// leafUnder reports whether a qdisc hangs under class id on dev.
func (l *lab) leafUnder(t *testing.T, dev string, id uint32) bool {
	t.Helper()
	ns, err := netns.GetFromName(l.shaper)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	k, err := shaper.OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	live, err := tc.Dump(k.TC(), []string{dev})
	if err != nil {
		t.Fatal(err)
	}
	_, ok := live.QdiscAt(dev, tchandle.Handle(id))
	return ok
}

// With lazy_queues = "Htb" a circuit's leaf qdisc appears with its first
// traffic and goes away after lazy_expire_seconds idle.
func TestLazyQueuesFollowTraffic(t *testing.T) {
	l := newLab(t)
	l.write("lqos.conf", `version = "1.5"
lqos_directory = "."
state_directory = "`+l.state+`"
[bridge]
to_internet = "lqtdA"
to_network = "lqtdB"
[queues]
default_sqm = "cake diffserv4"
lazy_queues = "Htb"
lazy_expire_seconds = 2
`)
	p := l.start("--no-webui", "--drift-interval", "0")
	l.waitReady(p)
	c := l.client()
	var c1, c2 uint32
	for _, m := range listAll(t, c) {
		switch m.CircuitID {
		case "c1":
			c1 = uint32(m.ClassID)
		case "c2":
			c2 = uint32(m.ClassID)
		}
	}
	if c1 == 0 || c2 == 0 {
		t.Fatalf("circuits not mapped: %v", listAll(t, c))
	}
	if _, ok := l.class(t, "lqtdB", c1); !ok {
		t.Fatal("lazy htb must still create the circuit's class")
	}
	if l.leafUnder(t, "lqtdB", c1) {
		t.Fatal("c1 has a leaf qdisc before any traffic")
	}
	waitFor(t, "c1's leaf qdisc after its first traffic", func() bool {
		l.traffic("10.10.0.1", 20)
		return l.leafUnder(t, "lqtdB", c1)
	})
	if l.leafUnder(t, "lqtdB", c2) {
		t.Error("c2 got a leaf without traffic")
	}
	waitFor(t, "c1's leaf qdisc to expire after 2 s idle", func() bool {
		return !l.leafUnder(t, "lqtdB", c1)
	})
}

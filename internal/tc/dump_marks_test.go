package tc

import (
	"encoding/binary"
	"testing"

	"github.com/vishvananda/netlink/nl"
)

func ne32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// stats2 builds a TCA_STATS2 payload: a queue struct and an APP attribute.
func stats2(app *nl.RtAttr) []byte {
	queue := nl.NewRtAttr(nl.TCA_STATS_QUEUE, append(append(append(append(ne32(3), ne32(4500)...), ne32(11)...), ne32(0)...), ne32(2)...))
	return append(queue.Serialize(), app.Serialize()...)
}

func TestECNMarks(t *testing.T) {
	cakeApp := nl.NewRtAttr(4, nil)                                    // TCA_STATS_APP
	cakeApp.AddRtAttr(4, binary.NativeEndian.AppendUint32(nil, 12345)) // TCA_CAKE_STATS_MEMORY_USED: ignored
	tins := cakeApp.AddRtAttr(10, nil)                                 // TCA_CAKE_STATS_TIN_STATS
	for i, m := range []uint32{5, 0, 7, 30} {
		tin := tins.AddRtAttr(i+1, nil)
		tin.AddRtAttr(2, ne32(1000))                                 // sent packets
		tin.AddRtAttr(4, ne32(99))                                   // dropped packets: not marks
		tin.AddRtAttr(8, ne32(m))                                    // ECN marked packets
		tin.AddRtAttr(9, binary.NativeEndian.AppendUint64(nil, 1e6)) // marked bytes
	}
	fq := make([]byte, 40)
	binary.NativeEndian.PutUint32(fq[0:], 0)   // TCA_FQ_CODEL_XSTATS_QDISC
	binary.NativeEndian.PutUint32(fq[12:], 9)  // ecn_mark
	binary.NativeEndian.PutUint32(fq[28:], 44) // ce_mark: not counted
	fqClass := make([]byte, 40)
	binary.NativeEndian.PutUint32(fqClass[0:], 1) // class xstats: no qdisc counters
	cases := []struct {
		name, kind string
		stats      []byte
		want       uint64
	}{
		{"cake sums its tins", "cake", stats2(cakeApp), 42},
		{"fq_codel qdisc", "fq_codel", stats2(nl.NewRtAttr(4, fq)), 9},
		{"fq_codel class variant", "fq_codel", stats2(nl.NewRtAttr(4, fqClass)), 0},
		{"short fq_codel struct", "fq_codel", stats2(nl.NewRtAttr(4, fq[:8])), 0},
		{"bfifo has none", "bfifo", stats2(nl.NewRtAttr(4, fq)), 0},
		{"garbage", "cake", []byte{1, 2, 3}, 0},
	}
	for _, tc := range cases {
		app := statsApp(tc.stats)
		var cake *CakeStats
		if tc.kind == "cake" {
			cake, _ = DecodeCakeStats(app)
		}
		if got := ecnMarks(tc.kind, app, cake); got != tc.want {
			t.Errorf("%s: %d marks, want %d", tc.name, got, tc.want)
		}
	}
	// The queue counters still parse next to the APP attribute.
	s, err := parseStats2(stats2(cakeApp))
	if err != nil || s.Qlen != 3 || s.Backlog != 4500 || s.Drops != 11 || s.Overlimits != 2 {
		t.Errorf("stats %+v %v", s, err)
	}
}

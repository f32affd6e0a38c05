package demosource

import (
	"context"
	"testing"
)

// The fake network's figures are consistent: a node's circuits and rates
// are those of its children plus the circuits attached to it.
func TestTreeRollsUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  *Source
	}{
		{"default", New(1)},
		{"scaled", NewScaled(1, Scale{Circuits: 500, Nodes: 60, Flows: 2000})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.src
			s.mu.Lock()
			sn := s.snap()
			nodes := s.treeLocked(sn)
			s.mu.Unlock()
			circuits, direct, down := make([]int, len(nodes)), make([]int, len(nodes)), make([]uint64, len(nodes))
			for i, c := range s.circuits {
				if c.node >= 0 {
					direct[c.node]++
					down[c.node] += sn.down[i]
				}
			}
			for i := len(nodes) - 1; i >= 0; i-- { // children come after parents
				circuits[i] += direct[i]
				if p := nodes[i].Parent; p >= 0 {
					if p >= i {
						t.Fatalf("node %d has parent %d after it", i, p)
					}
					circuits[p] += circuits[i]
					down[p] += down[i]
				}
			}
			for i, n := range nodes {
				if n.Index != i || n.Circuits != circuits[i] || n.Live.BitsPerSecond.Down != down[i] {
					t.Errorf("node %d %q: index %d circuits %d (want %d) down %d (want %d)", i, n.Name, n.Index, n.Circuits, circuits[i], n.Live.BitsPerSecond.Down, down[i])
				}
				if n.Circuits > 0 && (n.Live.RTTP50Ms <= 0 || n.Live.RTTP90Ms < n.Live.RTTP50Ms) {
					t.Errorf("node %q RTT p50 %v p90 %v", n.Name, n.Live.RTTP50Ms, n.Live.RTTP90Ms)
				}
			}
			d, err := s.CircuitDetail(context.Background(), s.circuits[0].id)
			if err != nil || len(d.Flows) != s.flowsPC || len(d.Queues) != 2 {
				t.Errorf("circuit detail: %v flows %d queues %d", err, len(d.Flows), len(d.Queues))
			}
		})
	}
}

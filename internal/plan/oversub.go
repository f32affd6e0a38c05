package plan

import (
	"math/bits"
	"strconv"

	"github.com/libreqos-go/lqos/internal/topology"
)

// HTB takes rates in bytes per second, so a guarantee is worth only whole
// bytes: fitted rates are multiples of kernelUnitBps bit/s, and whether the
// children fit their parent is decided in those units.
const kernelUnitBps = 8

// floorBytes is the smallest guarantee a fitted child gets (10 kbit/s, the
// clamp every rate gets anyway).
const floorBytes = uint64(minRateMbps*1e6) / kernelUnitBps

// Oversubscription is one node and direction whose children (sub-nodes and
// circuits) were promised more than the node's own guarantee.
type Oversubscription struct {
	Node      string
	Line      int // network.json line of the node; 0 for generated nodes
	Direction Direction
	SumMbps   float64 // the children's minimums before fitting
	RateMbps  float64 // the node's guarantee
	// Scale is the factor every child's minimum was multiplied by (before
	// the floor); 0 under the upstream rule, where minimums become 1 Mbps.
	Scale    float64
	Children int
	Floored  int  // children held at the 10 kbit/s floor
	Upstream bool // upstream's rule was applied (upstream_oversubscription)
	src      *topology.Node
}

// Path is the node's network.json path ("Site > AP"); "" for generated nodes.
func (o Oversubscription) Path() string {
	if o.src == nil {
		return ""
	}
	return o.src.Path()
}

// Message describes the finding in one sentence that names the node.
func (o Oversubscription) Message() string {
	b := make([]byte, 0, 200)
	b = append(b, "node "...)
	b = strconv.AppendQuote(b, o.Node)
	b = append(b, " is oversubscribed for "...)
	b = append(b, o.Direction.String()...)
	b = append(b, ": the minimums of its "...)
	b = strconv.AppendInt(b, int64(o.Children), 10)
	b = append(b, " children sum to "...)
	b = appendMbps(b, o.SumMbps)
	b = append(b, " Mbps but the node's rate is "...)
	b = appendMbps(b, o.RateMbps)
	b = append(b, " Mbps"...)
	if o.Upstream {
		b = append(b, "; upstream rule (upstream_oversubscription): every circuit of the node gets 1 Mbps in both directions"...)
		return string(b)
	}
	b = append(b, "; guarantees scaled by "...)
	b = strconv.AppendFloat(b, o.Scale, 'f', 4, 64)
	if o.Floored > 0 {
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(o.Floored), 10)
		b = append(b, " held at the 10 kbit/s floor)"...)
	}
	return string(b)
}

// Short is the compact form used in lists: "AP_A download 503/499 Mbps x0.9920".
func (o Oversubscription) Short() string {
	b := append([]byte(o.Node), ' ')
	b = append(b, o.Direction.String()...)
	b = append(b, ' ')
	b = appendMbps(b, o.SumMbps)
	b = append(b, '/')
	b = appendMbps(b, o.RateMbps)
	b = append(b, " Mbps"...)
	if !o.Upstream {
		b = append(b, " x"...)
		b = strconv.AppendFloat(b, o.Scale, 'f', 4, 64)
	}
	return string(b)
}

// appendMbps prints at most 3 decimals, without trailing zeros.
func appendMbps(b []byte, v float64) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', 3, 64)
	for len(b) > n && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > n && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}

// fitResult says how fitGuarantees changed one group of siblings.
type fitResult struct {
	scaled  bool
	sum     uint64 // sum of the children's minimums, bytes/s
	avail   uint64 // the parent's guarantee, bytes/s
	floored int
}

// fitGuarantees fits sibling guarantees (bytes/s, each at least floorBytes)
// into the parent's guarantee avail (bytes/s), in place. When they already
// fit nothing changes. Otherwise every child gets floor(min * avail' /
// sum'), where children that would drop below floorBytes are held there and
// the rest share what is left (avail' and sum' exclude the held ones); so the
// sum never exceeds avail unless even the floors do not fit, and no child
// gets more than it asked for (hence never above its ceil).
func fitGuarantees(mins []uint64, avail uint64) fitResult {
	r := fitResult{avail: avail}
	for _, m := range mins {
		r.sum += m
	}
	if r.sum <= avail {
		return r
	}
	r.scaled = true
	held := make([]bool, len(mins))
	for {
		share, rest := avail, uint64(0)
		nHeld := uint64(0)
		for i, m := range mins {
			if held[i] {
				nHeld++
			} else {
				rest += m
			}
		}
		if nHeld*floorBytes >= avail || rest == 0 {
			// Not even the floors fit: everything at the floor.
			for i, m := range mins {
				mins[i] = min(m, floorBytes)
				held[i] = true
			}
			r.floored = len(mins)
			return r
		}
		share -= nHeld * floorBytes
		if rest <= share {
			// What is left fits the unheld children as they are.
			share = rest
		}
		changed := false
		for i, m := range mins {
			if !held[i] && mulDiv(m, share, rest) < floorBytes {
				held[i], changed = true, true
			}
		}
		if changed {
			continue
		}
		for i, m := range mins {
			if held[i] {
				mins[i] = min(m, floorBytes)
				r.floored++
			} else {
				mins[i] = mulDiv(m, share, rest)
			}
		}
		return r
	}
}

// mulDiv is floor(a*b/c) without overflow, for b <= c (so the result is <= a).
func mulDiv(a, b, c uint64) uint64 {
	if b == c {
		return a
	}
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// kernelBytes is what HTB stores for a rate in Mbps: bytes per second.
func kernelBytes(mbps float64) uint64 { return bitsPerSecond(mbps) / kernelUnitBps }

// bytesToMbps is the Mbps figure whose bitsPerSecond is exactly 8*b.
func bytesToMbps(b uint64) float64 { return float64(b*kernelUnitBps) / 1e6 }

package plan

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rate limits in Mbps. HTB refuses a zero rate, so everything is clamped to
// at least 10 kbit/s, as upstream's Bakery does.
const (
	minRateMbps = 0.01
	maxRateMbps = 10_000_000
)

// bitsPerSecond converts Mbps (10^6 bit/s) to an exact bit/s figure, clamped
// to [10 kbit/s, 10 Tbit/s]. Rounding to the nearest bit removes float noise
// such as 0.49999999 Mbps.
func bitsPerSecond(mbps float64) uint64 {
	if math.IsNaN(mbps) || mbps < minRateMbps {
		mbps = minRateMbps
	}
	if mbps > maxRateMbps {
		mbps = maxRateMbps
	}
	return uint64(math.Round(mbps * 1e6))
}

// R2Q is the smallest r >= 10 with capMbps*125000/r <= 60000: the HTB
// rate-to-quantum divisor that keeps every quantum of a tree capped at capMbps
// below 60 kB.
func R2Q(capMbps uint64) uint32 {
	r := (capMbps*125000 + 59999) / 60000
	if r < 10 {
		r = 10
	}
	if r > math.MaxUint32 {
		r = math.MaxUint32
	}
	return uint32(r)
}

// Quantum is max(1522, trunc(rateMbps)*125000/r2q) bytes. Setting it
// explicitly stops HTB from deriving (and warning about) its own, which
// upstream found to speed reloads up a lot.
func Quantum(rateMbps float64, r2q uint32) uint32 {
	if math.IsNaN(rateMbps) || rateMbps < 0 {
		rateMbps = 0
	}
	q := math.Floor(math.Trunc(rateMbps) * 125000 / float64(r2q))
	if q < 1522 {
		return 1522
	}
	if q > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(q)
}

// strictMin keeps an HTB rate strictly below its ceil, for nodes and circuits
// alike: min >= max becomes max - 1 when max >= 1, else max - 0.01 (at least
// 0.01).
func strictMin(min, max float64) float64 {
	if min >= max {
		if max >= 1 {
			return max - 1
		}
		return math.Max(minRateMbps, max-minRateMbps)
	}
	return min
}

// nodeRates computes one direction of one node, keeping floats: the ceil is
// the node's own (or inherited) capped by the parent's ceil, the rate is at
// least the explicit min or the circuits' mins, capped by the parent's rate and
// kept strictly below the ceil.
// own is the node's configured ceiling (0 = inherit), explicitMin its optional
// guarantee (0 = unset), circuitMins the sum of its circuits' mins.
func nodeRates(own, explicitMin, circuitMins, parentMax, parentMin float64) (min, max float64) {
	max = own
	if max <= 0 || math.IsNaN(max) {
		max = parentMax
	}
	max = math.Min(max, parentMax)
	seed := max
	if explicitMin > 0 {
		seed = math.Max(explicitMin, circuitMins)
	}
	min = math.Min(math.Min(seed, max), parentMin)
	return strictMin(min, max), max
}

// leafRules chooses leaf qdiscs from an sqm override and the direction's max
// rate (fq_codel at or above the fast-queue threshold, else the default with
// CAKE's low-rate rtt rule). The Leaf values it returns
// share their Args slices between circuits: treat them as read-only.
type leafRules struct {
	// missing: leaf kinds the kernel lacks; they become FallbackLeaf.
	missing  map[string]bool
	def      Leaf
	cake     Leaf    // what an explicit "cake" override means
	defRTT   [5]Leaf // def with the low-rate rtt for <=1, <=2, <=3, <=4 Mbps and above
	cakeRTT  [5]Leaf
	fastMbps float64
}

var fqCodelLeaf = Leaf{Kind: "fq_codel"}

func newLeafRules(defaultSQM string, fast float64, missingKinds []string) leafRules {
	toks := strings.Fields(defaultSQM)
	if len(toks) == 0 {
		toks = []string{"cake", "diffserv4"}
	}
	r := leafRules{def: Leaf{Kind: toks[0], Args: toks[1:len(toks):len(toks)]}, fastMbps: fast}
	if len(missingKinds) > 0 {
		r.missing = map[string]bool{}
		for _, k := range missingKinds {
			r.missing[k] = true
		}
	}
	r.cake = Leaf{Kind: "cake", Args: []string{"diffserv4"}}
	if r.def.Kind == "cake" {
		r.cake = r.def
	}
	for i, mbps := range []float64{1, 2, 3, 4, 5} {
		r.defRTT[i] = withLowRateRTT(r.def, mbps)
		r.cakeRTT[i] = withLowRateRTT(r.cake, mbps)
	}
	return r
}

// defaultLeaf is the default_sqm qdisc as written (infrastructure classes
// whose ceil is ceilMbps).
func (r leafRules) defaultLeaf(ceilMbps float64) Leaf { return r.orFallback(r.def, ceilMbps) }

// Fallback leaf sizing: a kernel without the configured leaf kind gets a
// byte FIFO that holds FallbackQueueDelay at the class's ceil, never less
// than FallbackMinFrames full-size frames. A packet FIFO of the kernel's
// default 1000 packets would queue for seconds on a slow plan (1.2 s at
// 10 Mbit/s); this keeps the added delay at a few tens of ms.
const (
	FallbackQueueDelay = 30 * time.Millisecond
	FallbackMinFrames  = 4
	fullFrameBytes     = 1514
)

// FallbackLeaf is the leaf used in place of a kind the kernel lacks, for a
// class whose ceil is ceilMbps.
func FallbackLeaf(ceilMbps float64) Leaf {
	limit := uint64(ceilMbps * 1e6 / 8 * FallbackQueueDelay.Seconds())
	limit = max(limit, FallbackMinFrames*fullFrameBytes)
	return Leaf{Kind: "bfifo", Args: []string{"limit", strconv.FormatUint(limit, 10)}}
}

func (r leafRules) orFallback(l Leaf, ceilMbps float64) Leaf {
	if r.missing[l.Kind] {
		return FallbackLeaf(ceilMbps)
	}
	return l
}

// rttBand is the index into defRTT/cakeRTT for a max rate.
func rttBand(maxMbps float64) int {
	switch {
	case maxMbps <= 1:
		return 0
	case maxMbps <= 2:
		return 1
	case maxMbps <= 3:
		return 2
	case maxMbps <= 4:
		return 3
	}
	return 4
}

// forCircuit picks the leaf for one direction given its override token
// ("", "cake", "fq_codel", "none") and that direction's max rate in Mbps.
func (r *leafRules) forCircuit(override string, maxMbps float64) Leaf {
	return r.orFallback(r.chooseLeaf(override, maxMbps), maxMbps)
}

func (r *leafRules) chooseLeaf(override string, maxMbps float64) Leaf {
	switch override {
	case "none":
		return Leaf{}
	case "fq_codel":
		return fqCodelLeaf
	case "cake":
		return r.cakeRTT[rttBand(maxMbps)]
	case "":
		if maxMbps >= r.fastMbps {
			return fqCodelLeaf
		}
	}
	// Unknown tokens cannot reach us (the CSV reader rejects them); they get
	// the default without the fast-queue switch, as upstream.
	return r.defRTT[rttBand(maxMbps)]
}

// withLowRateRTT lengthens CAKE's rtt on very slow circuits, where one MTU
// takes ~15 ms to serialise at 1 Mbit/s.
func withLowRateRTT(l Leaf, maxMbps float64) Leaf {
	if l.Kind != "cake" || slices.Contains(l.Args, "rtt") {
		return l
	}
	rtt := [...]string{"300ms", "180ms", "140ms", "120ms", ""}[rttBand(maxMbps)]
	if rtt == "" {
		return l
	}
	args := make([]string, 0, len(l.Args)+2)
	l.Args = append(append(args, l.Args...), "rtt", rtt)
	return l
}

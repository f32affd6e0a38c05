package tc

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Kernel limits per interface: explicit handles
// reach 65,534; the kernel auto-numbers at most 32,768 (0x8000..0xFFFF) and
// refuses the 32,768th. We keep a margin like upstream.
const (
	MaxQdiscsPerInterface     = 65000
	MaxAutoQdiscsPerInterface = 32767
)

// Memory forecast per created qdisc, as upstream estimates it; preflight keeps
// max(memFloor, MemTotal/8) free on top of the forecast.
const (
	memInfra   = 16 << 10
	memFqCodel = 64 << 10
	memCake    = 512 << 10
	memFloor   = 2 << 30
)

// PreflightError is a refusal before anything was sent to the kernel.
type PreflightError struct {
	Code string // TC_QDISC_CAPACITY or TC_MEMORY
	Msg  string
}

func (e *PreflightError) Error() string { return e.Code + ": " + e.Msg }

// MemInfo is the part of /proc/meminfo the memory check needs (bytes).
type MemInfo struct {
	Total, Available uint64
}

// ReadMemInfo parses a /proc/meminfo style file.
func ReadMemInfo(path string) (MemInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return MemInfo{}, err
	}
	defer f.Close()
	var m MemInfo
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		var dst *uint64
		switch fields[0] {
		case "MemTotal:":
			dst = &m.Total
		case "MemAvailable:":
			dst = &m.Available
		default:
			continue
		}
		v, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			return MemInfo{}, fmt.Errorf("%s:%d: %s: bad number %q", path, line, strings.TrimSuffix(fields[0], ":"), fields[1])
		}
		*dst = v << 10 // kB
	}
	if err := sc.Err(); err != nil {
		return MemInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	if m.Total == 0 || m.Available == 0 {
		return MemInfo{}, fmt.Errorf("%s: MemTotal or MemAvailable missing", path)
	}
	return m, nil
}

func qdiscMemory(kind string) uint64 {
	switch kind {
	case "cake":
		return memCake
	case "fq_codel":
		return memFqCodel
	}
	return memInfra
}

// preflight refuses a change the kernel or the host cannot take: too many
// qdiscs on an interface after the change, or too little memory for the
// qdiscs it creates. mem == nil skips the memory check.
func preflight(want *desired, ops []Op, mem *MemInfo) error {
	total := map[string]int{}
	auto := map[string]int{}
	for _, q := range want.qdiscs {
		total[q.iface]++
	}
	for _, c := range want.classes {
		if c.leaf != nil {
			total[c.iface]++
			if c.leaf.anyHandle {
				auto[c.iface]++
			}
		}
	}
	for _, iface := range want.ifaces {
		if total[iface] > MaxQdiscsPerInterface {
			return &PreflightError{"TC_QDISC_CAPACITY", fmt.Sprintf("%s would hold %d qdiscs; the limit is %d per interface (kernel maximum 65,534)", iface, total[iface], MaxQdiscsPerInterface)}
		}
		if auto[iface] > MaxAutoQdiscsPerInterface {
			return &PreflightError{"TC_QDISC_CAPACITY", fmt.Sprintf("%s would hold %d leaf qdiscs without explicit handles; the kernel numbers at most %d itself", iface, auto[iface], MaxAutoQdiscsPerInterface)}
		}
	}
	if mem == nil {
		return nil
	}
	var need uint64
	for _, o := range ops {
		switch o.Kind {
		case OpReplaceRoot, OpReplaceQdisc, OpReplaceLeaf:
			need += qdiscMemory(o.QdiscKind)
		}
	}
	floor := max(uint64(memFloor), mem.Total/8)
	if mem.Available < floor || mem.Available-floor < need {
		return &PreflightError{"TC_MEMORY", fmt.Sprintf("the change creates qdiscs needing about %d MiB; %d MiB available, %d MiB must stay free", need>>20, mem.Available>>20, floor>>20)}
	}
	return nil
}

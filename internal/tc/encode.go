package tc

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// Attribute numbers from include/uapi/linux/pkt_sched.h.
const (
	tcaCakeBaseRate64   = 2
	tcaCakeDiffservMode = 3
	tcaCakeATM          = 4
	tcaCakeFlowMode     = 5
	tcaCakeOverhead     = 6
	tcaCakeRTT          = 7
	tcaCakeTarget       = 8
	tcaCakeAutorate     = 9
	tcaCakeMemory       = 10
	tcaCakeNAT          = 11
	tcaCakeRaw          = 12
	tcaCakeWash         = 13
	tcaCakeMPU          = 14
	tcaCakeIngress      = 15
	tcaCakeAckFilter    = 16
	tcaCakeSplitGSO     = 17
	tcaCakeFwmark       = 18

	tcaFqCodelTarget      = 1
	tcaFqCodelLimit       = 2
	tcaFqCodelInterval    = 3
	tcaFqCodelECN         = 4
	tcaFqCodelFlows       = 5
	tcaFqCodelQuantum     = 6
	tcaFqCodelCEThreshold = 7
	tcaFqCodelDropBatch   = 8
	tcaFqCodelMemoryLimit = 9

	tcaHTBParms      = 1
	tcaHTBInit       = 2
	tcaHTBDirectQlen = 5
	tcaHTBRate64     = 6
	tcaHTBCeil64     = 7

	linklayerEthernet = 1
)

var ne = binary.NativeEndian

func u32(v uint32) []byte { b := make([]byte, 4); ne.PutUint32(b, v); return b }
func u64(v uint64) []byte { b := make([]byte, 8); ne.PutUint64(b, v); return b }

// nested serialises a list of attributes as the payload of a nested TCA_OPTIONS
// (the payload only; the caller wraps it).
func nested(attrs []*nl.RtAttr) []byte {
	var out []byte
	for _, a := range attrs {
		out = append(out, a.Serialize()...)
	}
	return out
}

// argError names the offending token so a bad override in the inputs is easy to find.
func argError(kind string, args []string, i int, msg string) error {
	tok := "<end>"
	if i < len(args) {
		tok = args[i]
	}
	return fmt.Errorf("%s args %q: token %d (%q): %s", kind, strings.Join(args, " "), i+1, tok, msg)
}

// EncodeLeaf returns the TCA_OPTIONS payload and whether it is a nested
// attribute list, for a leaf qdisc kind and its tc-style arguments.
// nil options mean "kernel defaults".
func EncodeLeaf(kind string, args []string) (opts []byte, isNested bool, err error) {
	switch kind {
	case "cake":
		o, err := EncodeCake(args)
		return o, true, err
	case "fq_codel":
		o, err := EncodeFqCodel(args)
		return o, true, err
	case "pfifo", "bfifo":
		o, err := EncodeFifo(kind, args)
		return o, false, err
	case "pfifo_fast", "noqueue":
		if len(args) > 0 {
			return nil, false, argError(kind, args, 0, "takes no arguments here")
		}
		return nil, false, nil
	case "":
		return nil, false, fmt.Errorf("empty qdisc kind")
	default:
		return nil, false, fmt.Errorf("unsupported leaf qdisc kind %q (supported: cake, fq_codel, pfifo, bfifo)", kind)
	}
}

// EncodeFifo encodes pfifo (limit in packets) and bfifo (limit in bytes).
func EncodeFifo(kind string, args []string) ([]byte, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if len(args) != 2 || args[0] != "limit" {
		return nil, argError(kind, args, 0, `want "limit N"`)
	}
	var v uint64
	var err error
	if kind == "bfifo" {
		v, err = parseSize(args[1])
	} else {
		v, err = strconv.ParseUint(args[1], 10, 32)
	}
	if err != nil || v > math.MaxUint32 {
		return nil, argError(kind, args, 1, "bad limit")
	}
	return u32(uint32(v)), nil
}

// cakePresetRTT are tc-cake's named RTT presets.
var cakePresetRTT = map[string]time.Duration{
	"datacentre": 100 * time.Microsecond, "lan": time.Millisecond, "metro": 10 * time.Millisecond,
	"regional": 30 * time.Millisecond, "internet": 100 * time.Millisecond,
	"oceanic": 300 * time.Millisecond, "satellite": time.Second, "interplanetary": time.Hour,
}

var cakeDiffserv = map[string]uint32{
	"diffserv3": 0, "diffserv4": 1, "diffserv8": 2, "besteffort": 3, "precedence": 4,
}

var cakeFlowMode = map[string]uint32{
	"flowblind": 0, "srchost": 1, "dsthost": 2, "hosts": 3, "flows": 4,
	"dual-srchost": 5, "dual-dsthost": 6, "triple-isolate": 7,
}

// cakeLinkPreset: keyword -> (atm mode, overhead, mpu; -1 = leave).
var cakeLinkPreset = map[string][3]int{
	"raw": {-1, 0, -1}, "conservative": {1, 48, -1}, "ethernet": {0, 38, 84},
	"docsis": {0, 18, 64}, "pppoe-ptm": {2, 30, -1}, "bridged-ptm": {2, 22, -1},
	"pppoa-vcmux": {1, 10, -1}, "pppoa-llc": {1, 14, -1}, "pppoe-vcmux": {1, 32, -1},
	"pppoe-llcsnap": {1, 40, -1}, "bridged-vcmux": {1, 24, -1}, "bridged-llcsnap": {1, 32, -1},
	"ipoa-vcmux": {1, 8, -1}, "ipoa-llcsnap": {1, 16, -1},
}

// EncodeCake parses tc-cake arguments ("bandwidth 100mbit diffserv4 rtt 20ms
// triple-isolate nat ack-filter overhead 18 mpu 64 memlimit 32mb ...") into
// the nested TCA_CAKE_* attributes, emitted in tc's order and only for what
// was given.
func EncodeCake(args []string) ([]byte, error) {
	const unset = -1 << 40
	var (
		bandwidth               uint64
		bandwidthSet            bool
		diffserv                = int64(unset)
		atm                     = int64(unset)
		flowmode                = int64(unset)
		overhead                = int64(unset)
		raw                     bool
		mpu                     = int64(unset)
		rtt, target             uint64
		autorate                = int64(unset)
		memlimit                uint64
		fwmark                  = int64(unset)
		nat, wash, gso, ingress = int64(unset), int64(unset), int64(unset), int64(unset)
		ackf                    = int64(unset)
	)
	setRTT := func(d time.Duration) {
		rtt = uint64(d / time.Microsecond)
		target = max(rtt/20, 1)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", argError("cake", args, i+1, "missing value after "+a)
			}
			i++
			return args[i], nil
		}
		if v, ok := cakeDiffserv[a]; ok {
			diffserv = int64(v)
			continue
		}
		if v, ok := cakeFlowMode[a]; ok {
			flowmode = int64(v)
			continue
		}
		if d, ok := cakePresetRTT[a]; ok {
			setRTT(d)
			continue
		}
		if p, ok := cakeLinkPreset[a]; ok {
			if p[0] >= 0 {
				atm = int64(p[0])
			}
			overhead = int64(p[1])
			if p[2] >= 0 {
				mpu = int64(p[2])
			}
			raw = a == "raw"
			continue
		}
		switch a {
		case "bandwidth":
			s, err := next()
			if err != nil {
				return nil, err
			}
			bps, err := parseRate(s)
			if err != nil {
				return nil, argError("cake", args, i, err.Error())
			}
			bandwidth, bandwidthSet = bps/8, true
		case "unlimited":
			bandwidth, bandwidthSet = 0, true
		case "autorate-ingress":
			autorate = 1
		case "rtt":
			s, err := next()
			if err != nil {
				return nil, err
			}
			d, err := parseTime(s)
			if err != nil || d <= 0 {
				return nil, argError("cake", args, i, "bad rtt (want e.g. 100ms, 300us)")
			}
			setRTT(d)
		case "nat":
			nat = 1
		case "nonat":
			nat = 0
		case "wash":
			wash = 1
		case "nowash":
			wash = 0
		case "split-gso":
			gso = 1
		case "no-split-gso":
			gso = 0
		case "ack-filter":
			ackf = 1
		case "ack-filter-aggressive":
			ackf = 2
		case "no-ack-filter":
			ackf = 0
		case "ingress":
			ingress = 1
		case "egress":
			ingress = 0
		case "atm":
			atm = 1
		case "ptm":
			atm = 2
		case "noatm":
			atm = 0
		case "via-ethernet":
			// Accepted by tc for compatibility; it has no effect.
		case "overhead":
			s, err := next()
			if err != nil {
				return nil, err
			}
			v, err := strconv.ParseInt(s, 10, 32)
			if err != nil || v < -64 || v > 256 {
				return nil, argError("cake", args, i, "overhead must be an integer in -64..256")
			}
			overhead, raw = v, false
		case "mpu":
			s, err := next()
			if err != nil {
				return nil, err
			}
			v, err := strconv.ParseUint(s, 10, 32)
			if err != nil || v > 256 {
				return nil, argError("cake", args, i, "mpu must be an integer in 0..256")
			}
			mpu = int64(v)
		case "memlimit":
			s, err := next()
			if err != nil {
				return nil, err
			}
			v, err := parseSize(s)
			if err != nil || v == 0 || v > math.MaxUint32 {
				return nil, argError("cake", args, i, "bad memlimit (want e.g. 32mb)")
			}
			memlimit = v
		case "fwmark":
			s, err := next()
			if err != nil {
				return nil, err
			}
			v, err := strconv.ParseUint(s, 0, 32)
			if err != nil {
				return nil, argError("cake", args, i, "bad fwmark mask")
			}
			fwmark = int64(v)
		default:
			return nil, argError("cake", args, i, "unknown cake option")
		}
	}
	var at []*nl.RtAttr
	add := func(t int, b []byte) { at = append(at, nl.NewRtAttr(t, b)) }
	if bandwidthSet {
		add(tcaCakeBaseRate64, u64(bandwidth))
	}
	if diffserv != unset {
		add(tcaCakeDiffservMode, u32(uint32(diffserv)))
	}
	if atm != unset {
		add(tcaCakeATM, u32(uint32(atm)))
	}
	if flowmode != unset {
		add(tcaCakeFlowMode, u32(uint32(flowmode)))
	}
	if overhead != unset {
		add(tcaCakeOverhead, u32(uint32(int32(overhead))))
	}
	if raw {
		add(tcaCakeRaw, u32(0))
	}
	if mpu != unset {
		add(tcaCakeMPU, u32(uint32(mpu)))
	}
	if rtt != 0 {
		add(tcaCakeRTT, u32(uint32(min(rtt, math.MaxUint32))))
		add(tcaCakeTarget, u32(uint32(min(target, math.MaxUint32))))
	}
	if autorate != unset {
		add(tcaCakeAutorate, u32(uint32(autorate)))
	}
	if memlimit != 0 {
		add(tcaCakeMemory, u32(uint32(memlimit)))
	}
	if fwmark != unset {
		add(tcaCakeFwmark, u32(uint32(fwmark)))
	}
	if nat != unset {
		add(tcaCakeNAT, u32(uint32(nat)))
	}
	if wash != unset {
		add(tcaCakeWash, u32(uint32(wash)))
	}
	if gso != unset {
		add(tcaCakeSplitGSO, u32(uint32(gso)))
	}
	if ingress != unset {
		add(tcaCakeIngress, u32(uint32(ingress)))
	}
	if ackf != unset {
		add(tcaCakeAckFilter, u32(uint32(ackf)))
	}
	return nested(at), nil
}

// EncodeFqCodel parses tc-fq_codel arguments (limit, flows, target, interval,
// quantum, ce_threshold, drop_batch, memory_limit, ecn/noecn).
func EncodeFqCodel(args []string) ([]byte, error) {
	type kv struct {
		t int
		v uint32
	}
	var out []kv
	set := map[int]bool{}
	put := func(t int, v uint32) {
		if set[t] {
			for j := range out {
				if out[j].t == t {
					out[j].v = v
				}
			}
			return
		}
		set[t] = true
		out = append(out, kv{t, v})
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "ecn":
			put(tcaFqCodelECN, 1)
			continue
		case "noecn":
			put(tcaFqCodelECN, 0)
			continue
		}
		if i+1 >= len(args) {
			return nil, argError("fq_codel", args, i, "unknown option or missing value")
		}
		val := args[i+1]
		var v uint64
		var err error
		var t int
		switch a {
		case "limit", "flows", "drop_batch":
			t = map[string]int{"limit": tcaFqCodelLimit, "flows": tcaFqCodelFlows, "drop_batch": tcaFqCodelDropBatch}[a]
			v, err = strconv.ParseUint(val, 10, 32)
			if err == nil && v == 0 {
				err = fmt.Errorf("zero")
			}
		case "quantum", "memory_limit":
			t = map[string]int{"quantum": tcaFqCodelQuantum, "memory_limit": tcaFqCodelMemoryLimit}[a]
			v, err = parseSize(val)
		case "target", "interval", "ce_threshold":
			t = map[string]int{"target": tcaFqCodelTarget, "interval": tcaFqCodelInterval, "ce_threshold": tcaFqCodelCEThreshold}[a]
			var d time.Duration
			d, err = parseTime(val)
			v = uint64(d / time.Microsecond)
		default:
			return nil, argError("fq_codel", args, i, "unknown fq_codel option")
		}
		if err != nil || v > math.MaxUint32 {
			return nil, argError("fq_codel", args, i+1, "bad value for "+a)
		}
		put(t, uint32(v))
		i++
	}
	var at []*nl.RtAttr
	for _, o := range out {
		at = append(at, nl.NewRtAttr(o.t, u32(o.v)))
	}
	return nested(at), nil
}

// encodeHTBQdisc builds the htb qdisc options: r2q, default class, and the
// direct queue length so the kernel does not derive it from txqueuelen.
func encodeHTBQdisc(r2q, defcls uint32) []byte {
	glob := make([]byte, 20)
	ne.PutUint32(glob[0:], 3) // HTB protocol version
	if r2q == 0 {
		r2q = 10 // kernel default, stated explicitly so the dump compares equal
	}
	ne.PutUint32(glob[4:], r2q)
	ne.PutUint32(glob[8:], defcls)
	return nested([]*nl.RtAttr{nl.NewRtAttr(tcaHTBInit, glob)})
}

// htbClassParams are the HTB class parameters we set and read back.
type htbClassParams struct {
	Rate, Ceil       uint64 // bytes/s
	Buffer, Cbuffer  uint32 // psched ticks
	Quantum, Prio    uint32
	Level            uint32 // read back only
	RateSet, CeilSet bool
}

func putRateSpec(b []byte, rate uint64) {
	// struct tc_ratespec { u8 cell_log, linklayer; u16 overhead; s16 cell_align; u16 mpu; u32 rate; }
	b[1] = linklayerEthernet
	ne.PutUint32(b[8:], uint32(min(rate, math.MaxUint32)))
}

// htbBuffer is tc's default burst: one timer tick of traffic plus one MTU,
// expressed as transmit time in psched ticks.
func htbBuffer(rateBytes uint64) uint32 {
	if rateBytes == 0 {
		return 0
	}
	size := float64(rateBytes)/netlink.Hz() + 1600
	return netlink.Xmittime(rateBytes, uint32(min(size, math.MaxUint32)))
}

// encodeHTBClass builds the htb class options. Rates are bytes/s. No rate
// tables are sent: the linklayer is set, so the kernel computes rates itself.
func encodeHTBClass(p htbClassParams) []byte {
	opt := make([]byte, nl.SizeofTcHtbCopt)
	putRateSpec(opt[0:12], p.Rate)
	putRateSpec(opt[12:24], p.Ceil)
	ne.PutUint32(opt[24:], p.Buffer)
	ne.PutUint32(opt[28:], p.Cbuffer)
	ne.PutUint32(opt[32:], p.Quantum)
	ne.PutUint32(opt[36:], 0) // level: computed by the kernel
	ne.PutUint32(opt[40:], p.Prio)
	at := []*nl.RtAttr{nl.NewRtAttr(tcaHTBParms, opt)}
	if p.Rate > math.MaxUint32 {
		at = append(at, nl.NewRtAttr(tcaHTBRate64, u64(p.Rate)))
	}
	if p.Ceil > math.MaxUint32 {
		at = append(at, nl.NewRtAttr(tcaHTBCeil64, u64(p.Ceil)))
	}
	return nested(at)
}

func decodeHTBClass(opts []byte) (htbClassParams, error) {
	var p htbClassParams
	attrs, err := nl.ParseRouteAttr(opts)
	if err != nil {
		return p, err
	}
	for _, a := range attrs {
		switch a.Attr.Type {
		case tcaHTBParms:
			if len(a.Value) < nl.SizeofTcHtbCopt {
				return p, fmt.Errorf("short TCA_HTB_PARMS (%d bytes)", len(a.Value))
			}
			v := a.Value
			if !p.RateSet {
				p.Rate = uint64(ne.Uint32(v[8:]))
			}
			if !p.CeilSet {
				p.Ceil = uint64(ne.Uint32(v[20:]))
			}
			p.Buffer, p.Cbuffer = ne.Uint32(v[24:]), ne.Uint32(v[28:])
			p.Quantum, p.Level, p.Prio = ne.Uint32(v[32:]), ne.Uint32(v[36:]), ne.Uint32(v[40:])
		case tcaHTBRate64:
			p.Rate, p.RateSet = ne.Uint64(a.Value), true
		case tcaHTBCeil64:
			p.Ceil, p.CeilSet = ne.Uint64(a.Value), true
		}
	}
	return p, nil
}

// decodeHTBQdisc returns r2q and the default class minor.
func decodeHTBQdisc(opts []byte) (r2q, defcls uint32, err error) {
	attrs, err := nl.ParseRouteAttr(opts)
	if err != nil {
		return 0, 0, err
	}
	for _, a := range attrs {
		if a.Attr.Type == tcaHTBInit && len(a.Value) >= 12 {
			return ne.Uint32(a.Value[4:]), ne.Uint32(a.Value[8:]), nil
		}
	}
	return 0, 0, fmt.Errorf("htb options without TCA_HTB_INIT")
}

// attrsSubset reports whether every attribute in want appears in have with
// identical bytes. The kernel dumps every option; we only send what was asked.
// fixedAtCreate reports whether a leaf with these options cannot be changed
// in place and must be deleted and created again: fq_codel sizes its flow
// table once, and the kernel refuses (EINVAL) any change that carries
// TCA_FQ_CODEL_FLOWS, even with the same value.
func fixedAtCreate(kind string, opts []byte) bool {
	if kind != "fq_codel" {
		return false
	}
	attrs, err := nl.ParseRouteAttr(opts)
	if err != nil {
		return false
	}
	for _, a := range attrs {
		if a.Attr.Type&^unix.NLA_F_NESTED == tcaFqCodelFlows {
			return true
		}
	}
	return false
}

// leafOptionsMatch reports whether the kernel's dump of a leaf (have) holds
// every option of want with the value the kernel keeps for it.
func leafOptionsMatch(kind string, want, have []byte) bool {
	if attrsSubset(want, have) {
		return true // also: want read back from the kernel (CompareLive)
	}
	return kind == "fq_codel" && attrsSubset(fqCodelAsKept(want), have)
}

// fqCodelAsKept rewrites fq_codel's time options (microseconds) as the
// kernel reports them back: it keeps times in units of 1024 ns, so 5ms is
// read back as 4999us.
func fqCodelAsKept(opts []byte) []byte {
	attrs, err := nl.ParseRouteAttr(opts)
	if err != nil {
		return opts
	}
	out := make([]*nl.RtAttr, 0, len(attrs))
	for _, a := range attrs {
		v := a.Value
		switch a.Attr.Type {
		case tcaFqCodelTarget, tcaFqCodelInterval, tcaFqCodelCEThreshold:
			if len(v) == 4 {
				units := uint64(ne.Uint32(v)) * 1000 >> 10
				v = u32(uint32(units << 10 / 1000))
			}
		}
		out = append(out, nl.NewRtAttr(int(a.Attr.Type), v))
	}
	return nested(out)
}

func attrsSubset(want, have []byte) bool {
	wa, err := nl.ParseRouteAttr(want)
	if err != nil {
		return false
	}
	ha, err := nl.ParseRouteAttr(have)
	if err != nil {
		return false
	}
	m := map[uint16][]byte{}
	for _, a := range ha {
		m[a.Attr.Type&^unix.NLA_F_NESTED] = a.Value
	}
	for _, a := range wa {
		hv, ok := m[a.Attr.Type]
		if !ok || string(hv) != string(a.Value) {
			return false
		}
	}
	return true
}

// parseRate reads a tc rate ("10mbit", "1.5gbit", "800kbit", "1000bit",
// "125kbps" = bytes) and returns bits per second.
func parseRate(s string) (uint64, error) {
	units := []struct {
		suf string
		mul float64
	}{
		{"tbit", 1e12}, {"gbit", 1e9}, {"mbit", 1e6}, {"kbit", 1e3}, {"bit", 1},
		{"tbps", 8e12}, {"gbps", 8e9}, {"mbps", 8e6}, {"kbps", 8e3}, {"bps", 8},
	}
	ls := strings.ToLower(s)
	for _, u := range units {
		if num, ok := strings.CutSuffix(ls, u.suf); ok {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f < 0 || math.IsNaN(f) || f*u.mul > math.MaxUint64/2 {
				return 0, fmt.Errorf("bad rate %q", s)
			}
			return uint64(f * u.mul), nil
		}
	}
	f, err := strconv.ParseFloat(ls, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad rate %q (want e.g. 10mbit)", s)
	}
	return uint64(f * 8), nil // bare number: bytes per second, as tc reads it
}

// parseSize reads a tc size ("1500", "32kb", "4mb", "1gb", "64k") in bytes.
func parseSize(s string) (uint64, error) {
	ls := strings.ToLower(s)
	mul := 1.0
	for _, u := range []struct {
		suf string
		m   float64
	}{{"gbit", 1 << 30 / 8}, {"mbit", 1 << 20 / 8}, {"kbit", 1 << 10 / 8}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if num, ok := strings.CutSuffix(ls, u.suf); ok {
			ls, mul = num, u.m
			break
		}
	}
	f, err := strconv.ParseFloat(ls, 64)
	if err != nil || f < 0 || f*mul > math.MaxUint64/2 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return uint64(f * mul), nil
}

// parseTime reads a tc time ("100ms", "5us", "1s", bare number = microseconds).
func parseTime(s string) (time.Duration, error) {
	ls := strings.ToLower(s)
	for _, u := range []struct {
		suf string
		d   float64
	}{{"usecs", 1e3}, {"usec", 1e3}, {"us", 1e3}, {"msecs", 1e6}, {"msec", 1e6}, {"ms", 1e6}, {"secs", 1e9}, {"sec", 1e9}, {"s", 1e9}} {
		if num, ok := strings.CutSuffix(ls, u.suf); ok {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f < 0 || f*u.d > math.MaxInt64/2 {
				return 0, fmt.Errorf("bad time %q", s)
			}
			return time.Duration(f * u.d), nil
		}
	}
	f, err := strconv.ParseFloat(ls, 64)
	if err != nil || f < 0 || f > 1e12 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return time.Duration(f * 1e3), nil
}

package tc

import (
	"fmt"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// CAKE's statistics attributes (TCA_STATS_APP of a cake qdisc), numbered as
// in include/uapi/linux/pkt_sched.h.
const (
	tcaCakeStatsCapacityEstimate64 = 2
	tcaCakeStatsMemoryLimit        = 3
	tcaCakeStatsMemoryUsed         = 4
	tcaCakeStatsAvgNetoff          = 5
	tcaCakeStatsMinNetlen          = 6
	tcaCakeStatsMaxNetlen          = 7
	tcaCakeStatsMinAdjlen          = 8
	tcaCakeStatsMaxAdjlen          = 9
	tcaCakeStatsTinStats           = 10

	tcaCakeTinStatsSentPackets       = 2
	tcaCakeTinStatsSentBytes64       = 3
	tcaCakeTinStatsDroppedPackets    = 4
	tcaCakeTinStatsDroppedBytes64    = 5
	tcaCakeTinStatsAcksDroppedPkts   = 6
	tcaCakeTinStatsAcksDroppedBytes  = 7
	tcaCakeTinStatsECNMarkedPackets  = 8
	tcaCakeTinStatsECNMarkedBytes64  = 9
	tcaCakeTinStatsBacklogBytes      = 11
	tcaCakeTinStatsThresholdRate64   = 12
	tcaCakeTinStatsTargetUs          = 13
	tcaCakeTinStatsIntervalUs        = 14
	tcaCakeTinStatsWayIndirectHits   = 15
	tcaCakeTinStatsWayMisses         = 16
	tcaCakeTinStatsWayCollisions     = 17
	tcaCakeTinStatsPeakDelayUs       = 18
	tcaCakeTinStatsAvgDelayUs        = 19
	tcaCakeTinStatsBaseDelayUs       = 20
	tcaCakeTinStatsSparseFlows       = 21
	tcaCakeTinStatsBulkFlows         = 22
	tcaCakeTinStatsUnresponsiveFlows = 23
	tcaCakeTinStatsMaxSkblen         = 24
	tcaCakeTinStatsFlowQuantum       = 25
)

// CakeStats are a cake qdisc's own statistics, as `tc -s qdisc show` prints them.
type CakeStats struct {
	CapacityEstimateBps uint64 `json:"capacity_estimate_bps"` // bytes/s from the kernel, in bits/s
	MemoryLimit         uint32 `json:"memory_limit"`
	MemoryUsed          uint32 `json:"memory_used"`
	AvgNetworkOffset    uint32 `json:"avg_network_offset"`
	MinNetworkLen       uint32 `json:"min_network_len"`
	MaxNetworkLen       uint32 `json:"max_network_len"`
	MinAdjustedLen      uint32 `json:"min_adjusted_len"`
	MaxAdjustedLen      uint32 `json:"max_adjusted_len"`
	// Tins in the kernel's order: one for besteffort, 3, 4 or 8 for the
	// diffserv modes (diffserv4: bulk, best effort, video, voice).
	Tins []CakeTinStats `json:"tins"`
}

// CakeTinStats are the counters of one CAKE tin. Delays are microseconds.
type CakeTinStats struct {
	SentPackets       uint32 `json:"sent_packets"`
	SentBytes         uint64 `json:"sent_bytes"`
	DroppedPackets    uint32 `json:"dropped_packets"`
	DroppedBytes      uint64 `json:"dropped_bytes"`
	AckDropPackets    uint32 `json:"ack_drop_packets"`
	AckDropBytes      uint64 `json:"ack_drop_bytes"`
	ECNMarkedPackets  uint32 `json:"ecn_marked_packets"`
	ECNMarkedBytes    uint64 `json:"ecn_marked_bytes"`
	BacklogBytes      uint32 `json:"backlog_bytes"`
	ThresholdRateBps  uint64 `json:"threshold_rate_bps"` // bytes/s from the kernel, in bits/s
	TargetUs          uint32 `json:"target_us"`
	IntervalUs        uint32 `json:"interval_us"`
	WayIndirectHits   uint32 `json:"way_indirect_hits"`
	WayMisses         uint32 `json:"way_misses"`
	WayCollisions     uint32 `json:"way_collisions"`
	PeakDelayUs       uint32 `json:"peak_delay_us"`
	AvgDelayUs        uint32 `json:"avg_delay_us"`
	BaseDelayUs       uint32 `json:"base_delay_us"`
	SparseFlows       uint32 `json:"sparse_flows"`
	BulkFlows         uint32 `json:"bulk_flows"`
	UnresponsiveFlows uint32 `json:"unresponsive_flows"`
	MaxSkbLen         uint32 `json:"max_skb_len"`
	FlowQuantum       uint32 `json:"flow_quantum"`
}

// DecodeCakeStats decodes the TCA_STATS_APP payload of a cake qdisc.
// Attributes it does not know (newer kernels) are ignored; a known attribute
// of the wrong size is an error, so a layout change cannot go unnoticed.
func DecodeCakeStats(b []byte) (*CakeStats, error) {
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return nil, fmt.Errorf("cake stats: %w", err)
	}
	s := &CakeStats{}
	u32s := map[uint16]*uint32{
		tcaCakeStatsMemoryLimit: &s.MemoryLimit, tcaCakeStatsMemoryUsed: &s.MemoryUsed,
		tcaCakeStatsAvgNetoff: &s.AvgNetworkOffset, tcaCakeStatsMinNetlen: &s.MinNetworkLen,
		tcaCakeStatsMaxNetlen: &s.MaxNetworkLen, tcaCakeStatsMinAdjlen: &s.MinAdjustedLen,
		tcaCakeStatsMaxAdjlen: &s.MaxAdjustedLen,
	}
	for _, a := range attrs {
		typ := a.Attr.Type &^ unix.NLA_F_NESTED
		switch {
		case typ == tcaCakeStatsCapacityEstimate64:
			v, err := attrU64("cake stats capacity_estimate", a.Value)
			if err != nil {
				return nil, err
			}
			s.CapacityEstimateBps = v * 8
		case u32s[typ] != nil:
			v, err := attrU32(fmt.Sprintf("cake stats attribute %d", typ), a.Value)
			if err != nil {
				return nil, err
			}
			*u32s[typ] = v
		case typ == tcaCakeStatsTinStats:
			tins, err := nl.ParseRouteAttr(a.Value)
			if err != nil {
				return nil, fmt.Errorf("cake tin stats: %w", err)
			}
			for i, tin := range tins {
				// Tin i is nested under type i+1.
				if int(tin.Attr.Type&^unix.NLA_F_NESTED) != i+1 {
					return nil, fmt.Errorf("cake tin stats: tin %d has attribute type %d, want %d", i, tin.Attr.Type, i+1)
				}
				ts, err := decodeCakeTin(tin.Value)
				if err != nil {
					return nil, fmt.Errorf("cake tin %d: %w", i, err)
				}
				s.Tins = append(s.Tins, ts)
			}
		}
	}
	return s, nil
}

func decodeCakeTin(b []byte) (CakeTinStats, error) {
	var t CakeTinStats
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return t, err
	}
	u32s := map[uint16]*uint32{
		tcaCakeTinStatsSentPackets: &t.SentPackets, tcaCakeTinStatsDroppedPackets: &t.DroppedPackets,
		tcaCakeTinStatsAcksDroppedPkts: &t.AckDropPackets, tcaCakeTinStatsECNMarkedPackets: &t.ECNMarkedPackets,
		tcaCakeTinStatsBacklogBytes: &t.BacklogBytes,
		tcaCakeTinStatsTargetUs:     &t.TargetUs, tcaCakeTinStatsIntervalUs: &t.IntervalUs,
		tcaCakeTinStatsWayIndirectHits: &t.WayIndirectHits, tcaCakeTinStatsWayMisses: &t.WayMisses,
		tcaCakeTinStatsWayCollisions: &t.WayCollisions, tcaCakeTinStatsPeakDelayUs: &t.PeakDelayUs,
		tcaCakeTinStatsAvgDelayUs: &t.AvgDelayUs, tcaCakeTinStatsBaseDelayUs: &t.BaseDelayUs,
		tcaCakeTinStatsSparseFlows: &t.SparseFlows, tcaCakeTinStatsBulkFlows: &t.BulkFlows,
		tcaCakeTinStatsUnresponsiveFlows: &t.UnresponsiveFlows, tcaCakeTinStatsMaxSkblen: &t.MaxSkbLen,
		tcaCakeTinStatsFlowQuantum: &t.FlowQuantum,
	}
	u64s := map[uint16]*uint64{
		tcaCakeTinStatsSentBytes64: &t.SentBytes, tcaCakeTinStatsDroppedBytes64: &t.DroppedBytes,
		tcaCakeTinStatsAcksDroppedBytes: &t.AckDropBytes, tcaCakeTinStatsECNMarkedBytes64: &t.ECNMarkedBytes,
		tcaCakeTinStatsThresholdRate64: &t.ThresholdRateBps,
	}
	for _, a := range attrs {
		typ := a.Attr.Type
		name := fmt.Sprintf("attribute %d", typ)
		switch {
		case u32s[typ] != nil:
			if *u32s[typ], err = attrU32(name, a.Value); err != nil {
				return t, err
			}
		case u64s[typ] != nil:
			if *u64s[typ], err = attrU64(name, a.Value); err != nil {
				return t, err
			}
		}
	}
	t.ThresholdRateBps *= 8
	return t, nil
}

func attrU32(name string, v []byte) (uint32, error) {
	if len(v) != 4 {
		return 0, fmt.Errorf("%s: %d bytes, want 4", name, len(v))
	}
	return ne.Uint32(v), nil
}

func attrU64(name string, v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("%s: %d bytes, want 8", name, len(v))
	}
	return ne.Uint64(v), nil
}

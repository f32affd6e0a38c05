package datapath

import (
	"net/netip"
	"time"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// MappingStore is the mapping half of the data path. *Datapath implements it
// against the kernel; MemStore implements it in memory so control-plane code
// can be tested without root.
type MappingStore interface {
	// Add inserts or replaces one prefix and makes it effective at once.
	Add(prefix netip.Prefix, m Mapping) error
	// Delete removes one prefix (a missing prefix is not an error).
	Delete(prefix netip.Prefix) error
	// List returns every mapping, sorted by prefix.
	List() ([]Entry, error)
	// Clear removes every mapping.
	Clear() error
	// BatchUpdate inserts or replaces many prefixes in one go.
	BatchUpdate(entries []Entry) error
	// BatchDelete removes many prefixes in one go (missing ones are skipped).
	BatchDelete(prefixes []netip.Prefix) error
}

// Telemetry is the read side of the data path.
type Telemetry interface {
	HostCounters() ([]HostCounters, error)
	Flows() ([]Flow, error)
}

// HostCounters is one address's traffic summed over all CPUs. Bytes are L2
// frame lengths as seen by XDP on ingress.
type HostCounters struct {
	Addr        netip.Addr
	Bytes       [2]uint64 // [Download, Upload]
	Packets     [2]uint64
	LastSeen    time.Time
	CircuitHash uint64
}

// FlowKey identifies a flow; Local is always the subscriber side.
type FlowKey struct {
	Remote     netip.Addr
	Local      netip.Addr
	RemotePort uint16 // ICMP: type
	LocalPort  uint16 // ICMP: code
	Proto      uint8
}

// FlowEnd says how a TCP flow ended, as last seen.
type FlowEnd uint8

const (
	FlowAlive FlowEnd = 0
	FlowFIN   FlowEnd = 1
	FlowRST   FlowEnd = 2
)

// RTTStats summarises TCP timestamp RTT samples for one direction. The index
// is the direction of the timed segment: Download samples measure
// shaper -> subscriber -> shaper, Upload samples shaper -> Internet -> shaper.
type RTTStats struct {
	Last  time.Duration
	Min   time.Duration
	Sum   time.Duration
	Count uint32
}

// Mean is Sum/Count, or 0 without samples.
func (r RTTStats) Mean() time.Duration {
	if r.Count == 0 {
		return 0
	}
	return r.Sum / time.Duration(r.Count)
}

// Flow is one tracked conversation.
type Flow struct {
	Key         FlowKey
	Start       time.Time
	LastSeen    time.Time
	Bytes       [2]uint64 // [Download, Upload]
	Packets     [2]uint64
	Retransmits [2]uint32
	RTT         [2]RTTStats
	ClassID     tchandle.Handle
	End         FlowEnd
}

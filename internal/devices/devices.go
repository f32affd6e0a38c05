// Package devices reads ShapedDevices.csv: one row per subscriber device,
// rows sharing a Circuit ID forming one circuit (the unit that gets an HTB class).
package devices

import (
	"net/netip"
	"strings"
)

// Device is one row of ShapedDevices.csv.
type Device struct {
	ID      string
	Name    string
	MAC     string
	Comment string
	IPv4    []netip.Prefix // hosts are /32
	IPv6    []netip.Prefix // hosts are /128
	Line    int            // line in the file, for messages
}

// Prefixes returns the device's IPv4 then IPv6 prefixes.
func (d *Device) Prefixes() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(d.IPv4)+len(d.IPv6))
	out = append(out, d.IPv4...)
	return append(out, d.IPv6...)
}

// Circuit is a subscriber: one or more devices shaped together.
type Circuit struct {
	ID           string
	Name         string
	ParentNode   string // network.json node name; "" = unparented
	ParentNodeID string // network.json node id; preferred when it resolves
	AnchorNodeID string // topology runtime hint, carried through
	// Rates in Mbps: min is the HTB rate (guarantee), max the ceil.
	DownloadMin float64
	UploadMin   float64
	DownloadMax float64
	UploadMax   float64
	SQM         SQM
	Devices     []*Device
	Line        int // line of the circuit's first row
}

// Prefixes returns every prefix of every device of the circuit.
func (c *Circuit) Prefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, d := range c.Devices {
		out = append(out, d.Prefixes()...)
	}
	return out
}

// SQM is a per-circuit leaf qdisc override. Empty fields mean "use the default
// rules" for that direction.
type SQM struct {
	Down string // "", "cake", "fq_codel" or "none"
	Up   string
}

// IsZero reports whether there is no override at all.
func (s SQM) IsZero() bool { return s.Down == "" && s.Up == "" }

// String renders the token as it is written in the CSV.
func (s SQM) String() string {
	if s.Down == s.Up {
		return s.Down
	}
	return s.Down + "/" + s.Up
}

var sqmKinds = map[string]bool{"": true, "cake": true, "fq_codel": true, "none": true}

// ParseSQM reads an sqm cell: "cake", "fq_codel", "none" or "down/up" where each
// side is one of those or empty. Case and spaces around the slash do not matter.
func ParseSQM(s string) (SQM, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return SQM{}, true
	}
	if down, up, ok := strings.Cut(s, "/"); ok {
		down, up = strings.TrimSpace(down), strings.TrimSpace(up)
		if strings.Contains(up, "/") || !sqmKinds[down] || !sqmKinds[up] {
			return SQM{}, false
		}
		return SQM{Down: down, Up: up}, true
	}
	if !sqmKinds[s] {
		return SQM{}, false
	}
	return SQM{Down: s, Up: s}, true
}

// File is a parsed ShapedDevices.csv.
type File struct {
	Path     string
	Circuits []*Circuit // in file order
	// HasSQMColumn is true when the header names an sqm column.
	HasSQMColumn bool
	// HasIDColumns is true when the header has Parent Node ID / Anchor Node ID.
	HasIDColumns bool
}

// DeviceCount counts devices over all circuits.
func (f *File) DeviceCount() int {
	n := 0
	for _, c := range f.Circuits {
		n += len(c.Devices)
	}
	return n
}

// Circuit finds a circuit by ID.
func (f *File) Circuit(id string) *Circuit {
	for _, c := range f.Circuits {
		if c.ID == id {
			return c
		}
	}
	return nil
}

package radius

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/topology"
)

// IDPrefix starts the circuit and device IDs of dynamic circuits, so they
// never collide with ShapedDevices.csv and keep their identity (and with it
// their HTB class) from one session to the next.
const IDPrefix = "radius:"

// Outcome is what one overlay did with each session.
type Outcome struct {
	Applied []Applied
	Pending []Pending
	// Duplicates are identities that match more than one row or session;
	// each deserves an urgent warning.
	Duplicates []string
}

// Applied is a session that is shaped.
type Applied struct {
	Session   string // Session.Key
	CircuitID string
	// Attached: the session's addresses were added to a ShapedDevices
	// circuit (matched by MAC or username); else it is a circuit of its own.
	Attached bool
}

// Pending is a session that is not shaped, and why.
type Pending struct {
	Session string
	Reason  string
}

// Warnings lists the pending sessions as report lines.
func (o Outcome) Warnings() []string {
	out := make([]string, 0, len(o.Pending))
	for _, p := range o.Pending {
		out = append(out, fmt.Sprintf("RADIUS session %s is not shaped: %s", p.Session, p.Reason))
	}
	return out
}

type rowRef struct {
	c *devices.Circuit
	d *devices.Device
}

func (r rowRef) String() string {
	return fmt.Sprintf("ShapedDevices.csv:%d (circuit %q, device %q)", r.d.Line, r.c.ID, r.d.ID)
}

// Overlay adds the sessions to validated inputs: a session whose identity
// matches one ShapedDevices row (User-Name equal to the row's MAC cell, or
// the normalised Calling-Station-Id equal to the row's MAC) adds its
// addresses to that row's circuit; any other session becomes a circuit of
// its own under the fallback parent. Rates: the packet's rate attributes,
// else the matched row's, else the fallback profile. A session is left
// pending (and named in the outcome) rather than shaped wrongly: an
// identity that matches two rows, an address that another circuit or
// session already has, no address, no rates, or a fallback parent that is
// not in network.json.
func Overlay(sessions []Session, in *inputs.Inputs, rc config.RadiusAccounting) Outcome {
	app := rc.DynamicCircuitApplication
	var out Outcome
	byRaw := map[string][]rowRef{}
	byMAC := map[string][]rowRef{}
	taken := map[netip.Prefix]string{} // every static prefix -> circuit ID
	for _, c := range in.Devices.Circuits {
		for _, d := range c.Devices {
			if d.MAC != "" {
				byRaw[d.MAC] = append(byRaw[d.MAC], rowRef{c, d})
				if m := NormalizeMAC(d.MAC); m != "" {
					byMAC[m] = append(byMAC[m], rowRef{c, d})
				}
			}
			for _, p := range d.Prefixes() {
				taken[p.Masked()] = c.ID
			}
		}
	}
	parentOK, parentWhy := fallbackParentOK(in.Network, app)
	// Older sessions keep an identity or address a newer one also claims.
	ordered := append([]Session(nil), sessions...)
	sort.SliceStable(ordered, func(i, j int) bool {
		if !ordered[i].Started.Equal(ordered[j].Started) {
			return ordered[i].Started.Before(ordered[j].Started)
		}
		return ordered[i].Key < ordered[j].Key
	})
	ownCircuits := map[string]*devices.Circuit{}
	ownerOf := map[string]string{} // dynamic circuit ID -> session key
	pending := func(s Session, format string, args ...any) {
		out.Pending = append(out.Pending, Pending{Session: s.Key, Reason: fmt.Sprintf(format, args...)})
	}
	for _, s := range ordered {
		if len(s.Addrs) == 0 {
			pending(s, "no Framed-IP-Address or IPv6 prefix yet")
			continue
		}
		var match []rowRef
		how := ""
		if app.MatchShapedDevicesByUsername && s.Username != "" {
			match, how = byRaw[s.Username], "User-Name "+s.Username
		}
		if len(match) == 0 && app.MatchShapedDevicesByMAC && s.MAC != "" {
			match, how = byMAC[s.MAC], "Calling-Station-Id "+s.MAC
		}
		if len(match) > 1 {
			rows := make([]string, len(match))
			for i, m := range match {
				rows[i] = m.String()
			}
			msg := fmt.Sprintf("%s matches %d rows: %s", how, len(match), strings.Join(rows, " and "))
			pending(s, "%s", msg)
			out.Duplicates = append(out.Duplicates, fmt.Sprintf("RADIUS session %s: %s", s.Key, msg))
			continue
		}
		var target *devices.Circuit
		attached := len(match) == 1
		if attached {
			target = match[0].c
		} else {
			id := IDPrefix + identity(s)
			if owner, ok := ownerOf[id]; ok {
				msg := fmt.Sprintf("identity %q is already used by session %s", identity(s), owner)
				pending(s, "%s", msg)
				out.Duplicates = append(out.Duplicates, fmt.Sprintf("RADIUS session %s: %s", s.Key, msg))
				continue
			}
			if !parentOK {
				pending(s, "%s", parentWhy)
				continue
			}
			target = &devices.Circuit{ID: id, Name: displayName(s), ParentNode: app.FallbackParentNode,
				ParentNodeID: app.FallbackParentNodeID, AnchorNodeID: app.FallbackAnchorNodeID}
		}
		if clash := firstClash(s.Addrs, taken, target.ID); clash != "" {
			pending(s, "%s", clash)
			continue
		}
		if !attached {
			if !setRates(target, s.Rates, rc.FallbackSpeedProfile) {
				pending(s, "no rate attributes in its accounting packets, no matching ShapedDevices row and no [radius_accounting.fallback_speed_profile]")
				continue
			}
			ownerOf[target.ID] = s.Key
			ownCircuits[target.ID] = target
			in.Devices.Circuits = append(in.Devices.Circuits, target)
		} else if s.Rates != nil {
			// The NAS's plan wins over the row's (it is what the
			// subscriber bought at this moment).
			target.DownloadMax, target.UploadMax = s.Rates.DownloadMbps, s.Rates.UploadMbps
			target.DownloadMin, target.UploadMin = min(target.DownloadMin, target.DownloadMax), min(target.UploadMin, target.UploadMax)
		}
		dev := &devices.Device{ID: IDPrefix + s.Key, Name: displayName(s), MAC: s.MAC}
		for _, p := range s.Addrs {
			if p.Addr().Is4() {
				dev.IPv4 = append(dev.IPv4, p)
			} else {
				dev.IPv6 = append(dev.IPv6, p)
			}
			taken[p.Masked()] = target.ID
		}
		target.Devices = append(target.Devices, dev)
		out.Applied = append(out.Applied, Applied{Session: s.Key, CircuitID: target.ID, Attached: attached})
	}
	return out
}

// identity names a session's own circuit: the username, else the MAC, else
// the session itself.
func identity(s Session) string {
	switch {
	case s.Username != "":
		return s.Username
	case s.MAC != "":
		return s.MAC
	}
	return s.Key
}

func displayName(s Session) string {
	if s.Username != "" {
		return s.Username
	}
	return identity(s)
}

// firstClash names the first address that a circuit other than owner
// already covers (the same prefix, or one containing it).
func firstClash(addrs []netip.Prefix, taken map[netip.Prefix]string, owner string) string {
	for _, a := range addrs {
		for bits := a.Bits(); bits >= 0; bits-- {
			p, _ := a.Addr().Prefix(bits)
			if c, ok := taken[p]; ok && c != owner {
				return fmt.Sprintf("address %s is already shaped in circuit %q", a, c)
			}
		}
	}
	return ""
}

// setRates gives a session's own circuit its plan: the packet's rates (as
// ceiling; the fallback profile's minimums as guarantee when there is one,
// else the ceiling), else the fallback profile.
func setRates(c *devices.Circuit, r *Rates, fb *config.RadiusFallbackProfile) bool {
	switch {
	case r != nil:
		c.DownloadMax, c.UploadMax = r.DownloadMbps, r.UploadMbps
		c.DownloadMin, c.UploadMin = c.DownloadMax, c.UploadMax
		if fb != nil {
			c.DownloadMin, c.UploadMin = min(fb.DownloadMinMbps, c.DownloadMax), min(fb.UploadMinMbps, c.UploadMax)
		}
	case fb != nil:
		c.DownloadMin, c.UploadMin, c.DownloadMax, c.UploadMax = fb.DownloadMinMbps, fb.UploadMinMbps, fb.DownloadMaxMbps, fb.UploadMaxMbps
	default:
		return false
	}
	// The planner refuses rates under 0.1 Mbps.
	c.DownloadMin, c.UploadMin = max(c.DownloadMin, 0.1), max(c.UploadMin, 0.1)
	c.DownloadMax, c.UploadMax = max(c.DownloadMax, c.DownloadMin), max(c.UploadMax, c.UploadMin)
	return true
}

// fallbackParentOK checks that circuits of unmatched sessions have a
// parent to hang from: none named means the generated parent nodes.
func fallbackParentOK(nw *topology.Network, app config.RadiusApplication) (bool, string) {
	if app.FallbackParentNode == "" && app.FallbackParentNodeID == "" || nw == nil || nw.Flat() {
		return true, ""
	}
	if topology.NewResolver(nw).Resolve(app.FallbackParentNodeID, app.FallbackParentNode) != nil {
		return true, ""
	}
	return false, fmt.Sprintf("fallback_parent_node %q is not in network.json", app.FallbackParentNode)
}

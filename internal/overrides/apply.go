package overrides

import (
	"fmt"
	"net/netip"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/topology"
)

// Apply changes sd and nw in place. Entries whose target does not exist are
// reported as warnings (the integration may simply not have that customer
// today); results that no longer make sense (min above max) are errors.
func (f *File) Apply(sd *devices.File, nw *topology.Network) diag.List {
	var l diag.List
	const file = FileName
	f.applyPersistent(sd, &l)
	for i, a := range f.CircuitAdjustments {
		applyAdjustment(fmt.Sprintf("circuit_adjustments[%d]", i), a, sd, nw, &l)
	}
	for i, a := range f.NetworkAdjustments {
		applyAdjustment(fmt.Sprintf("network_adjustments[%d]", i), a, sd, nw, &l)
	}
	for _, c := range sd.Circuits {
		if c.DownloadMin > c.DownloadMax {
			l.Errorf(file, 0, "circuit "+c.ID, "after overrides download min %v exceeds download max %v", c.DownloadMin, c.DownloadMax)
		}
		if c.UploadMin > c.UploadMax {
			l.Errorf(file, 0, "circuit "+c.ID, "after overrides upload min %v exceeds upload max %v", c.UploadMin, c.UploadMax)
		}
	}
	return l
}

func (f *File) applyPersistent(sd *devices.File, l *diag.List) {
	for i, pd := range f.PersistentDevices {
		field := fmt.Sprintf("persistent_devices[%d]", i)
		removeDevice(sd, pd.DeviceID)
		dev := &devices.Device{ID: pd.DeviceID, Name: pd.DeviceName, MAC: pd.MAC, Comment: pd.Comment}
		for _, e := range pd.IPv4 {
			if p, err := e.ToPrefix(); err == nil && p.Addr().Is4() {
				dev.IPv4 = append(dev.IPv4, p)
			}
		}
		for _, e := range pd.IPv6 {
			if p, err := e.ToPrefix(); err == nil && p.Addr().Is6() {
				dev.IPv6 = append(dev.IPv6, p)
			}
		}
		if clash := findOwner(sd, dev.Prefixes(), pd.CircuitID); clash != "" {
			l.Errorf(FileName, 0, field, "device %q: %s", pd.DeviceID, clash)
			continue
		}
		c := sd.Circuit(pd.CircuitID)
		if c == nil {
			sqm, _ := devices.ParseSQM(pd.SQMOverride)
			c = &devices.Circuit{
				ID: pd.CircuitID, Name: pd.CircuitName, ParentNode: pd.ParentNode,
				ParentNodeID: pd.ParentNodeID, AnchorNodeID: pd.AnchorNodeID,
				DownloadMin: pd.DownloadMinMbps, UploadMin: pd.UploadMinMbps,
				DownloadMax: pd.DownloadMaxMbps, UploadMax: pd.UploadMaxMbps, SQM: sqm,
			}
			sd.Circuits = append(sd.Circuits, c)
		} else if c.ParentNode != pd.ParentNode || c.DownloadMax != pd.DownloadMaxMbps || c.UploadMax != pd.UploadMaxMbps {
			l.Warnf(FileName, 0, field, "device %q joins existing circuit %q, whose parent and rates are kept", pd.DeviceID, pd.CircuitID)
		}
		c.Devices = append(c.Devices, dev)
	}
}

// findOwner reports an address of ps already used by another circuit.
func findOwner(sd *devices.File, ps []netip.Prefix, circuitID string) string {
	for _, c := range sd.Circuits {
		if c.ID == circuitID {
			continue
		}
		for _, have := range c.Prefixes() {
			for _, p := range ps {
				if have.Overlaps(p) {
					return fmt.Sprintf("%s overlaps %s of circuit %q", p, have, c.ID)
				}
			}
		}
	}
	return ""
}

func removeDevice(sd *devices.File, deviceID string) bool {
	for ci, c := range sd.Circuits {
		for di, d := range c.Devices {
			if d.ID != deviceID {
				continue
			}
			c.Devices = append(c.Devices[:di], c.Devices[di+1:]...)
			if len(c.Devices) == 0 {
				sd.Circuits = append(sd.Circuits[:ci], sd.Circuits[ci+1:]...)
			}
			return true
		}
	}
	return false
}

func circuitOfDevice(sd *devices.File, deviceID string) *devices.Circuit {
	for _, c := range sd.Circuits {
		for _, d := range c.Devices {
			if d.ID == deviceID {
				return c
			}
		}
	}
	return nil
}

func setRates(c *devices.Circuit, a Adjustment) {
	set := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.DownloadMin, a.MinDownload)
	set(&c.DownloadMax, a.MaxDownload)
	set(&c.UploadMin, a.MinUpload)
	set(&c.UploadMax, a.MaxUpload)
}

func applyAdjustment(field string, a Adjustment, sd *devices.File, nw *topology.Network, l *diag.List) {
	missing := func(what, id string) {
		l.Warnf(FileName, 0, field, "%s %q not found; %s skipped", what, id, a.Type)
	}
	switch a.Type {
	case CircuitAdjustSpeed:
		if c := sd.Circuit(a.CircuitID); c != nil {
			setRates(c, a)
		} else {
			missing("circuit", a.CircuitID)
		}
	case DeviceAdjustSpeed:
		// Rates belong to circuits; a device's adjustment applies to its circuit.
		if c := circuitOfDevice(sd, a.DeviceID); c != nil {
			setRates(c, a)
		} else {
			missing("device", a.DeviceID)
		}
	case DeviceAdjustSQM:
		c := circuitOfDevice(sd, a.DeviceID)
		if c == nil {
			missing("device", a.DeviceID)
			return
		}
		if a.SQMOverride == nil {
			c.SQM = devices.SQM{}
		} else if s, ok := devices.ParseSQM(*a.SQMOverride); ok {
			c.SQM = s
		}
	case RemoveCircuit:
		for i, c := range sd.Circuits {
			if c.ID == a.CircuitID {
				sd.Circuits = append(sd.Circuits[:i], sd.Circuits[i+1:]...)
				return
			}
		}
		missing("circuit", a.CircuitID)
	case RemoveDevice:
		if !removeDevice(sd, a.DeviceID) {
			missing("device", a.DeviceID)
		}
	case ReparentCircuit:
		if c := sd.Circuit(a.CircuitID); c != nil {
			c.ParentNode, c.ParentNodeID = a.ParentNode, ""
		} else {
			missing("circuit", a.CircuitID)
		}
	case AdjustSiteSpeed:
		n := findNode(nw, a.NodeID, a.SiteName)
		if n == nil {
			missing("node", a.NodeID+a.SiteName)
			return
		}
		if a.DownloadMbps != nil {
			n.DownloadMbps = *a.DownloadMbps
		}
		if a.UploadMbps != nil {
			n.UploadMbps = *a.UploadMbps
		}
	case SetNodeVirtual:
		n := nw.Find(a.NodeName)
		if n == nil {
			missing("node", a.NodeName)
			return
		}
		n.Virtual = *a.Virtual
		if !n.Virtual && n.IsVirtual() {
			n.Type = "" // clearing the flag must also clear type "virtual"
		}
	}
}

func findNode(nw *topology.Network, id, name string) *topology.Node {
	var found *topology.Node
	nw.Walk(func(n *topology.Node) bool {
		if found == nil && ((id != "" && n.ID == id) || (id == "" && n.Name == name)) {
			found = n
		}
		return found == nil
	})
	if found == nil && id != "" && name != "" {
		return nw.Find(name)
	}
	return found
}

package uisp

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// capacity is a device's usable radio capacity in Mbps (default generated_pn).
func (st settings) capacity(dv *device) (float64, float64) {
	down, up := st.defDown, st.defUp
	ov := dv.Overview
	if ov == nil {
		return st.transportCap(dv, down, up)
	}
	typ := strings.ToLower(dv.Identification.Type.String())
	role := strings.ToLower(dv.Identification.Role.String())
	mode := strings.ToLower(ov.WirelessMode.String())
	model := strings.ToUpper(dv.Identification.Model.String())
	ratio, haveRatio := st.dlRatio(dv)
	if typ == "airmax" && role == "ap" && mode == "ap-ptmp" && (haveRatio || ov.TheoreticalTotalCapacity.V > 0) {
		total := ov.TotalCapacity.V / 1e6
		if total <= 0 {
			total = math.Max(ov.DownlinkCapacity.V, ov.UplinkCapacity.V) / 1e6
		}
		total *= st.airmax
		if !haveRatio {
			ratio = st.airmaxRatio
		}
		if total > 0 {
			down, up = math.Round(total*ratio), math.Round(total*(1-ratio))
		}
	} else {
		d, u := math.Floor(ov.DownlinkCapacity.V/1e6), math.Floor(ov.UplinkCapacity.V/1e6)
		mult := 1.0
		if strings.Contains(model, "5AC") {
			mult = st.airmax
		} else if strings.Contains(model, "LTU") {
			mult = st.ltu
		}
		if d > 0 {
			down = math.Round(d * mult)
		}
		if u > 0 {
			up = math.Round(u * mult)
		}
	}
	if down <= 0 {
		down = st.defDown
	}
	if up <= 0 {
		up = st.defUp
	}
	return st.transportCap(dv, down, up)
}

// dlRatio is the download share of the active wireless interface (percentages allowed).
func (st settings) dlRatio(dv *device) (float64, bool) {
	active := map[string]bool{}
	if dv.Overview != nil {
		for _, n := range dv.Overview.WirelessActiveInterfaces {
			active[n] = true
		}
	}
	for _, ifc := range dv.Interfaces {
		if ifc.Wireless == nil || !ifc.Wireless.DlRatio.Set || ifc.Wireless.DlRatio.V <= 0 {
			continue
		}
		if len(active) > 0 && !active[ifc.Identification.Name.String()] {
			continue
		}
		r := ifc.Wireless.DlRatio.V
		if r >= 1 {
			r /= 100
		}
		if r > 0 && r < 1 {
			return r, true
		}
	}
	return 0, false
}

// transportCap lowers infrastructure capacity to what its fastest wired port carries.
func (st settings) transportCap(dv *device, down, up float64) (float64, float64) {
	if !st.transportCaps {
		return down, up
	}
	speed := 0.0
	for _, ifc := range dv.Interfaces {
		if isWired(ifc) {
			if s := negotiated(ifc); s > speed {
				speed = s
			}
		}
	}
	if speed == 0 {
		m := strings.ToUpper(strings.ReplaceAll(dv.Identification.Model.String(), "-", ""))
		if strings.Contains(m, "AF60LR") {
			speed = 1000
		}
	}
	if speed == 0 {
		return down, up
	}
	c := math.Round(speed * st.portMultiplier)
	return math.Min(down, c), math.Min(up, c)
}

func isWired(ifc iface) bool {
	t := strings.ToLower(ifc.Identification.Type.String())
	n := strings.ToLower(ifc.Identification.Name.String())
	switch t {
	case "eth", "ethernet", "sfp", "sfp+", "sfpplus", "fiber", "port":
		return true
	case "br", "bridge", "wlan", "wireless", "vlan", "lag":
		return false
	}
	return strings.HasPrefix(n, "eth") || strings.HasPrefix(n, "sfp")
}

var speedRe = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([gmk]?)`)

// ParseSpeed reads UISP link speeds: "100-full" → 100, "2.5Gbps" → 2500, "1000" → 1000.
func ParseSpeed(s string) float64 {
	m := speedRe.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0
	}
	switch m[2] {
	case "g":
		v *= 1000
	case "k":
		v /= 1000
	}
	return v
}

// negotiated is the live speed of a wired interface: currentSpeed, or speed
// while the link is up.
func negotiated(ifc iface) float64 {
	if ifc.Status == nil {
		return 0
	}
	if v := ParseSpeed(ifc.Status.CurrentSpeed.String()); v > 0 {
		return v
	}
	switch strings.ToLower(ifc.Status.Status.String()) {
	case "connected", "up", "active":
		return ParseSpeed(ifc.Status.Speed.String())
	}
	return 0
}

// clientRates computes a client site's rates: min = plan × commit,
// max = (plan + burst) × overhead; no QoS → generated_pn × overhead. Then the
// CPE's Ethernet port caps the max. The second value describes a cap applied.
func (st settings) clientRates(s *site, devs []*device) (graph.Rates, string) {
	var down, up, burstDown, burstUp float64
	if q := s.QoS; q != nil && (q.DownloadSpeed.V > 0 || q.UploadSpeed.V > 0) {
		down, up = q.DownloadSpeed.V/1e6, q.UploadSpeed.V/1e6
		// UISP documents burst sizes in kB/s; kB/s × 8 / 1000 = Mbps.
		burstDown, burstUp = q.DownloadBurstSize.V*8/1000, q.UploadBurstSize.V*8/1000
	}
	one := func(base, burst, def float64) (float64, float64) {
		if base <= 0 {
			hi := def * st.overhead
			return hi * st.commit, hi
		}
		return base * st.commit, (base + burst) * st.overhead
	}
	var r graph.Rates
	r.DownloadMin, r.DownloadMax = one(down, burstDown, st.defDown)
	r.UploadMin, r.UploadMax = one(up, burstUp, st.defUp)
	note := ""
	if st.ethernetCaps {
		if speed := cpePort(devs); speed > 0 {
			c := math.Round(speed * st.portMultiplier)
			if r.DownloadMax > c || r.UploadMax > c {
				note = fmt.Sprintf("capped to %v Mbps by its %v Mbps Ethernet port", c, speed)
			}
			r.DownloadMax, r.UploadMax = math.Min(r.DownloadMax, c), math.Min(r.UploadMax, c)
			r.DownloadMin, r.UploadMin = math.Min(r.DownloadMin, r.DownloadMax), math.Min(r.UploadMin, r.UploadMax)
		}
	}
	fl := func(v float64) float64 { return math.Max(0.1, graph.Round2(v)) }
	r = graph.Rates{DownloadMin: fl(r.DownloadMin), UploadMin: fl(r.UploadMin), DownloadMax: fl(r.DownloadMax), UploadMax: fl(r.UploadMax)}
	return r, note
}

// cpePort is the lowest negotiated Ethernet speed among the site's wireless
// stations, else among its non-router devices; 0 when unknown.
func cpePort(devs []*device) float64 {
	pick := func(want func(*device) bool) float64 {
		low := 0.0
		for _, dv := range devs {
			if !want(dv) {
				continue
			}
			for _, ifc := range dv.Interfaces {
				if !isWired(ifc) {
					continue
				}
				if s := negotiated(ifc); s > 0 && (low == 0 || s < low) {
					low = s
				}
			}
		}
		return low
	}
	station := func(dv *device) bool {
		switch strings.ToLower(dv.Identification.Role.String()) {
		case "station", "sta", "cpe":
			return true
		}
		return dv.Overview != nil && strings.HasPrefix(strings.ToLower(dv.Overview.WirelessMode.String()), "sta")
	}
	if v := pick(station); v > 0 {
		return v
	}
	return pick(func(dv *device) bool { return strings.ToLower(dv.Identification.Role.String()) != "router" })
}

// deviceIPs lists the device's management address and interface addresses.
func deviceIPs(dv *device) []string {
	var out []string
	if a := dv.IPAddress.String(); a != "" {
		// The management address is always the host, whatever mask UISP shows.
		host, _, _ := strings.Cut(a, "/")
		out = append(out, host)
	}
	for _, ifc := range dv.Interfaces {
		for _, a := range ifc.Addresses {
			c := a.CIDR.String()
			host, _, _ := strings.Cut(c, "/")
			if ip, err := netip.ParseAddr(host); c == "" || (err == nil && (ip.IsLinkLocalUnicast() || ip.IsLoopback())) {
				continue // link-local and loopback are never subscriber traffic
			}
			out = append(out, c)
		}
	}
	return out
}

package sonar

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Node and device id schemes. They derive from Sonar's own ids only, so
// they are the same on every run and queues are not rebuilt needlessly.
const (
	prefixSite          = "sonar:site:"
	prefixAP            = "sonar:ap:"
	prefixAccount       = "sonar:account:"
	prefixDevice        = "sonar:device:"
	prefixRadius        = "sonar:radius-account:"
	prefixAccountIPs    = "sonar:account-ip-assignments:"
	prefixUninventoried = "sonar:uninventoried-mac-address:"
)

// builder collects the graph and what was skipped.
type builder struct {
	g        *graph.Graph
	c        config.Sonar
	pol      graph.RatePolicy
	macToAP  map[string]string
	seen     map[string]bool
	noAddr   []string
	noRate   []string
	noDevice []string
	excluded []string
}

// Build maps fetched Sonar data onto the common graph: sites holding APs
// that reported stations, and one circuit per account (child accounts
// included) parented under the AP one of its devices is associated with.
func Build(d *Data, c config.Sonar, pol graph.RatePolicy) (*graph.Graph, []string) {
	b := &builder{g: graph.New(), c: c, pol: pol, macToAP: map[string]string{}, seen: map[string]bool{}}
	b.topology(d)
	for _, a := range d.Accounts {
		b.account(a, "")
	}
	for _, a := range d.Accounts {
		parentAddr := formatAddress(a)
		for _, ch := range a.ChildAccounts.Entities {
			b.account(ch, parentAddr)
		}
	}
	var problems []string
	report := func(ids []string, why string) {
		if len(ids) == 0 {
			return
		}
		sample := ids
		if len(sample) > 10 {
			sample = append(sample[:10:10], "…")
		}
		problems = append(problems, fmt.Sprintf("%d accounts %s and were skipped: %s", len(ids), why, strings.Join(sample, ", ")))
	}
	report(b.noAddr, "have no address")
	report(b.noRate, "have no DATA service and no matching recurring_service_rates rule")
	report(b.excluded, "only have a service listed in recurring_excluded_service_names")
	report(b.noDevice, "have no device (inventory item, RADIUS account, IP assignment or MAC)")
	return b.g, problems
}

func (b *builder) topology(d *Data) {
	for _, s := range d.Sites {
		sid := s.ID.String()
		if sid == "" {
			continue
		}
		added := false
		for _, it := range s.InventoryItems.Entities {
			st, ok := d.Stations[it.ID.String()]
			if !ok || len(st.MACs) == 0 {
				continue // an AP without stations shapes nobody
			}
			if !added {
				b.g.Add(graph.Node{ID: prefixSite + sid, Name: firstNonEmpty(s.Name.String(), "Site "+sid), Kind: graph.KindSite, NetworkID: prefixSite + sid})
				added = true
			}
			apID := prefixAP + it.ID.String()
			b.g.Add(graph.Node{ID: apID, Name: firstNonEmpty(st.Name, "AP "+it.ID.String()), ParentID: prefixSite + sid, Kind: graph.KindAP, NetworkID: apID})
			for _, m := range st.MACs {
				if _, dup := b.macToAP[m]; !dup {
					b.macToAP[m] = apID
				}
			}
		}
	}
}

// formatAddress is "line1, line2, city, ST" (line2 only when set; the state is
// the last two characters of the subdivision, "US_TX" → "TX").
func formatAddress(a account) string {
	if len(a.Addresses.Entities) == 0 {
		return ""
	}
	ad := a.Addresses.Entities[0]
	sub := ad.Subdivision.String()
	if len(sub) > 2 {
		sub = sub[len(sub)-2:]
	}
	var parts []string
	for _, p := range []string{ad.Line1.String(), ad.Line2.String(), ad.City.String(), sub} {
		if p = strings.Trim(p, ", "); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

type device struct {
	id, name, mac string
	ips           []string
}

// ipKey identifies an address for de-duplication (100.64.0.1 = 100.64.0.1/32).
func ipKey(s string) string {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4() && p.Bits() == 32 || p.Addr().Is6() && p.Bits() == 128 {
			return p.Addr().String()
		}
		return p.Masked().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String()
	}
	return s
}

func subnets(l list[subnet]) []string {
	var out []string
	for _, s := range l.Entities {
		if v := s.Subnet.String(); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// itemMAC: a primary field named like "mac", else any field named like
// "mac", else the first non-empty field value.
func itemMAC(it inventoryItem) string {
	pick := func(ok func(fieldData) bool) string {
		for _, f := range it.FieldData.Entities {
			if v := f.Value.String(); v != "" && ok(f) {
				return v
			}
		}
		return ""
	}
	isMAC := func(f fieldData) bool {
		return f.Field != nil && strings.Contains(strings.ToLower(f.Field.Name.String()), "mac")
	}
	if v := pick(func(f fieldData) bool { return isMAC(f) && f.Field.Primary.V }); v != "" {
		return v
	}
	if v := pick(isMAC); v != "" {
		return v
	}
	return pick(func(fieldData) bool { return true })
}

// devices lists an account's devices in order: inventory items at its
// addresses, RADIUS accounts, account-level IPs, uninventoried MACs; an
// address already listed is not listed again, and the last three kinds are
// only created when they bring a new address.
func devices(a account) []device {
	seen := map[string]bool{}
	fresh := func(ips []string) []string {
		var out []string
		for _, ip := range ips {
			k := ipKey(ip)
			if !seen[k] {
				seen[k] = true
				out = append(out, ip)
			}
		}
		return out
	}
	var out []device
	for _, ad := range a.Addresses.Entities {
		for _, it := range ad.InventoryItems.Entities {
			name := ""
			if it.Model != nil {
				name = it.Model.Name.String()
			}
			id := prefixDevice + it.ID.String()
			out = append(out, device{id: id, name: firstNonEmpty(name, id), mac: itemMAC(it), ips: fresh(itemIPs(it))})
		}
	}
	for _, r := range a.RadiusAccounts.Entities {
		if ips := fresh(subnets(r.IPAssignments)); len(ips) > 0 {
			out = append(out, device{id: prefixRadius + r.ID.String(), name: "Radius Account " + r.ID.String(), ips: ips})
		}
	}
	if ips := fresh(subnets(a.IPAssignments)); len(ips) > 0 {
		out = append(out, device{id: prefixAccountIPs + a.ID.String(), name: "Account IP Assignments", ips: ips})
	}
	for _, u := range a.Uninventoried.Entities {
		if ips := fresh(subnets(u.IPAssignments)); len(ips) > 0 {
			name := "Uninventoried MAC Address"
			if m := u.MAC.String(); m != "" {
				name += ": " + m
			}
			out = append(out, device{id: prefixUninventoried + u.ID.String(), name: name, mac: u.MAC.String(), ips: ips})
		}
	}
	return out
}

// plan finds the account's rate in Mbps: the first DATA service, else the
// first enabled recurring service named by an enabled rule (and not
// excluded). excluded reports that only an excluded service matched.
func (b *builder) plan(a account) (down, up float64, ok, excluded bool) {
	for _, s := range a.DataServices.Entities {
		if s.Service != nil && s.Service.Data != nil && s.Service.Data.DownKbps.V > 0 {
			return s.Service.Data.DownKbps.V / 1000, s.Service.Data.UpKbps.V / 1000, true, false
		}
	}
	excl := map[string]bool{}
	for _, n := range b.c.RecurringExcludedServiceNames {
		excl[strings.ToLower(strings.TrimSpace(n))] = true
	}
	for _, s := range a.AllServices.Entities {
		sv := s.Service
		if sv == nil || !strings.EqualFold(sv.Type.String(), "RECURRING") || (sv.Enabled.Set && !sv.Enabled.V) {
			continue
		}
		name := strings.ToLower(sv.Name.String())
		for _, r := range b.c.RecurringServiceRates {
			if !r.Enabled || strings.ToLower(strings.TrimSpace(r.ServiceName)) != name {
				continue
			}
			if excl[name] {
				excluded = true
				continue
			}
			return r.DownloadMbps, r.UploadMbps, true, false
		}
	}
	return 0, 0, false, excluded
}

func (b *builder) account(a account, fallbackAddr string) {
	id := a.ID.String()
	if id == "" || b.seen[id] {
		return // a child account that is also listed at the top level keeps its top-level record
	}
	b.seen[id] = true
	addr := formatAddress(a)
	if addr == "" {
		addr = fallbackAddr
	}
	if addr == "" {
		b.noAddr = append(b.noAddr, id)
		return
	}
	down, up, ok, excluded := b.plan(a)
	if !ok {
		if excluded {
			b.excluded = append(b.excluded, id)
		} else {
			b.noRate = append(b.noRate, id)
		}
		return
	}
	devs := devices(a)
	if len(devs) == 0 {
		b.noDevice = append(b.noDevice, id)
		return
	}
	cid := prefixAccount + id
	parent := ""
	for _, d := range devs {
		if ap, ok := b.macToAP[NormalizeMAC(d.mac)]; ok && d.mac != "" {
			parent = ap
			break
		}
	}
	b.g.Add(graph.Node{ID: cid, Name: firstNonEmpty(a.Name.String(), cid), Address: addr, ParentID: parent, Kind: graph.KindClient, Rates: b.pol.Plan(down, up)})
	for _, d := range devs {
		b.g.Add(graph.Node{ID: d.id, Name: d.name, ParentID: cid, Kind: graph.KindDevice, MAC: d.mac, IPs: d.ips})
	}
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

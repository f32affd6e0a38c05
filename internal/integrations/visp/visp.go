package visp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Integration is the VISP importer. The zero value uses lqos.conf settings;
// the fields override them (tests, tools).
type Integration struct {
	Timeout  time.Duration           // per request attempt
	Backoff  func(int) time.Duration // pause before retry n
	PageSize int                     // 0 = 500
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "VISP" }

const (
	qSubs = `query Subs($isp_id: Int!, $limit: Int!, $offset: Int!) {
  subscribers(isp_id: $isp_id, limit: $limit, offset: $offset) {
    customer_id username first_name last_name status package package_ip equipment_ip equipment_status tower isp_site access_point subscriber_type
  }
  subscribersCount(isp_id: $isp_id)
}`
	qAssemblies = `query EquipmentAssemblies($isp_id: Int!) {
  equipmentAssemblies(isp_id: $isp_id, ap_upstream: true, type: "CPE") {
    id parent_id description location_name item_id parent_site_id equipment_data parent_data
  }
}`
	qEquipment = `query EquipmentPg($isp_id: Int!, $limit: Int!, $offset: Int!) {
  equipmentPg(isp_id: $isp_id, limit: $limit, offset: $offset) {
    id parent_id name description type default_type location_id location_name parent_site_id item_id child_count equipment_data parent_data
  }
}`
	qBulk     = `query Bulk($isp_id: Int!) { customerCPEwithWirelessServiceSpeeds(isp_id: $isp_id) }`
	qServices = `query CustomerServices($customer_id: Int!) {
  customerServices(customer_id: $customer_id, active: true) {
    id service_id service_name service_type status
    service_details { __typename ... on ServiceTypeWifi { service_number down_speed down_speed_unit up_speed up_speed_unit ip_address mac_address username } }
  }
}`
	qIPList = `query CustomerIpList($customer_id: Int!) { customerIPList(customer_id: $customer_id) { package_ip equipment_ip } }`
)

type subscriber struct {
	CustomerID  apiclient.Num `json:"customer_id"`
	Username    apiclient.Str `json:"username"`
	FirstName   apiclient.Str `json:"first_name"`
	LastName    apiclient.Str `json:"last_name"`
	Status      apiclient.Str `json:"status"`
	PackageIP   apiclient.Str `json:"package_ip"`
	EquipmentIP apiclient.Str `json:"equipment_ip"`
}

type equipment struct {
	ID            apiclient.Num   `json:"id"`
	ParentID      apiclient.Num   `json:"parent_id"`
	Name          apiclient.Str   `json:"name"`
	Description   apiclient.Str   `json:"description"`
	LocationID    apiclient.Str   `json:"location_id"`
	LocationName  apiclient.Str   `json:"location_name"`
	EquipmentData json.RawMessage `json:"equipment_data"`
}

type wifiService struct {
	ServiceNumber apiclient.Str `json:"service_number"`
	PackageStatus apiclient.Str `json:"package_status"`
	Status        apiclient.Str `json:"status"`
	DownSpeed     apiclient.Num `json:"down_speed"`
	DownUnit      apiclient.Str `json:"down_speed_unit"`
	UpSpeed       apiclient.Num `json:"up_speed"`
	UpUnit        apiclient.Str `json:"up_speed_unit"`
	IPAddress     apiclient.Str `json:"ip_address"`
	MACAddress    apiclient.Str `json:"mac_address"`
	Username      apiclient.Str `json:"username"`
}

type bulkRecord struct {
	CustomerID       apiclient.Num `json:"customer_id"`
	Username         apiclient.Str `json:"username"`
	WirelessServices []wifiService `json:"wireless_services"`
	Equipment        []struct {
		EquipmentID apiclient.Num `json:"equipment_id"`
		MACAddress  apiclient.Str `json:"mac_address"`
		IPAddress   apiclient.Str `json:"ip_address"`
	} `json:"equipment"`
}

type customerService struct {
	ID          apiclient.Str `json:"id"`
	ServiceID   apiclient.Str `json:"service_id"`
	ServiceType apiclient.Str `json:"service_type"`
	Status      apiclient.Str `json:"status"`
	Details     *struct {
		Typename string `json:"__typename"`
		wifiService
	} `json:"service_details"`
}

// Data is what one import fetched.
type Data struct {
	ISPID       int64
	Subscribers []subscriber
	Assemblies  []equipment
	Equipment   []equipment
	Bulk        []bulkRecord
	// Backfill holds customerServices (and IP lists) for subscribers missing from Bulk.
	Backfill map[int64][]customerService
	IPLists  map[int64][]string
}

// ResolveMode: topology.compile_mode, else full (as upstream).
// visp_integration.strategy is not used: its config default is "flat", so
// honouring it would silently flatten every existing VISP tree.
func ResolveMode(cfg *config.Config) (string, error) {
	return graph.NormalizeMode(cfg.Topology.CompileMode, graph.ModeFull)
}

// Import implements integrations.Integration.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	start := time.Now()
	cred, err := loadCredentials(cfg.VISP)
	if err != nil {
		return nil, err
	}
	if cfg.VISP.TokenURL == "" || cfg.VISP.GraphQLURL == "" {
		return nil, errors.New("visp: visp_integration.token_url and graphql_url must be set")
	}
	mode, err := ResolveMode(cfg)
	if err != nil {
		return nil, err
	}
	opts, err := graph.OptionsFromConfig(cfg, "VISP", mode)
	if err != nil {
		return nil, err
	}
	a := newAPI(in, cfg, cred)
	d, err := in.fetch(ctx, a, int64(cfg.VISP.ISPID), allowedTypes(cfg.VISP.ServiceTypeAllowlist))
	if err != nil {
		return nil, err
	}
	g, st := Build(d, graph.RatePolicyFromConfig(cfg), cfg.VISP.ServiceTypeAllowlist)
	res, err := graph.Compile(g, opts)
	if err != nil {
		return nil, err
	}
	res.Summary.Problems = append(st.problems, res.Summary.Problems...)
	res.Summary.Problems = append(res.Summary.Problems, fmt.Sprintf("[VISP] shaped=%d skipped_inactive=%d skipped_no_ip=%d skipped_no_speed=%d elapsed_s=%.1f",
		res.Summary.Circuits, st.inactive, st.noIP+len(res.Summary.SkippedNoIP), st.noSpeed, time.Since(start).Seconds()))
	return res, nil
}

func (in Integration) pageSize() int {
	if in.PageSize > 0 {
		return in.PageSize
	}
	return 500
}

// maxPages stops a server that ignores offset from looping forever.
const maxPages = 100000

func (in Integration) fetch(ctx context.Context, a *api, ispID int64, allowed map[string]bool) (*Data, error) {
	t, err := a.getToken(ctx)
	if err != nil {
		return nil, err
	}
	if ispID == 0 {
		ispID = t.ISPID
	}
	if ispID == 0 {
		return nil, errors.New("visp: no ISP id: set visp_integration.isp_id (the token payload has no ispId)")
	}
	d := &Data{ISPID: ispID, Backfill: map[int64][]customerService{}, IPLists: map[int64][]string{}}
	limit := in.pageSize()
	for offset, page := 0, 0; ; page++ {
		if page >= maxPages {
			return nil, errors.New("visp: graphql Subs: paging does not end")
		}
		var r struct {
			Subscribers []subscriber  `json:"subscribers"`
			Count       apiclient.Num `json:"subscribersCount"`
		}
		if err := a.gql(ctx, "Subs", qSubs, map[string]any{"isp_id": ispID, "limit": limit, "offset": offset}, &r); err != nil {
			return nil, err
		}
		d.Subscribers = append(d.Subscribers, r.Subscribers...)
		offset += len(r.Subscribers)
		if len(r.Subscribers) < limit || (r.Count.Set && float64(offset) >= r.Count.V) {
			break
		}
	}
	var asm struct {
		Rows []equipment `json:"equipmentAssemblies"`
	}
	if err := a.gql(ctx, "EquipmentAssemblies", qAssemblies, map[string]any{"isp_id": ispID}, &asm); err != nil {
		return nil, err
	}
	d.Assemblies = asm.Rows
	for offset, page := 0, 0; ; page++ {
		if page >= maxPages {
			return nil, errors.New("visp: graphql EquipmentPg: paging does not end")
		}
		var r struct {
			Rows []equipment `json:"equipmentPg"`
		}
		if err := a.gql(ctx, "EquipmentPg", qEquipment, map[string]any{"isp_id": ispID, "limit": limit, "offset": offset}, &r); err != nil {
			return nil, err
		}
		d.Equipment = append(d.Equipment, r.Rows...)
		offset += len(r.Rows)
		if len(r.Rows) < limit {
			break
		}
	}
	var bulk struct {
		Raw json.RawMessage `json:"customerCPEwithWirelessServiceSpeeds"`
	}
	if err := a.gql(ctx, "Bulk", qBulk, map[string]any{"isp_id": ispID}, &bulk); err != nil {
		return nil, err
	}
	raw := bytes.TrimSpace(bulk.Raw)
	if len(raw) > 0 && raw[0] == '"' {
		// A JSON scalar may arrive as a string holding the JSON.
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, a.cl.Errorf("graphql Bulk: %v", err)
		}
		raw = []byte(s)
	}
	if len(raw) > 0 && string(raw) != "null" {
		if err := a.cl.Decode("graphql Bulk: customerCPEwithWirelessServiceSpeeds", raw, &d.Bulk); err != nil {
			return nil, err
		}
	}
	inBulk := map[int64]bool{}
	for _, b := range d.Bulk {
		inBulk[int64(b.CustomerID.V)] = true
	}
	for _, s := range d.Subscribers {
		id := int64(s.CustomerID.V)
		if id <= 0 || inBulk[id] {
			continue
		}
		var r struct {
			Rows []customerService `json:"customerServices"`
		}
		if err := a.gql(ctx, "CustomerServices", qServices, map[string]any{"customer_id": id}, &r); err != nil {
			return nil, err
		}
		d.Backfill[id] = r.Rows
		if s.PackageIP.String() == "" && s.EquipmentIP.String() == "" && needsIPList(r.Rows, allowed) {
			var ipl struct {
				Rows []struct {
					PackageIP   apiclient.Str `json:"package_ip"`
					EquipmentIP apiclient.Str `json:"equipment_ip"`
				} `json:"customerIPList"`
			}
			if err := a.gql(ctx, "CustomerIpList", qIPList, map[string]any{"customer_id": id}, &ipl); err != nil {
				return nil, err
			}
			for _, row := range ipl.Rows {
				d.IPLists[id] = append(d.IPLists[id], row.PackageIP.String(), row.EquipmentIP.String())
			}
		}
	}
	return d, nil
}

// needsIPList reports whether a customer has a shapable service but no address anywhere yet.
func needsIPList(rows []customerService, allowed map[string]bool) bool {
	want := false
	for _, r := range rows {
		if !shapable(r, allowed) {
			continue
		}
		if r.Details.IPAddress.String() != "" {
			return false
		}
		want = true
	}
	return want
}

// allowedTypes is service_type_allowlist (lower-cased), "wifi" when empty.
// Upstream ignored the allowlist and hard-coded wifi.
func allowedTypes(allow []string) map[string]bool {
	m := map[string]bool{}
	for _, a := range allow {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			m[a] = true
		}
	}
	if len(m) == 0 {
		m["wifi"] = true
	}
	return m
}

func shapable(cs customerService, allowed map[string]bool) bool {
	if cs.Details == nil {
		return false
	}
	return allowed[strings.ToLower(cs.ServiceType.String())] || (cs.Details.Typename == "ServiceTypeWifi" && allowed["wifi"])
}

var hardStopped = map[string]bool{"CANCELLED": true, "CANCELED": true, "TERMINATED": true, "DELETED": true}

// SpeedMbps converts a VISP speed and unit to Mbps (unknown unit = Mbps).
func SpeedMbps(v float64, unit string) float64 {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "kbps", "kb", "k":
		return v / 1000
	case "gbps", "gb", "g":
		return v * 1000
	}
	return v
}

// IPv4Candidates splits, keeps IPv4 only, drops CIDR suffixes, rejects
// 0.0.0.0/255.255.255.255 and de-duplicates, keeping order.
func IPv4Candidates(values ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			host, _, _ := strings.Cut(strings.TrimSpace(part), "/")
			a, err := netip.ParseAddr(host)
			if err != nil || !a.Is4() || a.IsUnspecified() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
				continue
			}
			if s := a.String(); !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// NormalizeMAC removes separators and upper-cases.
func NormalizeMAC(m string) string {
	r := strings.NewReplacer(":", "", "-", "", ".", "", " ", "")
	return strings.ToUpper(r.Replace(strings.TrimSpace(m)))
}

type stats struct {
	inactive, noIP, noSpeed int
	problems                []string
}

// Build maps VISP data onto the common graph.
func Build(d *Data, pol graph.RatePolicy, allow []string) (*graph.Graph, *stats) {
	st := &stats{}
	g := graph.New()
	subs := map[int64]subscriber{}
	for _, s := range d.Subscribers {
		subs[int64(s.CustomerID.V)] = s
	}
	topo := newTopology(d, g)
	added := map[string]bool{}
	addCircuit := func(id, name string, down, up float64, ips []string, mac, suffix string, suspended bool, customer int64, eqIDs []int64, macs []string) {
		if added[id] {
			return
		}
		added[id] = true
		parent := topo.parentFor(customer, name, eqIDs, macs)
		g.Add(graph.Node{ID: id, Name: name, Kind: graph.KindClient, ParentID: parent, Rates: pol.Plan(down, up), Suspended: suspended})
		g.Add(graph.Node{ID: id + suffix, Name: name + "_device", ParentID: id, Kind: graph.KindDevice, MAC: NormalizeMAC(mac), IPs: ips})
	}
	speeds := func(s wifiService) (float64, float64, bool) {
		down, up := SpeedMbps(s.DownSpeed.V, s.DownUnit.String()), SpeedMbps(s.UpSpeed.V, s.UpUnit.String())
		return down, up, down > 0 && up > 0
	}
	status := func(s wifiService) (stopped, suspended bool) {
		for _, x := range []string{s.PackageStatus.String(), s.Status.String()} {
			x = strings.ToUpper(x)
			if hardStopped[x] {
				stopped = true
			}
			if x == "SUSPENDED" {
				suspended = true
			}
		}
		return
	}
	for _, b := range d.Bulk {
		user := b.Username.String()
		if user == "" {
			continue
		}
		cust := int64(b.CustomerID.V)
		sub := subs[cust]
		var eqIPs, macs []string
		var eqIDs []int64
		for _, e := range b.Equipment {
			eqIPs = append(eqIPs, e.IPAddress.String())
			eqIDs = append(eqIDs, int64(e.EquipmentID.V))
			if m := NormalizeMAC(e.MACAddress.String()); m != "" {
				macs = append(macs, m)
			}
		}
		for _, s := range b.WirelessServices {
			stopped, suspended := status(s)
			if stopped {
				st.inactive++
				continue
			}
			num := s.ServiceNumber.String()
			if num == "" {
				continue
			}
			down, up, ok := speeds(s)
			if !ok {
				st.noSpeed++
				st.problems = append(st.problems, fmt.Sprintf("service %s (%s): no speed; skipped", num, user))
				continue
			}
			ips := IPv4Candidates(append([]string{s.IPAddress.String(), sub.PackageIP.String(), sub.EquipmentIP.String()}, eqIPs...)...)
			if len(ips) == 0 {
				st.noIP++
				continue
			}
			ms := macs
			if m := NormalizeMAC(s.MACAddress.String()); m != "" {
				ms = append([]string{m}, macs...)
			}
			addCircuit(num, user, down, up, ips, s.MACAddress.String(), "_wifi", suspended, cust, eqIDs, ms)
		}
	}
	// Backfill subscribers the bulk query did not return.
	allowed := allowedTypes(allow)
	ids := make([]int64, 0, len(d.Backfill))
	for id := range d.Backfill {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, cust := range ids {
		sub := subs[cust]
		for _, cs := range d.Backfill[cust] {
			if !shapable(cs, allowed) {
				continue
			}
			s := cs.Details.wifiService
			if s.Status.String() == "" {
				s.Status = cs.Status
			}
			stopped, suspended := status(s)
			if stopped {
				st.inactive++
				continue
			}
			num := s.ServiceNumber.String()
			if num == "" {
				num = cs.ID.String()
			}
			if num == "" {
				continue
			}
			down, up, ok := speeds(s)
			if !ok {
				st.noSpeed++
				continue
			}
			ips := IPv4Candidates(append([]string{s.IPAddress.String(), sub.PackageIP.String(), sub.EquipmentIP.String()}, d.IPLists[cust]...)...)
			if len(ips) == 0 {
				st.noIP++
				continue
			}
			name := s.Username.String()
			if name == "" {
				name = sub.Username.String()
			}
			if name == "" {
				name = strings.TrimSpace(sub.FirstName.String() + " " + sub.LastName.String())
			}
			if name == "" {
				name = strconv.FormatInt(cust, 10)
			}
			var macs []string
			if m := NormalizeMAC(s.MACAddress.String()); m != "" {
				macs = append(macs, m)
			}
			addCircuit(num, name, down, up, ips, s.MACAddress.String(), "_backfill", suspended, cust, nil, macs)
		}
	}
	return g, st
}

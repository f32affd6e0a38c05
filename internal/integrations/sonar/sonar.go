// Package sonar imports accounts, their addresses, inventory, IP
// assignments and data plans from the Sonar GraphQL API, and (optionally)
// parents them under access points found by asking each AP over SNMP which
// stations it serves.
package sonar

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Integration is the Sonar importer. The zero value uses lqos.conf settings
// and snmpwalk; the fields override them (tests, tools).
type Integration struct {
	Timeout    time.Duration           // per request attempt
	Backoff    func(int) time.Duration // pause before retry n; nil = DefaultBackoff
	Discoverer Discoverer              // nil = SNMPWalk with snmp_community
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "Sonar" }

// MinMbps is the smallest plan rate Sonar circuits get.
const MinMbps = 2

// discoveryWorkers bounds concurrent SNMP walks.
const discoveryWorkers = 16

// Data is everything fetched from Sonar.
type Data struct {
	Sites    []networkSite
	Accounts []account
	Stations map[string]Stations // by AP item id
}

// Import implements integrations.Integration. The compile mode is
// topology.compile_mode (flat, ap_only, ap_site or full), default full.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	mode, err := graph.NormalizeMode(cfg.Topology.CompileMode, graph.ModeFull)
	if err != nil {
		return nil, fmt.Errorf("sonar: topology.compile_mode: %w", err)
	}
	d, problems, err := in.Fetch(ctx, cfg.Sonar)
	if err != nil {
		return nil, err
	}
	pol := graph.RatePolicyFromConfig(cfg)
	pol.Floor = MinMbps
	g, more := Build(d, cfg.Sonar, pol)
	opts, err := graph.OptionsFromConfig(cfg, "Sonar", mode)
	if err != nil {
		return nil, err
	}
	res, err := graph.Compile(g, opts)
	if err != nil {
		return nil, err
	}
	res.Summary.Problems = append(append(problems, more...), res.Summary.Problems...)
	return res, nil
}

// Fetch reads statuses (when not configured), network sites with their APs
// (when discovery is on), every account page, and asks the APs for stations.
func (in Integration) Fetch(ctx context.Context, c config.Sonar) (*Data, []string, error) {
	gql := GraphQLURL(c.APIURL)
	if gql == "" {
		return nil, nil, errors.New("sonar: sonar_integration.sonar_api_url is empty")
	}
	if u, err := url.Parse(gql); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, nil, errors.New("sonar: sonar_integration.sonar_api_url is not an http(s) URL")
	}
	if strings.TrimSpace(c.APIKey) == "" {
		return nil, nil, errors.New("sonar: sonar_integration.sonar_api_key is empty")
	}
	cl := newClient(c, in.Timeout, in.Backoff)
	var problems []string
	d := &Data{Stations: map[string]Stations{}}

	statuses := trimmed(c.ActiveStatusIDs)
	if len(statuses) == 0 {
		raw, err := cl.query(ctx, "account_statuses", queryStatuses, map[string]any{})
		if err != nil {
			return nil, nil, err
		}
		var l list[accountStatus]
		if err := cl.api.Decode("account_statuses", raw, &l); err != nil {
			return nil, nil, err
		}
		for _, s := range l.Entities {
			if id := s.ID.String(); id != "" && (s.Activates.V || !s.Activates.Set) {
				statuses = append(statuses, id)
			}
		}
		if len(statuses) == 0 {
			return nil, nil, cl.api.Errorf("account_statuses: no account status activates an account; set sonar_integration.active_status_ids")
		}
	}

	models := apModels(c)
	discover := c.SNMPDiscovery && len(models) > 0
	var disc Discoverer
	if discover {
		disc = in.Discoverer
		if disc == nil {
			w := SNMPWalk{Community: c.SNMPCommunity}
			if err := w.Check(); err != nil {
				return nil, nil, fmt.Errorf("sonar: %w", err)
			}
			disc = w
		}
		var modelSearch []map[string]any
		for _, m := range sortedKeys(models) {
			modelSearch = append(modelSearch, map[string]any{"integer_fields": []map[string]any{{"attribute": "inventory_model_id", "search_value": m, "operator": "EQ"}}})
		}
		err := pages(ctx, cl, "network_sites", queryNetworkSites, map[string]any{"models": modelSearch}, func(e []networkSite) { d.Sites = append(d.Sites, e...) })
		if err != nil {
			return nil, nil, err
		}
	}

	// One paginated walk per active status (an account has one status).
	for _, st := range statuses {
		var status any = st
		if n, err := strconv.ParseInt(st, 10, 64); err == nil {
			status = n
		}
		name := "accounts"
		if len(statuses) > 1 {
			name = "accounts (status " + st + ")"
		}
		err := pages(ctx, cl, name, queryAccounts, map[string]any{"status": status}, func(e []account) { d.Accounts = append(d.Accounts, e...) })
		if err != nil {
			return nil, nil, err
		}
	}

	if discover {
		aps, skipped := findAPs(d.Sites, models, c.LTUModelIDs)
		problems = append(problems, skipped...)
		problems = append(problems, discoverAll(ctx, disc, aps, d.Stations)...)
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("sonar: AP discovery: %w", err)
		}
	}
	return d, problems, nil
}

// apModels is the set of AP inventory model ids, compared as text (Sonar
// returns numbers, lqos.conf holds strings).
func apModels(c config.Sonar) map[string]bool {
	m := map[string]bool{}
	for _, l := range [][]string{c.AirmaxModelIDs, c.LTUModelIDs} {
		for _, id := range trimmed(l) {
			m[id] = true
		}
	}
	return m
}

func trimmed(l []string) []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// itemIPs: field-data IPs first, then the item's own.
func itemIPs(it inventoryItem) []string {
	var out []string
	for _, f := range it.FieldData.Entities {
		for _, s := range f.IPAssignments.Entities {
			if v := s.Subnet.String(); v != "" {
				out = append(out, v)
			}
		}
	}
	for _, s := range it.IPAssignments.Entities {
		if v := s.Subnet.String(); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// findAPs lists the AP-model items with a management address.
func findAPs(sites []networkSite, models map[string]bool, ltu []string) ([]AP, []string) {
	ltuSet := map[string]bool{}
	for _, id := range trimmed(ltu) {
		ltuSet[id] = true
	}
	var aps []AP
	var problems []string
	for _, s := range sites {
		for _, it := range s.InventoryItems.Entities {
			if !models[it.ModelID.String()] {
				continue
			}
			ips := itemIPs(it)
			if len(ips) == 0 {
				problems = append(problems, fmt.Sprintf("AP inventory item %s at site %q has no IP assignment; not asked for stations", it.ID, s.Name))
				continue
			}
			ip := ips[0]
			if p, err := netip.ParsePrefix(ip); err == nil {
				ip = p.Addr().String()
			}
			aps = append(aps, AP{ItemID: it.ID.String(), IP: ip, LTU: ltuSet[it.ModelID.String()]})
		}
	}
	return aps, problems
}

// discoverAll asks every AP concurrently; a failing AP is reported and left out.
func discoverAll(ctx context.Context, disc Discoverer, aps []AP, into map[string]Stations) []string {
	var mu sync.Mutex
	var problems []string
	sem := make(chan struct{}, discoveryWorkers)
	var wg sync.WaitGroup
	for _, ap := range aps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st, err := disc.Stations(ctx, ap)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				problems = append(problems, fmt.Sprintf("AP %s (%s): SNMP: %v; its accounts are unparented this run", ap.ItemID, ap.IP, err))
				return
			}
			into[ap.ItemID] = st
		}()
	}
	wg.Wait()
	sort.Strings(problems)
	return problems
}

// Package netzur imports zones and subscribers from a Netzur API endpoint.
package netzur

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Integration is the Netzur importer. The zero value uses lqos.conf settings;
// the fields override them (tests, tools).
type Integration struct {
	Timeout time.Duration           // per request attempt
	Backoff func(int) time.Duration // pause before retry n
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "Netzur" }

type zone struct {
	ID     apiclient.Str `json:"id"`
	ZoneID apiclient.Str `json:"zone_id"`
	Name   apiclient.Str `json:"name"`
	Down   apiclient.Num `json:"capacity_download_mbps"`
	Up     apiclient.Num `json:"capacity_upload_mbps"`
}

type customer struct {
	SubscriberID apiclient.Str     `json:"subscriber_id"`
	Name         apiclient.Str     `json:"customerName"`
	Zone         apiclient.Str     `json:"zone"`
	Address      apiclient.Str     `json:"address"`
	Download     apiclient.Num     `json:"download"`
	Upload       apiclient.Num     `json:"upload"`
	IP           apiclient.StrList `json:"ip"`
	IPv6         apiclient.StrList `json:"ipv6"`
	MAC          apiclient.Str     `json:"mac"`
}

type reply struct {
	Zones     []zone     `json:"zones"`
	Customers []customer `json:"customers"`
}

// client builds the API client from [netzur_integration]
// (timeout_secs, at least 5 s, per attempt; 3 attempts).
func (in Integration) client(c config.Netzur) *apiclient.Client {
	timeout := time.Duration(max(c.TimeoutSecs, 5)) * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	key := c.APIKey
	return &apiclient.Client{
		Name:     "netzur",
		Timeout:  timeout,
		Backoff:  in.Backoff,
		Attempts: 3,
		Secrets:  []string{key},
		Auth:     func(h http.Header) { h.Set("Authorization", "Bearer "+key) },
	}
}

// Import implements integrations.Integration. Netzur compiles in full mode
// (zones are sites; there are no APs to project onto).
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	c := cfg.Netzur
	if strings.TrimSpace(c.APIURL) == "" {
		return nil, errors.New("netzur: netzur_integration.api_url is empty")
	}
	if strings.TrimSpace(c.APIKey) == "" {
		return nil, errors.New("netzur: netzur_integration.api_key is empty")
	}
	cl := in.client(c)
	var r reply
	if err := cl.GetJSON(ctx, strings.TrimSpace(c.APIURL), "api_url", &r); err != nil {
		return nil, err
	}
	g, problems := Build(r, graph.RatePolicyFromConfig(cfg))
	opts, err := graph.OptionsFromConfig(cfg, "Netzur", graph.ModeFull)
	if err != nil {
		return nil, err
	}
	res, err := graph.Compile(g, opts)
	if err != nil {
		return nil, err
	}
	res.Summary.Problems = append(problems, res.Summary.Problems...)
	return res, nil
}

// Build maps a Netzur reply onto the common graph.
func Build(r reply, pol graph.RatePolicy) (*graph.Graph, []string) {
	g := graph.New()
	var problems []string
	zoneIDs := map[string]string{} // exact name -> node id
	zoneFold := map[string]string{}
	for i, z := range r.Zones {
		name := z.Name.String()
		if name == "" {
			problems = append(problems, "zones["+strconv.Itoa(i)+"]: no name; skipped")
			continue
		}
		if _, dup := zoneIDs[name]; dup {
			problems = append(problems, "zone "+strconv.Quote(name)+" listed twice; the first is used")
			continue
		}
		id := "netzur_zone_" + strconv.Itoa(30000+i)
		zid := z.ID.ID()
		if zid == "" {
			zid = z.ZoneID.ID()
		}
		nid := "netzur:zone:" + zid
		if zid == "" {
			// Upstream left such zones without id, so their circuits had no Parent Node.
			nid = "netzur:zone-name:" + graph.Slug(name)
		}
		// Zone capacity is the zone's, not a plan: no overhead or multiplier.
		// Missing capacity means the default (generated_pn), not 0.
		g.Add(graph.Node{ID: id, Name: name, Kind: graph.KindSite, NetworkID: nid, DownloadMbps: z.Down.V, UploadMbps: z.Up.V})
		zoneIDs[name] = id
		if _, ok := zoneFold[strings.ToLower(name)]; !ok {
			zoneFold[strings.ToLower(name)] = id
		}
	}
	for i, c := range r.Customers {
		sid := c.SubscriberID.String()
		if sid == "" {
			problems = append(problems, "customers["+strconv.Itoa(i)+"]: no subscriber_id; skipped")
			continue
		}
		name := c.Name.String()
		if name == "" {
			name = sid
		}
		parent := zoneIDs[c.Zone.String()]
		if parent == "" {
			parent = zoneFold[strings.ToLower(c.Zone.String())]
		}
		if parent == "" && c.Zone.String() != "" {
			problems = append(problems, "customer "+strconv.Quote(sid)+": zone "+strconv.Quote(c.Zone.String())+" not found; unparented")
		}
		cid := "netzur_" + sid
		g.Add(graph.Node{ID: cid, Name: name, Address: c.Address.String(), ParentID: parent, Kind: graph.KindClient,
			Rates: pol.Plan(c.Download.V, c.Upload.V)})
		ips := append(append([]string(nil), c.IP...), c.IPv6...)
		g.Add(graph.Node{ID: cid + "_device", Name: name + "_device", ParentID: cid, Kind: graph.KindDevice, MAC: c.MAC.String(), IPs: ips})
	}
	return g, problems
}

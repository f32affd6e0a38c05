// Package powercode imports customers and their equipment from Powercode's
// Preseem API (POST <url>:<port>/api/preseem/index.php).
package powercode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Integration is the Powercode importer. The zero value uses lqos.conf
// settings; the fields override them (tests, tools).
type Integration struct {
	Timeout time.Duration           // per request attempt
	Backoff func(int) time.Duration // pause before retry n
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "Powercode" }

// Endpoint is the Preseem API path on the Powercode server.
const Endpoint = "/api/preseem/index.php"

// shapedEquipment are the equipment types that carry a subscriber's traffic.
var shapedEquipment = map[string]bool{
	"Customer Owned Equipment": true,
	"Router":                   true,
	"Managed Routers":          true,
	"CPE":                      true,
}

type equipment struct {
	ID        apiclient.Str `json:"id"`
	Type      apiclient.Str `json:"type"`
	ServiceID apiclient.Str `json:"service_id"`
	Name      apiclient.Str `json:"name"`
	IP        apiclient.Str `json:"ip_address"`
	MAC       apiclient.Str `json:"mac_address"`
}

type customer struct {
	ID        apiclient.Str `json:"id"`
	Status    apiclient.Str `json:"status"`
	Name      apiclient.Str `json:"name"`
	Company   apiclient.Str `json:"company_name"`
	Equipment []equipment   `json:"equipment"`
}

type service struct {
	ID   apiclient.Str `json:"id"`
	Down apiclient.Num `json:"rate_down"` // kbit/s
	Up   apiclient.Num `json:"rate_up"`
}

// URL builds the endpoint URL from powercode_api_url and port: a port in the
// URL wins; otherwise the configured port (default 444) is used.
func URL(c config.Powercode) (string, error) {
	raw := strings.TrimRight(strings.TrimSpace(c.APIURL), "/")
	if raw == "" {
		return "", errors.New("powercode: powercode_integration.powercode_api_url is empty")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("powercode: powercode_integration.powercode_api_url %q is not a URL", c.APIURL)
	}
	if u.Port() == "" {
		port := c.Port
		if port == 0 {
			port = 444
		}
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	}
	u.Path = strings.TrimRight(u.Path, "/") + Endpoint
	return u.String(), nil
}

func (in Integration) client(c config.Powercode) (*apiclient.Client, error) {
	hc, err := apiclient.HTTPClient(c.VerifyTLS, c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("powercode: powercode_integration.%w", err)
	}
	timeout := time.Duration(max(c.TimeoutSecs, 1)) * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	return &apiclient.Client{Name: "powercode", HTTP: hc, Timeout: timeout, Backoff: in.Backoff, Attempts: 3,
		Secrets: []string{c.APIKey}}, nil
}

// post sends one form-encoded action; the key travels in the body, never in the URL.
func post(ctx context.Context, cl *apiclient.Client, endpoint, key, action string, v any) error {
	form := url.Values{"apiKey": {key}, "action": {action}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	body, err := cl.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: endpoint, Endpoint: action, Body: []byte(form.Encode()), Header: h})
	if err != nil {
		return err
	}
	return cl.Decode(action, unwrap(body, action), v)
}

// unwrap accepts the list itself or an object holding it under one key
// ("customers", "services", "data").
func unwrap(body []byte, action string) []byte {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return body
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(t, &obj) != nil {
		return body
	}
	for _, k := range []string{strings.TrimPrefix(action, "list_"), "data", "result"} {
		if raw, ok := obj[k]; ok {
			return raw
		}
	}
	return body
}

// Fetch calls list_customers and list_services.
func (in Integration) Fetch(ctx context.Context, c config.Powercode) ([]customer, []service, error) {
	endpoint, err := URL(c)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(c.APIKey) == "" {
		return nil, nil, errors.New("powercode: powercode_integration.powercode_api_key is empty")
	}
	cl, err := in.client(c)
	if err != nil {
		return nil, nil, err
	}
	var cs []customer
	if err := post(ctx, cl, endpoint, c.APIKey, "list_customers", &cs); err != nil {
		return nil, nil, err
	}
	var ss []service
	if err := post(ctx, cl, endpoint, c.APIKey, "list_services", &ss); err != nil {
		return nil, nil, err
	}
	return cs, ss, nil
}

// Import implements integrations.Integration. Powercode has no topology:
// every circuit is unparented and the compile mode is full.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	cs, ss, err := in.Fetch(ctx, cfg.Powercode)
	if err != nil {
		return nil, err
	}
	g, problems := Build(cs, ss, graph.RatePolicyFromConfig(cfg))
	opts, err := graph.OptionsFromConfig(cfg, "Powercode", graph.ModeFull)
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

// Build maps Powercode customers onto the common graph: one circuit per
// active customer, one device per shaped piece of equipment on a known
// service. The circuit's rates are those of its last such equipment's service.
func Build(cs []customer, ss []service, pol graph.RatePolicy) (*graph.Graph, []string) {
	g := graph.New()
	var problems []string
	rates := map[string]service{}
	for _, s := range ss {
		id := s.ID.String()
		if id == "" || s.Down.V <= 0 || s.Up.V <= 0 {
			continue // services without a rate are not internet plans
		}
		rates[id] = s
	}
	for i, c := range cs {
		id := c.ID.String()
		if id == "" {
			problems = append(problems, fmt.Sprintf("list_customers[%d]: no id; skipped", i))
			continue
		}
		if c.Status.String() != "Active" {
			continue
		}
		name := c.Name.String()
		if name == "" {
			name = c.Company.String()
		}
		if name == "" {
			name = id
		}
		type dev struct{ id, name, mac, ip string }
		var devs []dev
		var plan *service
		for _, e := range c.Equipment {
			if !shapedEquipment[e.Type.String()] {
				continue
			}
			s, ok := rates[e.ServiceID.String()]
			if !ok {
				continue
			}
			plan = &s
			devs = append(devs, dev{id: "c_" + id + "_s__d_" + e.ID.String(), name: e.Name.String(), mac: e.MAC.String(), ip: e.IP.String()})
		}
		if plan == nil {
			continue // no internet service on this customer
		}
		g.Add(graph.Node{ID: id, Name: name, Kind: graph.KindClient, Rates: pol.Plan(plan.Down.V/1000, plan.Up.V/1000)})
		for _, d := range devs {
			dn := d.name
			if dn == "" {
				dn = d.id
			}
			g.Add(graph.Node{ID: d.id, Name: dn, ParentID: id, Kind: graph.KindDevice, MAC: d.mac, IPs: []string{d.ip}})
		}
	}
	return g, problems
}

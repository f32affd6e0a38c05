// Package wispgate imports shaped devices from WISPGate
// (POST <url>/api/libreqos/shaped-devices), rows keyed like ShapedDevices.csv.
package wispgate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Integration is the WISPGate importer. The zero value uses lqos.conf
// settings; the fields override them (tests, tools).
type Integration struct {
	Timeout time.Duration           // per request attempt
	Backoff func(int) time.Duration // pause before retry n
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "WISPGate" }

// Endpoint is the path of the export on the WISPGate server.
const Endpoint = "/api/libreqos/shaped-devices"

// DefaultMbps is used for a direction with neither a max nor a min rate.
const DefaultMbps = 2

type row struct {
	CircuitID  apiclient.Str     `json:"Circuit ID"`
	ParentNode apiclient.Str     `json:"Parent Node"`
	DeviceName apiclient.Str     `json:"Device Name"`
	MAC        apiclient.Str     `json:"MAC"`
	IPv4       apiclient.StrList `json:"IPv4"`
	IPv6       apiclient.StrList `json:"IPv6"`
	DownMin    apiclient.Num     `json:"Download Min Mbps"`
	UpMin      apiclient.Num     `json:"Upload Min Mbps"`
	DownMax    apiclient.Num     `json:"Download Max Mbps"`
	UpMax      apiclient.Num     `json:"Upload Max Mbps"`
}

// Fetch posts the token and returns the raw rows.
func (in Integration) Fetch(ctx context.Context, c config.WISPGate) ([]json.RawMessage, error) {
	base := strings.TrimRight(strings.TrimSpace(c.APIURL), "/")
	if base == "" {
		return nil, errors.New("wispgate: wispgate_integration.wispgate_api_url is empty")
	}
	if u, err := url.Parse(base); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("wispgate: wispgate_integration.wispgate_api_url %q is not an http(s) URL", c.APIURL)
	}
	if strings.TrimSpace(c.APIToken) == "" {
		return nil, errors.New("wispgate: wispgate_integration.wispgate_api_token is empty")
	}
	timeout := time.Duration(max(c.TimeoutSecs, 1)) * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	cl := &apiclient.Client{Name: "wispgate", Timeout: timeout, Backoff: in.Backoff, Attempts: 3, Secrets: []string{c.APIToken}}
	form := url.Values{"api_token": {c.APIToken}}
	body, err := cl.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: base + Endpoint, Endpoint: "shaped-devices",
		Body: []byte(form.Encode()), Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if err != nil {
		return nil, err
	}
	var rows []json.RawMessage
	if err := cl.Decode("shaped-devices", body, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// Import implements integrations.Integration. WISPGate sends circuits
// without topology: every circuit is unparented.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	rows, err := in.Fetch(ctx, cfg.WISPGate)
	if err != nil {
		return nil, err
	}
	g, problems := Build(rows, graph.RatePolicyFromConfig(cfg).Commit)
	opts, err := graph.OptionsFromConfig(cfg, "WISPGate", graph.ModeFull)
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

// rates takes the first row's rates as given: max, else min, else
// DefaultMbps; min as given (at most max), else max × commit.
func rates(r row, commit float64) graph.Rates {
	one := func(lo, hi apiclient.Num) (float64, float64) {
		top := hi.V
		if !hi.Set || hi.V <= 0 {
			top = lo.V
		}
		if top <= 0 {
			top = DefaultMbps
		}
		bottom := lo.V
		if !lo.Set || lo.V <= 0 || lo.V > top {
			bottom = graph.Round2(top * commit)
		}
		return bottom, top
	}
	var out graph.Rates
	out.DownloadMin, out.DownloadMax = one(r.DownMin, r.DownMax)
	out.UploadMin, out.UploadMax = one(r.UpMin, r.UpMax)
	return out
}

// Build maps the rows onto the common graph. Rows of one Circuit ID form one
// circuit (the first row gives the rates); a row that cannot be read drops
// its whole circuit, reported with the row index and field.
func Build(raw []json.RawMessage, commit float64) (*graph.Graph, []string) {
	g := graph.New()
	var problems []string
	type circuit struct {
		rows []row
		bad  bool
	}
	var order []string
	byID := map[string]*circuit{}
	for i, r := range raw {
		var x row
		err := apiclient.DecodeJSON(fmt.Sprintf("shaped-devices[%d]", i), r, &x)
		if err != nil {
			var idOnly struct {
				CircuitID apiclient.Str `json:"Circuit ID"`
			}
			json.Unmarshal(r, &idOnly)
			x = row{CircuitID: idOnly.CircuitID}
		}
		id := x.CircuitID.String()
		if id == "" {
			problems = append(problems, fmt.Sprintf("shaped-devices[%d]: no Circuit ID; row skipped", i))
			continue
		}
		c := byID[id]
		if c == nil {
			c = &circuit{}
			byID[id] = c
			order = append(order, id)
		}
		if err != nil {
			if !c.bad {
				problems = append(problems, fmt.Sprintf("%v; circuit %q dropped", err, id))
			}
			c.bad = true
			continue
		}
		for _, v := range []apiclient.Num{x.DownMin, x.UpMin, x.DownMax, x.UpMax} {
			if v.V < 0 {
				if !c.bad {
					problems = append(problems, fmt.Sprintf("shaped-devices[%d]: circuit %q has a negative rate; dropped", i, id))
				}
				c.bad = true
			}
		}
		c.rows = append(c.rows, x)
	}
	for _, id := range order {
		c := byID[id]
		if c.bad || len(c.rows) == 0 {
			continue
		}
		g.Add(graph.Node{ID: id, Name: id, Kind: graph.KindClient, Rates: rates(c.rows[0], commit)})
		used := map[string]int{}
		for _, r := range c.rows {
			// Device ids derive from what identifies the device, not from its
			// position in the reply, so they stay the same across runs.
			key := firstNonEmpty(r.DeviceName.String(), r.MAC.String(), strings.Join(r.IPv4, ","), strings.Join(r.IPv6, ","), "device")
			used[key]++
			did := "wispgate:" + id + ":" + key
			if n := used[key]; n > 1 {
				did = fmt.Sprintf("%s#%d", did, n)
			}
			name := firstNonEmpty(r.DeviceName.String(), did)
			g.Add(graph.Node{ID: did, Name: name, ParentID: id, Kind: graph.KindDevice, MAC: r.MAC.String(),
				IPs: append(append([]string(nil), r.IPv4...), r.IPv6...)})
		}
	}
	return g, problems
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

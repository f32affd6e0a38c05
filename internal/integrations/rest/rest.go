// Package rest imports nodes and circuits from an operator's own HTTP
// endpoint returning the JSON document described in docs/rest-integration.md
// (schema: docs/rest-integration.schema.json).
package rest

import (
	"context"
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

// Integration is the REST/JSON importer. The zero value uses lqos.conf
// settings; the fields override them (tests, tools).
type Integration struct {
	Timeout time.Duration           // per request attempt
	Backoff func(int) time.Duration // pause before retry n
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "REST" }

func (in Integration) client(c config.REST) (*apiclient.Client, error) {
	hc, err := apiclient.HTTPClient(c.VerifyTLS, c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("rest: rest_integration.%w", err)
	}
	timeout := time.Duration(max(c.TimeoutSecs, 1)) * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	cl := &apiclient.Client{Name: "rest", HTTP: hc, Timeout: timeout, Backoff: in.Backoff, Attempts: 3,
		RetryStatus: apiclient.RetryableOrThrottled, Secrets: []string{c.BearerToken, c.Password}}
	switch {
	case c.BearerToken != "":
		tok := c.BearerToken
		cl.Auth = func(h http.Header) { h.Set("Authorization", "Bearer "+tok) }
	case c.Username != "" || c.Password != "":
		user, pass := c.Username, c.Password
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(user, pass)
		basic := req.Header.Get("Authorization")
		cl.Secrets = append(cl.Secrets, strings.TrimPrefix(basic, "Basic "))
		cl.Auth = func(h http.Header) { h.Set("Authorization", basic) }
	}
	return cl, nil
}

// Fetch gets and validates the document.
func (in Integration) Fetch(ctx context.Context, c config.REST) (*Document, error) {
	raw := strings.TrimSpace(c.URL)
	if raw == "" {
		return nil, errors.New("rest: rest_integration.url is empty")
	}
	if u, err := url.Parse(raw); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("rest: rest_integration.url is not an http(s) URL")
	}
	cl, err := in.client(c)
	if err != nil {
		return nil, err
	}
	body, err := cl.Do(ctx, apiclient.Request{Method: http.MethodGet, URL: raw, Endpoint: "url"})
	if err != nil {
		return nil, err
	}
	doc, err := Parse(body)
	if err != nil {
		return nil, cl.Errorf("url: %v", err)
	}
	return doc, nil
}

// Import implements integrations.Integration. The compile mode is
// topology.compile_mode (any of flat, ap_only, ap_site, full), default full.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	mode, err := graph.NormalizeMode(cfg.Topology.CompileMode, graph.ModeFull)
	if err != nil {
		return nil, fmt.Errorf("rest: topology.compile_mode: %w", err)
	}
	doc, err := in.Fetch(ctx, cfg.REST)
	if err != nil {
		return nil, err
	}
	g := Build(doc, graph.RatePolicyFromConfig(cfg).Commit)
	opts, err := graph.OptionsFromConfig(cfg, "REST", mode)
	if err != nil {
		return nil, err
	}
	return graph.Compile(g, opts)
}

// Build maps a validated document onto the common graph. Rates are taken as
// given; a missing minimum is the maximum × commit.
func Build(doc *Document, commit float64) *graph.Graph {
	g := graph.New()
	kinds := map[string]graph.Kind{"site": graph.KindSite, "ap": graph.KindAP}
	for _, n := range doc.Nodes {
		g.Add(graph.Node{ID: "node:" + n.ID, Name: n.Name, ParentID: prefixed("node:", n.ParentID), Kind: kinds[n.Type],
			NetworkID: n.ID, DownloadMbps: n.DownloadMbps, UploadMbps: n.UploadMbps, Latitude: n.Latitude, Longitude: n.Longitude})
	}
	minOr := func(lo, hi float64) float64 {
		if lo > 0 {
			return lo
		}
		return graph.Round2(hi * commit)
	}
	for _, c := range doc.Circuits {
		g.Add(graph.Node{ID: c.ID, Name: c.Name, ParentID: prefixed("node:", c.ParentID), Kind: graph.KindClient, Address: c.Address,
			Suspended: c.Suspended, Rates: graph.Rates{
				DownloadMin: minOr(c.DownloadMin, c.DownloadMax), UploadMin: minOr(c.UploadMin, c.UploadMax),
				DownloadMax: c.DownloadMax, UploadMax: c.UploadMax}})
		for _, d := range c.Devices {
			g.Add(graph.Node{ID: "device:" + d.ID, DeviceID: d.ID, Name: firstNonEmpty(d.Name, d.ID), ParentID: c.ID, Kind: graph.KindDevice, MAC: d.MAC,
				IPs: append(append([]string(nil), d.IPv4...), d.IPv6...)})
		}
	}
	return g
}

func prefixed(p, id string) string {
	if id == "" {
		return ""
	}
	return p + id
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

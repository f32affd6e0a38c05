package rest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
	"github.com/libreqos-go/lqos/internal/testwait"
)

const (
	exampleFile = "../../../docs/rest-integration.example.json"
	schemaFile  = "../../../docs/rest-integration.schema.json"
	bearer      = "rest-SECRET-bearer-1"
	password    = "rest-SECRET-pass-2"
)

type handler func(w http.ResponseWriter, r *http.Request, n int32)

// fakeEndpoint requires the configured credentials, like the example server.
func fakeEndpoint(t testing.TB, wantAuth func(r *http.Request) bool, h handler) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.Method != http.MethodGet || r.URL.Path != "/libreqos.json" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if !wantAuth(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="libreqos"`)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("unauthorized: " + r.Header.Get("Authorization")))
			return
		}
		h(w, r, n)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func bearerAuth(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+bearer }

func serveFile(t *testing.T, path string) handler {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request, n int32) { w.Write(b) }
}

func cfgFor(url string) *config.Config {
	c := integtest.Config()
	c.REST = config.Defaults().REST
	c.REST.Enable = true
	c.REST.URL = url + "/libreqos.json"
	c.REST.BearerToken = bearer
	c.UISP.SuspendedStrategy = "slow"
	return c
}

var fast = Integration{Timeout: 5 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }}

// The documented example, compiled in every mode, against golden files.
func TestExampleGolden(t *testing.T) {
	srv, _ := fakeEndpoint(t, bearerAuth, serveFile(t, exampleFile))
	for _, mode := range []string{graph.ModeFlat, graph.ModeAPOnly, graph.ModeAPSite, graph.ModeFull} {
		t.Run(mode, func(t *testing.T) {
			cfg := cfgFor(srv.URL)
			cfg.Topology.CompileMode = mode
			res, err := fast.Import(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, f := integtest.CheckOutputs(t, res)
			integtest.Golden(t, mode+".network.json", res.NetworkJSON())
			integtest.Golden(t, mode+".ShapedDevices.csv", res.ShapedDevicesCSV())
			pat := integtest.Row(t, f, "1001")
			if pat.DownloadMin != 24.5 || pat.UploadMax != 5 || pat.Devices[0].ID != "1001-cpe" || len(pat.Devices[0].IPv6) != 1 {
				t.Errorf("1001 = %+v", pat)
			}
			if acme := integtest.Row(t, f, "1002"); acme.DownloadMin != 98 || len(acme.Devices) != 2 {
				t.Errorf("1002 = %+v (missing min = max x commit)", acme)
			}
			if sam := integtest.Row(t, f, "1003"); sam.DownloadMax != graph.DefaultSlowMbps {
				t.Errorf("suspended 1003 = %+v", sam)
			}
			if f.Circuit("1007") != nil || strings.Join(res.Summary.SkippedNoIP, ",") != "1007" {
				t.Errorf("circuit without devices: skipped %v", res.Summary.SkippedNoIP)
			}
			wantParent := map[string]string{graph.ModeFlat: "", graph.ModeAPOnly: "ap-north-1", graph.ModeAPSite: "ap-north-1", graph.ModeFull: "ap-north-1"}[mode]
			if pat.ParentNodeID != wantParent {
				t.Errorf("1001 parent id %q, want %q", pat.ParentNodeID, wantParent)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	basic := func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		return ok && u == "shaper" && p == password
	}
	cases := []struct {
		name    string
		want    func(*http.Request) bool
		mod     func(*config.REST)
		wantErr string
	}{
		{"bearer token", bearerAuth, func(*config.REST) {}, ""},
		{"basic auth", basic, func(c *config.REST) { c.BearerToken, c.Username, c.Password = "", "shaper", password }, ""},
		{"no credentials", func(r *http.Request) bool { return r.Header.Get("Authorization") == "" }, func(c *config.REST) { c.BearerToken = "" }, ""},
		{"wrong bearer not retried", bearerAuth, func(c *config.REST) { c.BearerToken = "rest-WRONG-bearer" }, "rest: url: HTTP 401 Unauthorized: unauthorized: Bearer [redacted]"},
		{"wrong password", basic, func(c *config.REST) { c.BearerToken, c.Username, c.Password = "", "shaper", "rest-WRONG-pass" }, "HTTP 401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := fakeEndpoint(t, tc.want, serveFile(t, exampleFile))
			cfg := cfgFor(srv.URL)
			tc.mod(&cfg.REST)
			res, err := fast.Import(context.Background(), cfg)
			if tc.wantErr == "" {
				if err != nil || len(res.Circuits) != 6 {
					t.Fatalf("%v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			for _, s := range []string{"WRONG", password} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("secret in error: %v", err)
				}
			}
			if hits.Load() != 1 {
				t.Errorf("hits %d", hits.Load())
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	cases := []struct {
		name     string
		h        handler
		wantErr  string
		wantHits int32
	}{
		{"500 retried", func(w http.ResponseWriter, r *http.Request, n int32) { w.WriteHeader(500) }, "HTTP 500 Internal Server Error after 3 attempts", 3},
		{"429 retried, then answered", func(w http.ResponseWriter, r *http.Request, n int32) {
			if n == 1 {
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{"nodes":[],"circuits":[]}`))
		}, "", 2},
		{"truncated", func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Write([]byte("{\"nodes\": [],\n \"circuits\": [{\"id\": \"1\","))
		}, "line 2, column 26 (byte 39): the JSON document ends early", 1},
		{"syntax error", func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Write([]byte("{\"nodes\": [],\n \"circuits\": [}"))
		}, "line 2, column 15 (byte 28): malformed JSON: invalid character '}'", 1},
		{"HTML", func(w http.ResponseWriter, r *http.Request, n int32) { w.Write([]byte("<!DOCTYPE html><p>login</p>")) }, "reply is HTML", 1},
		{"slow", nil, "no reply within 50ms", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, in := tc.h, fast
			if h == nil {
				stall := integtest.Stall(t)
				h = func(w http.ResponseWriter, r *http.Request, n int32) { stall(w, r) }
				in.Timeout = 50 * time.Millisecond
			}
			srv, hits := fakeEndpoint(t, bearerAuth, h)
			var dials atomic.Int32
			if tc.h == nil {
				// An attempt that times out may be given up before the
				// server has read its request, so the slow case counts the
				// attempts as the connections they dialled (a timed-out
				// request's connection is closed, the next attempt dials
				// again): each reaches the server's accept queue.
				srv.Config.ConnState = nil
				srv.Close()
				srv = httptest.NewUnstartedServer(srv.Config.Handler)
				srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
					if st == http.StateNew {
						dials.Add(1)
					}
				}
				srv.Start()
				t.Cleanup(srv.Close)
			}
			_, err := in.Import(context.Background(), cfgFor(srv.URL))
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if tc.h == nil {
				testwait.Poll(t, func() bool { return dials.Load() >= int32(tc.wantHits) })
				if n := dials.Load(); n != int32(tc.wantHits) {
					t.Errorf("attempts (connections) = %d, want %d", n, tc.wantHits)
				}
			} else if hits.Load() != tc.wantHits {
				t.Errorf("hits = %d, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

// Strict validation: every problem names its JSON path.
func TestValidation(t *testing.T) {
	dev := `{"id":"d1","ipv4":["100.64.0.1"]}`
	circ := func(extra string) string {
		return `{"nodes":[{"id":"s","name":"S","type":"site"}],"circuits":[{"id":"c1","name":"C","download_max_mbps":10,"upload_max_mbps":2,"devices":[` + dev + `]` + extra + `}]}`
	}
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"top level not an object", `[]`, []string{"$: must be an object, got an array"}},
		{"missing arrays", `{}`, []string{`$: required field "nodes" is missing`, `$: required field "circuits" is missing`}},
		{"unknown top-level field", `{"nodes":[],"circuits":[],"sites":[]}`, []string{"$.sites: unknown field"}},
		{"version", `{"version":2,"nodes":[],"circuits":[]}`, []string{"$.version: unsupported version 2"}},
		{"version not integer", `{"version":1.5,"nodes":[],"circuits":[]}`, []string{"$.version: must be an integer, got the number 1.5"}},
		{"node type", `{"nodes":[{"id":"s","name":"S","type":"tower"}],"circuits":[]}`, []string{`$.nodes[0].type: must be "site" or "ap", got "tower"`}},
		{"node id number", `{"nodes":[{"id":7,"name":"S","type":"site"}],"circuits":[]}`, []string{"$.nodes[0].id: must be a string, got the number 7"}},
		{"node duplicate and unknown parent", `{"nodes":[{"id":"s","name":"S","type":"site"},{"id":"s","name":"T","type":"ap","parent_id":"x"}],"circuits":[]}`,
			[]string{`$.nodes[1].id: duplicate node id "s" (first at $.nodes[0])`, `$.nodes[1].parent_id: no node has id "x"`}},
		{"node capacity", `{"nodes":[{"id":"s","name":"S","type":"site","download_mbps":0,"upload_mbps":"fast"}],"circuits":[]}`,
			[]string{"$.nodes[0].download_mbps: must be greater than 0, got 0", `$.nodes[0].upload_mbps: must be a number, got the string "fast"`}},
		{"lonely latitude", `{"nodes":[{"id":"s","name":"S","type":"site","latitude":95}],"circuits":[]}`,
			[]string{"$.nodes[0].latitude: must be -90..90", "$.nodes[0]: latitude and longitude go together"}},
		{"circuit rates", strings.Replace(circ(`,"download_min_mbps":20`), `"upload_max_mbps":2`, `"upload_max_mbps":null`, 1),
			[]string{"$.circuits[0].upload_max_mbps: must be a number, got null", "$.circuits[0].download_min_mbps: 20 is greater than the max rate 10"}},
		{"circuit missing rate", `{"nodes":[],"circuits":[{"id":"c","name":"C","devices":[]}]}`,
			[]string{`$.circuits[0]: required field "download_max_mbps" is missing`, `$.circuits[0]: required field "upload_max_mbps" is missing`}},
		{"circuit unknown parent", circ(`,"parent_id":"nowhere"`), []string{`$.circuits[0].parent_id: no node has id "nowhere"`}},
		{"suspended type", circ(`,"suspended":"yes"`), []string{`$.circuits[0].suspended: must be true or false, got the string "yes"`}},
		{"empty name", strings.Replace(circ(""), `"name":"C"`, `"name":" "`, 1), []string{"$.circuits[0].name: must not be empty"}},
		{"unknown device field", strings.Replace(circ(""), dev, `{"id":"d1","ip":"100.64.0.1"}`, 1), []string{"$.circuits[0].devices[0].ip: unknown field"}},
		{"bad addresses", strings.Replace(circ(""), dev, `{"id":"d1","ipv4":["100.64.0.1","2001:db8::1","banana",5],"ipv6":"2001:db8::/48"}`, 1),
			[]string{`$.circuits[0].devices[0].ipv4[1]: "2001:db8::1" is not an IPv4 address`, `$.circuits[0].devices[0].ipv4[2]: "banana" is not an IP address or prefix`,
				"$.circuits[0].devices[0].ipv4[3]: must be a string, got the number 5", `$.circuits[0].devices[0].ipv6: must be an array, got the string "2001:db8::/48"`}},
		{"duplicate device across circuits", `{"nodes":[],"circuits":[{"id":"a","name":"A","download_max_mbps":1,"upload_max_mbps":1,"devices":[` + dev + `]},{"id":"a","name":"B","download_max_mbps":1,"upload_max_mbps":1,"devices":[` + dev + `]}]}`,
			[]string{`$.circuits[1].id: duplicate circuit id "a" (first at $.circuits[0])`, `$.circuits[1].devices[0].id: duplicate device id "d1" (first at $.circuits[0].devices[0])`}},
		{"data after document", `{"nodes":[],"circuits":[]} {}`, []string{"data after the JSON document"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// Too many problems: the list stops, and says so.
	var many []string
	for i := 0; i < 30; i++ {
		many = append(many, `{"id":"x"}`)
	}
	_, err := Parse([]byte(`{"nodes":[` + strings.Join(many, ",") + `],"circuits":[]}`))
	if ve, ok := err.(*ValidationError); !ok || len(ve.Problems) != MaxErrors || !ve.More {
		t.Errorf("err = %v", err)
	}
}

// The JSON Schema in docs/ and the validator allow the same fields.
func TestSchemaMatchesValidator(t *testing.T) {
	b, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	type object struct {
		Required             []string                   `json:"required"`
		Properties           map[string]json.RawMessage `json:"properties"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
	}
	var schema struct {
		object
		Defs map[string]object `json:"$defs"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	check := func(name string, o object, fields []field) {
		var props, req, wantProps, wantReq []string
		for k := range o.Properties {
			props = append(props, k)
		}
		req = append(req, o.Required...)
		for _, f := range fields {
			wantProps = append(wantProps, f.name)
			if f.required {
				wantReq = append(wantReq, f.name)
			}
		}
		for _, l := range [][]string{props, req, wantProps, wantReq} {
			sort.Strings(l)
		}
		if strings.Join(props, ",") != strings.Join(wantProps, ",") || strings.Join(req, ",") != strings.Join(wantReq, ",") {
			t.Errorf("%s: schema properties %v required %v; validator %v required %v", name, props, req, wantProps, wantReq)
		}
		if o.AdditionalProperties == nil || *o.AdditionalProperties {
			t.Errorf("%s: the schema must forbid additional properties, as the validator does", name)
		}
	}
	check("document", schema.object, documentFields)
	check("node", schema.Defs["node"], nodeFields)
	check("circuit", schema.Defs["circuit"], circuitFields)
	check("device", schema.Defs["device"], deviceFields)
}

func TestSettings(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"", "rest_integration.url is empty"},
		{"file:///etc/passwd", "not an http(s) URL"},
	} {
		cfg := cfgFor("http://127.0.0.1:1")
		cfg.REST.URL = tc.url
		if _, err := fast.Import(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v", tc.url, err)
		}
	}
}

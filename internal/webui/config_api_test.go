package webui_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/configedit"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
	"github.com/libreqos-go/lqos/internal/webui"
)

// installExamples copies examples/ to a temporary directory (with extra
// lqos.conf text appended) and returns lqos.conf's path.
func installExamples(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"lqos.conf", "ShapedDevices.csv", "network.json", "lqos_overrides.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "lqos.conf" {
			b = bytes.Replace(b, []byte(`lqos_directory = "."`), []byte("lqos_directory = \".\"\nstate_directory = \"state\""), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "lqos.conf")
}

type editorEnv struct {
	*env
	cfgPath string
	applied atomic.Int32
	audit   string
}

func newEditorEnv(t *testing.T, edit func(conf []byte) []byte, mod func(*webui.Config)) *editorEnv {
	t.Helper()
	p := installExamples(t, "")
	if edit != nil {
		b, _ := os.ReadFile(p)
		os.WriteFile(p, edit(b), 0o600)
	}
	e := &editorEnv{cfgPath: p, audit: filepath.Join(t.TempDir(), "audit.log")}
	e.env = newEnv(t, func(c *webui.Config) {
		c.Editor = &configedit.Store{ConfigPath: p, HistoryDir: filepath.Join(filepath.Dir(p), "history"), Queues: 4}
		c.AuditFile = e.audit
		c.ApplyConfig = func(context.Context, string) (string, error) { e.applied.Add(1); return "1 class changed", nil }
		if mod != nil {
			mod(c)
		}
	})
	return e
}

func fileBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConfigSectionSaveRules(t *testing.T) {
	e := newEditorEnv(t, nil, nil)
	admin, viewer := e.setup(t)
	before := fileBytes(t, e.cfgPath)

	// Read-only users see the values, and may not save.
	r := viewer.do(t, "GET", "/api/config/section/queues", nil, nil)
	if r.Status != 200 || !contains(string(r.Body), `"queues.default_sqm":"cake diffserv4"`) || !contains(string(r.Body), `"can_edit":false`) {
		t.Fatalf("viewer GET: %d %s", r.Status, r.Body)
	}
	version := r.json(t)["version"].(string)
	save := map[string]any{"version": version, "values": map[string]any{"queues.default_sqm": "fq_codel"}}
	if r = viewer.do(t, "PUT", "/api/config/section/queues", save, nil); r.Status != http.StatusForbidden {
		t.Fatalf("viewer PUT: %d, want 403", r.Status)
	}
	// Without the CSRF token even an admin is refused.
	if r = admin.do(t, "PUT", "/api/config/section/queues", save, map[string]string{"X-CSRF-Token": ""}); r.Status != http.StatusForbidden {
		t.Fatalf("PUT without CSRF: %d, want 403", r.Status)
	}
	// Invalid: both errors named by key, nothing written.
	bad := map[string]any{"version": version, "values": map[string]any{"queues.uplink_bandwidth_mbps": 0, "queues.max_circuit_removal_percent": 101}}
	r = admin.do(t, "PUT", "/api/config/section/queues", bad, nil)
	if r.Status != http.StatusUnprocessableEntity || !contains(string(r.Body), `"field":"queues.uplink_bandwidth_mbps"`) || !contains(string(r.Body), `"field":"queues.max_circuit_removal_percent"`) {
		t.Fatalf("invalid PUT: %d %s", r.Status, r.Body)
	}
	if !bytes.Equal(fileBytes(t, e.cfgPath), before) {
		t.Fatal("a refused save changed lqos.conf")
	}
	// Valid: written, comments kept, applied, backed up, audited.
	r = admin.do(t, "PUT", "/api/config/section/queues", save, nil)
	if r.Status != 200 {
		t.Fatalf("valid PUT: %d %s", r.Status, r.Body)
	}
	after := fileBytes(t, e.cfgPath)
	if !bytes.Equal(after, bytes.Replace(before, []byte(`default_sqm = "cake diffserv4"`), []byte(`default_sqm = "fq_codel"`), 1)) {
		t.Fatalf("lqos.conf after save is not the old file with one value changed:\n%s", after)
	}
	if e.applied.Load() != 1 || r.json(t)["applied"] != "1 class changed" {
		t.Fatalf("apply called %d times; response %s", e.applied.Load(), r.Body)
	}
	h := admin.do(t, "GET", "/api/config/history?file=lqos.conf", nil, nil)
	if !contains(string(h.Body), `"actor":"admin"`) {
		t.Fatalf("history: %s", h.Body)
	}
	a := admin.do(t, "GET", "/api/config/audit?file=lqos.conf", nil, nil)
	if !contains(string(a.Body), `"action":"config.save"`) || !contains(string(a.Body), "queues.default_sqm") || !contains(string(a.Body), `"outcome":"refused"`) {
		t.Fatalf("audit: %s", a.Body)
	}
	// The page's copy is now stale: 409, nothing written.
	save["values"] = map[string]any{"queues.default_sqm": "cake"}
	if r = admin.do(t, "PUT", "/api/config/section/queues", save, nil); r.Status != http.StatusConflict || r.reason(t) != "stale" {
		t.Fatalf("stale PUT: %d %s", r.Status, r.Body)
	}
	if !bytes.Equal(fileBytes(t, e.cfgPath), after) {
		t.Fatal("a stale save changed lqos.conf")
	}
}

// Every secret value stored in lqos.conf is absent from every response of
// the configuration API, whatever the page, including refused saves and
// connection tests.
func TestConfigSecretsNeverSent(t *testing.T) {
	var values []string
	e := newEditorEnv(t, func(b []byte) []byte {
		n := 0
		var edits []configedit.Edit
		for _, sec := range configedit.Sections() {
			for _, fd := range sec.Fields {
				if fd.Type != "secret" {
					continue
				}
				n++
				v := fmt.Sprintf("SECRET-%02d-%s", n, strings.Repeat("x", 8))
				values = append(values, v)
				edits = append(edits, configedit.Edit{Key: fd.Key, Value: v})
			}
		}
		out, err := configedit.EditTOML(b, edits)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}, func(c *webui.Config) { c.TestTimeout = 2 * time.Second })
	if len(values) < 10 {
		t.Fatalf("only %d secret fields", len(values))
	}
	admin, viewer := e.setup(t)
	var bodies [][]byte
	for _, c := range []*client{admin, viewer} {
		for _, sec := range configedit.Sections() {
			r := c.do(t, "GET", "/api/config/section/"+sec.ID, nil, nil)
			if r.Status != 200 {
				t.Fatalf("GET %s: %d %s", sec.ID, r.Status, r.Body)
			}
			if sec.Integration != "" && !contains(string(r.Body), `":true`) {
				t.Errorf("%s: no secret reported as configured: %s", sec.ID, r.Body)
			}
			bodies = append(bodies, r.Body)
		}
		for _, p := range []string{"/api/config/sections", "/api/config/history?file=lqos.conf", "/api/config/audit", "/api/config/network", "/api/config/devices"} {
			bodies = append(bodies, c.do(t, "GET", p, nil, nil).Body)
		}
	}
	version := admin.do(t, "GET", "/api/config/section/uisp", nil, nil).json(t)["version"].(string)
	for _, sec := range configedit.Sections() {
		// A refused save (bad type) and a valid one, then a connection test.
		bodies = append(bodies, admin.do(t, "PUT", "/api/config/section/"+sec.ID, map[string]any{"version": version, "values": map[string]any{sec.Fields[0].Key: map[string]any{"x": 1}}}, nil).Body)
		if sec.Integration != "" {
			bodies = append(bodies, admin.do(t, "POST", "/api/config/section/"+sec.ID+"/test", map[string]any{"version": version, "values": map[string]any{}}, nil).Body)
		}
	}
	for _, b := range bodies {
		for _, v := range values {
			if bytes.Contains(b, []byte(v)) || bytes.Contains(b, []byte(v[:10])) {
				t.Fatalf("a response carries secret %s: %s", v, b)
			}
		}
	}
	if a := fileBytes(t, e.audit); bytes.Contains(a, []byte("SECRET-")) {
		t.Fatalf("the audit log carries a secret: %s", a)
	}
}

func TestConfigTestConnection(t *testing.T) {
	reply, err := os.ReadFile(filepath.Join("..", "integrations", "netzur", "testdata", "reply.json"))
	if err != nil {
		t.Fatal(err)
	}
	const key = "netzur-key-123456"
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write(reply)
	}))
	defer ok.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(reply) }))
	defer tlsSrv.Close()
	stall := httptest.NewServer(http.HandlerFunc(integtest.Stall(t)))
	defer stall.Close()

	// The budget of a test is what separates "no answer" from the others:
	// a short one where the server stalls, a long one where the failure
	// comes from the reply (or the resolver) however slow the machine is.
	e := newEditorEnv(t, nil, func(c *webui.Config) { c.TestTimeout = time.Minute })
	admin, viewer := e.setup(t)
	short := newEditorEnv(t, nil, func(c *webui.Config) { c.TestTimeout = 300 * time.Millisecond })
	shortAdmin, _ := short.setup(t)
	before := fileBytes(t, e.cfgPath)
	version := admin.do(t, "GET", "/api/config/section/netzur", nil, nil).json(t)["version"].(string)
	cases := []struct {
		name, url, key, kind string
		c                    *client
	}{
		{"ok", ok.URL, key, "", admin},
		{"wrong key", ok.URL, "wrong-key-000", "auth", admin},
		{"self-signed certificate", tlsSrv.URL, key, "tls", admin},
		{"unknown host", "http://no-such-host.invalid/api", key, "dns", admin},
		{"no answer", stall.URL, key, "timeout", shortAdmin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.c.do(t, "POST", "/api/config/section/netzur/test", map[string]any{"version": version,
				"values": map[string]any{"netzur_integration.api_url": c.url, "netzur_integration.api_key": c.key}}, nil)
			m := r.json(t)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if c.kind == "" {
				if m["ok"] != true || m["circuits"].(float64) < 1 {
					t.Fatalf("want ok with a count: %s", r.Body)
				}
			} else if m["ok"] == true || m["kind"] != c.kind {
				t.Fatalf("want kind %q: %s", c.kind, r.Body)
			}
			if bytes.Contains(r.Body, []byte(c.key)) {
				t.Fatalf("the key is in the reply: %s", r.Body)
			}
		})
	}
	if r := viewer.do(t, "POST", "/api/config/section/netzur/test", map[string]any{"version": version, "values": map[string]any{}}, nil); r.Status != http.StatusForbidden {
		t.Fatalf("viewer test: %d", r.Status)
	}
	if !bytes.Equal(fileBytes(t, e.cfgPath), before) {
		t.Fatal("a connection test wrote lqos.conf")
	}
}

func TestConfigNetworkAndDevices(t *testing.T) {
	e := newEditorEnv(t, nil, nil)
	admin, viewer := e.setup(t)
	dir := filepath.Dir(e.cfgPath)
	csvPath := filepath.Join(dir, "ShapedDevices.csv")
	csv0 := fileBytes(t, csvPath)

	d := admin.do(t, "GET", "/api/config/devices?q=Device%201&limit=5", nil, nil).json(t)
	if d["matched"].(float64) < 1 || len(d["rows"].([]any)) > 5 || d["can_edit"] != true {
		t.Fatalf("devices page: %v", d)
	}
	version := d["version"].(string)
	row := map[string]any{"circuit_id": "c-new", "circuit_name": "New", "device_id": "d-new", "device_name": "n", "parent_node": "Nowhere", "mac": "",
		"ipv4": "100.64.77.1", "ipv6": "", "download_min_mbps": 1, "upload_min_mbps": 1, "download_max_mbps": 10, "upload_max_mbps": 10, "comment": "", "sqm": ""}
	// Unknown parent: refused with the row named, file untouched.
	r := admin.do(t, "POST", "/api/config/devices", map[string]any{"version": version, "op": "add", "row": row}, nil)
	if r.Status != 422 || !contains(string(r.Body), `"device":"d-new"`) || !contains(string(r.Body), `"field":"Parent Node"`) {
		t.Fatalf("bad add: %d %s", r.Status, r.Body)
	}
	if !bytes.Equal(fileBytes(t, csvPath), csv0) {
		t.Fatal("refused add changed the CSV")
	}
	if r = viewer.do(t, "POST", "/api/config/devices", map[string]any{"version": version, "op": "add", "row": row}, nil); r.Status != 403 {
		t.Fatalf("viewer add: %d", r.Status)
	}
	row["parent_node"] = "AP_A"
	if r = admin.do(t, "POST", "/api/config/devices", map[string]any{"version": version, "op": "add", "row": row}, nil); r.Status != 200 {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	if !contains(string(fileBytes(t, csvPath)), "c-new,New,d-new") {
		t.Fatal("added row not in the file")
	}
	// CSV export is the file; import of an invalid file is refused.
	ex := admin.do(t, "GET", "/api/config/devices.csv", nil, nil)
	if !bytes.Equal(ex.Body, fileBytes(t, csvPath)) {
		t.Fatal("export differs from the file")
	}

	// Network: a node renamed away from under its circuits is refused.
	n := admin.do(t, "GET", "/api/config/network", nil, nil).json(t)
	nodes := n["nodes"].([]any)
	top := nodes[0].(map[string]any)
	kids := top["children"].([]any)
	ap := kids[0].(map[string]any)
	ap["name"] = "AP_A_renamed"
	r = admin.do(t, "PUT", "/api/config/network", map[string]any{"version": n["version"], "nodes": nodes}, nil)
	if r.Status != 422 || !contains(string(r.Body), "AP_A") {
		t.Fatalf("rename under circuits: %d %s", r.Status, r.Body)
	}
	ap["name"] = "AP_A"
	ap["download_mbps"] = 450
	if r = admin.do(t, "PUT", "/api/config/network", map[string]any{"version": n["version"], "nodes": nodes}, nil); r.Status != 200 {
		t.Fatalf("rate change: %d %s", r.Status, r.Body)
	}
	if !contains(string(fileBytes(t, filepath.Join(dir, "network.json"))), `"downloadBandwidthMbps": 450`) {
		t.Fatal("rate not written")
	}

	// With an integration enabled both files are read-only.
	conf := fileBytes(t, e.cfgPath)
	os.WriteFile(e.cfgPath, bytes.Replace(conf, []byte("enable_uisp = false"), []byte("enable_uisp = true"), 1), 0o600)
	n = admin.do(t, "GET", "/api/config/network", nil, nil).json(t)
	if n["can_edit"] != false || fmt.Sprint(n["owners"]) != "[uisp]" {
		t.Fatalf("owned network: %v", n)
	}
	r = admin.do(t, "PUT", "/api/config/network", map[string]any{"version": n["version"], "nodes": n["nodes"]}, nil)
	if r.Status != 409 || r.reason(t) != "owned" {
		t.Fatalf("owned save: %d %s", r.Status, r.Body)
	}
}

func TestUsersRoleAndPassword(t *testing.T) {
	e := newEditorEnv(t, nil, nil)
	admin, viewer := e.setup(t)
	if r := admin.do(t, "PATCH", "/api/users/admin", map[string]any{"role": "readonly"}, nil); r.Status != 409 || r.reason(t) != "last_admin" {
		t.Fatalf("demoting the last admin: %d %s", r.Status, r.Body)
	}
	if r := viewer.do(t, "PATCH", "/api/users/viewer", map[string]any{"role": "admin"}, nil); r.Status != 403 {
		t.Fatalf("viewer promoting itself: %d", r.Status)
	}
	if r := admin.do(t, "PATCH", "/api/users/viewer", map[string]any{"password": "new-password-9"}, nil); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if r := viewer.do(t, "GET", "/api/session", nil, nil); r.Status != 401 {
		t.Fatalf("viewer session after reset: %d, want 401", r.Status)
	}
	v2 := e.client()
	if v2.login(t, "viewer", roPass) == 200 || v2.login(t, "viewer", "new-password-9") != 200 {
		t.Fatal("password reset did not take")
	}
	if r := admin.do(t, "PATCH", "/api/users/viewer", map[string]any{"role": "admin"}, nil); r.Status != 200 {
		t.Fatalf("promote: %d %s", r.Status, r.Body)
	}
	if r := admin.do(t, "DELETE", "/api/users/admin", nil, nil); r.Status != 200 {
		t.Fatalf("delete admin with a second admin: %d %s", r.Status, r.Body)
	}
}

package webui_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

func getJSON[T any](t *testing.T, c *client, path string) T {
	t.Helper()
	r := c.do(t, "GET", path, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return v
}

func TestNetworkPagesAPI(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t) // read-only users see every page's data

	tree := getJSON[webui.TreeView](t, viewer, "/api/tree")
	if len(tree.Nodes) != 6 || tree.Nodes[3].Name != "Riverside AP" || tree.Nodes[3].Parent != 2 {
		t.Fatalf("tree %+v", tree.Nodes)
	}
	if tree.Nodes[0].Circuits != 32 || tree.Nodes[0].Live.BitsPerSecond.Down == 0 || !tree.Nodes[5].Generated {
		t.Errorf("rollup: %+v", tree.Nodes[0])
	}

	node := getJSON[webui.NodeView](t, viewer, "/api/node?id=tower-south")
	if len(node.Children) != 1 || node.Children[0].ID != "ap-riverside" || len(node.Circuits) != 8 ||
		len(node.Path) != 2 || node.Path[0].Name != "Downtown POP" || node.History == nil {
		t.Errorf("node view: children %v circuits %d path %v", node.Children, len(node.Circuits), node.Path)
	}
	byName := getJSON[webui.NodeView](t, viewer, "/api/node?id=Hilltop") // the dashboard links by name
	if byName.Node.ID != "hilltop" {
		t.Errorf("node by name: %+v", byName.Node)
	}

	circ := getJSON[webui.CircuitView](t, viewer, "/api/circuit?id=c1002")
	if circ.Circuit.ParentName != "Riverside AP" || len(circ.Path) != 3 || len(circ.Devices) != 2 || len(circ.Queues) != 2 || len(circ.Flows) != 5 {
		t.Errorf("circuit view: %+v path %v devices %d queues %d flows %d", circ.Circuit, circ.Path, len(circ.Devices), len(circ.Queues), len(circ.Flows))
	}

	cpu := getJSON[webui.CPUView](t, viewer, "/api/cpu")
	if len(cpu.Plan.CPUs) != 4 || cpu.Imbalance < 1 || len(cpu.Heaviest) != 3 || cpu.Heaviest[0].BitsPerSecond < cpu.Heaviest[1].BitsPerSecond {
		t.Errorf("cpu view: %+v", cpu)
	}

	for _, tc := range []struct {
		path  string
		want  int
		field string
	}{
		{"/api/node?id=nope", 404, ""},
		{"/api/circuit?id=nope", 404, ""},
		{"/api/devices?sort=password", 400, "query field sort"},
		{"/api/devices?limit=100000", 400, "query field limit"},
		{"/api/devices?offset=-1", 400, "query field offset"},
		{"/api/history?kind=node&id=x&range=7d", 400, "query field range"},
		{"/api/history?kind=user&id=x&range=5m", 400, "query field kind"},
	} {
		r := viewer.do(t, "GET", tc.path, nil, nil)
		if r.Status != tc.want || !strings.Contains(string(r.Body), tc.field) {
			t.Errorf("GET %s: %d %s, want %d naming %q", tc.path, r.Status, r.Body, tc.want, tc.field)
		}
	}
}

func TestDevicesListSearchSortPage(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	cases := []struct {
		query             string
		matched, rows     int
		firstCircuit      string
		firstDeviceSuffix string
	}{
		{"", 47, 47, "Alice Garcia #11", "router"},
		{"?limit=10&offset=40&sort=circuit_id", 47, 7, "Dave Jones #34", ""},
		{"?q=judy", 4, 4, "Judy Jones #10", ""},
		{"?q=100.65.0.", 7, 7, "", " AP"},
		{"?q=02:00:5e:00:00:0a", 1, 1, "Alice Garcia #11", ""},
		{"?sort=max_down&desc=1&limit=1", 47, 1, "", ""},
	}
	for _, tc := range cases {
		v := getJSON[webui.DevicesView](t, viewer, "/api/devices"+tc.query)
		if v.Total != 47 || v.Matched != tc.matched || len(v.Rows) != tc.rows {
			t.Errorf("%q: total %d matched %d rows %d", tc.query, v.Total, v.Matched, len(v.Rows))
			continue
		}
		if tc.firstCircuit != "" && v.Rows[0].CircuitName != tc.firstCircuit {
			t.Errorf("%q: first %q, want %q", tc.query, v.Rows[0].CircuitName, tc.firstCircuit)
		}
		if tc.firstDeviceSuffix != "" && !strings.HasSuffix(v.Rows[0].DeviceName, tc.firstDeviceSuffix) {
			t.Errorf("%q: first device %q", tc.query, v.Rows[0].DeviceName)
		}
	}
	if v := getJSON[webui.DevicesView](t, viewer, "/api/devices?sort=max_down&desc=1&limit=1"); v.Rows[0].MaxMbps.Down != 500 {
		t.Errorf("largest plan first: %+v", v.Rows[0])
	}
}

func TestUnknownIPsCSV(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	r := viewer.do(t, "GET", "/api/unknown.csv", nil, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(r.Header.Get("Content-Disposition"), "unknown-ips.csv") {
		t.Fatalf("csv: %d %v", r.Status, r.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || strings.Join(rows[0], ",") != "ip,bytes_down,bytes_up,bps_down,bps_up,last_seen" || rows[1][0] != "100.66.0.23" {
		t.Errorf("csv rows %v", rows)
	}
	if _, err := time.Parse(time.RFC3339, rows[1][5]); err != nil {
		t.Errorf("last_seen %q: %v", rows[1][5], err)
	}
}

func TestGlobalSearch(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	cases := []struct {
		q        string
		kind     string
		url      string
		min, max int
	}{
		{"100.64.0.12", "circuit", "/circuit.html?id=c1002", 1, 1},      // exact address first
		{"100.64.0.1", "circuit", "/circuit.html?id=c1000", 2, 50},      // then the prefix matches
		{"riverside", "node", "/node.html?id=ap-riverside", 1, 1},       // site names
		{"alice", "circuit", "/circuit.html?id=c1000", 4, 50},           // circuit names, then device names
		{"02:00:5e:00:00:05", "device", "/circuit.html?id=c1005", 1, 1}, // MAC
		{"x", "", "", 0, 0}, // too short
	}
	for _, tc := range cases {
		v := getJSON[webui.SearchView](t, viewer, "/api/search?q="+tc.q)
		if len(v.Results) < tc.min || len(v.Results) > tc.max {
			t.Errorf("%q: %d results %+v", tc.q, len(v.Results), v.Results)
			continue
		}
		if tc.kind != "" && (v.Results[0].Kind != tc.kind || v.Results[0].URL != tc.url) {
			t.Errorf("%q: first %+v, want %s %s", tc.q, v.Results[0], tc.kind, tc.url)
		}
	}
}

// A Source without PageSource gets 501 with a clear reason, not a crash.
func TestPagesWithoutPageSource(t *testing.T) {
	e := newEnv(t, func(c *webui.Config) { c.Source = plainSource{demosource.New(3)} })
	_, viewer := e.setup(t)
	for _, p := range []string{"/api/tree", "/api/node?id=x", "/api/circuit?id=x", "/api/cpu", "/api/devices", "/api/unknown", "/api/unknown.csv", "/api/search?q=abc"} {
		r := viewer.do(t, "GET", p, nil, nil)
		if r.Status != http.StatusNotImplemented || r.reason(t) != "not_available" {
			t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
		}
	}
}

// plainSource hides the PageSource methods of the demo source.
type plainSource struct{ webui.Source }

func TestWebsocketItemChannels(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	conn, _, err := viewer.dial(t, e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	send(t, conn, map[string]string{"type": "subscribe", "channel": "circuit:c1001"})
	m := readUntil(t, conn, 10, func(m wsMsg) bool { return m.Type == "data" && m.Channel == "circuit:c1001" })
	var cv webui.CircuitView
	if err := json.Unmarshal(m.Data, &cv); err != nil || cv.Circuit.ID != "c1001" || cv.Devices != nil || len(cv.Flows) != 5 {
		t.Errorf("circuit channel: %v %+v", err, cv)
	}
	send(t, conn, map[string]string{"type": "subscribe", "channel": "tree"})
	m = readUntil(t, conn, 20, func(m wsMsg) bool { return m.Type == "data" && m.Channel == "tree" })
	var tl webui.TreeLive
	if err := json.Unmarshal(m.Data, &tl); err != nil || len(tl.Rows) != 6 || tl.Rows[0][0] == 0 {
		t.Errorf("tree channel: %v %+v", err, tl)
	}
	for i := 2; i <= 8; i++ {
		send(t, conn, map[string]string{"type": "subscribe", "channel": "node:n" + string(rune('0'+i))})
	}
	// The ninth per-item channel is refused.
	send(t, conn, map[string]string{"type": "subscribe", "channel": "node:one-too-many"})
	m = readUntil(t, conn, 50, func(m wsMsg) bool { return m.Type == "error" })
	if !strings.Contains(m.Message, "at most 8") {
		t.Errorf("limit error %q", m.Message)
	}
	send(t, conn, map[string]string{"type": "subscribe", "channel": "bogus:"})
	m = readUntil(t, conn, 50, func(m wsMsg) bool { return m.Type == "error" })
	if !strings.Contains(m.Message, "unknown channel") {
		t.Errorf("bad channel error %q", m.Message)
	}
}

func TestSessionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "webusers.json")
	start := func() *env {
		return newEnv(t, func(c *webui.Config) { c.UsersFile = users })
	}
	e1 := start()
	admin, viewer := e1.setup(t)
	gone := e1.client()
	if gone.login(t, "viewer", roPass) != http.StatusOK {
		t.Fatal("second viewer login")
	}
	if r := gone.do(t, "POST", "/api/logout", nil, nil); r.Status != 200 {
		t.Fatalf("logout %d", r.Status)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "webusers.sessions.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{admin, viewer, gone} {
		if ck := c.cookie("lqos_session"); ck != nil && strings.Contains(string(raw), ck.Value) {
			t.Fatal("the sessions file holds a usable cookie")
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "webusers.sessions.json")); st.Mode().Perm() != 0o600 {
		t.Errorf("sessions file mode %v", st.Mode().Perm())
	}
	e1.ts.Close()
	e1.srv.Close()

	// A new server (an lqosd restart) on the same files.
	e2 := start()
	for _, c := range []*client{admin, viewer, gone} {
		c.base = e2.ts.URL
		jarMove(t, c, e1.ts.URL, e2.ts.URL)
	}
	if r := admin.do(t, "GET", "/api/session", nil, nil); r.Status != 200 || r.json(t)["csrf_token"] != admin.csrf {
		t.Fatalf("admin after restart: %d %s", r.Status, r.Body)
	}
	// State-changing calls work with the CSRF token from before.
	if r := admin.do(t, "POST", "/api/users", map[string]string{"username": "third", "password": "third-pass-1", "role": "readonly"}, nil); r.Status != 201 {
		t.Fatalf("create after restart: %d %s", r.Status, r.Body)
	}
	if r := viewer.do(t, "GET", "/api/session", nil, nil); r.Status != 200 {
		t.Fatalf("viewer after restart: %d", r.Status)
	}
	if r := gone.do(t, "GET", "/api/session", nil, nil); r.Status != 401 {
		t.Errorf("logged-out session came back: %d", r.Status)
	}
	// A deleted user's sessions do not come back either.
	if r := admin.do(t, "DELETE", "/api/users/viewer", nil, nil); r.Status != 200 {
		t.Fatalf("delete viewer %d", r.Status)
	}
	e2.ts.Close()
	e2.srv.Close()
	e3 := start()
	viewer.base = e3.ts.URL
	jarMove(t, viewer, e2.ts.URL, e3.ts.URL)
	if r := viewer.do(t, "GET", "/api/session", nil, nil); r.Status != 401 {
		t.Errorf("deleted user's session after restart: %d", r.Status)
	}
}

// A damaged sessions file costs only the logins.
func TestSessionsFileCorrupt(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "webusers.json")
	if err := os.WriteFile(filepath.Join(dir, "webusers.sessions.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *webui.Config) { c.UsersFile = users; c.BcryptCost = bcrypt.MinCost })
	admin, _ := e.setup(t)
	if r := admin.do(t, "GET", "/api/session", nil, nil); r.Status != 200 {
		t.Fatalf("session %d", r.Status)
	}
}

// jarMove copies cookies to the restarted server's address (httptest
// servers get a new port).
func jarMove(t *testing.T, c *client, from, to string) {
	t.Helper()
	fu, _ := http.NewRequest("GET", from, nil)
	tu, _ := http.NewRequest("GET", to, nil)
	c.hc.Jar.SetCookies(tu.URL, c.hc.Jar.Cookies(fu.URL))
}

package configedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// install copies examples/ into a temporary directory and returns a store
// on it.
func install(t testing.TB) *Store {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"lqos.conf", "ShapedDevices.csv", "network.json", "lqos_overrides.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "lqos.conf" {
			b = append(b, []byte("\n")...)
			b = bytes.Replace(b, []byte(`lqos_directory = "."`), []byte("lqos_directory = \".\"\nstate_directory = \"state\""), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	return &Store{ConfigPath: filepath.Join(dir, "lqos.conf"), HistoryDir: filepath.Join(dir, "history"), Queues: 4,
		Now: func() time.Time { n++; return time.Date(2026, 12, 8, 3, 0, n, 0, time.UTC) }}
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEditTOMLKeepsEverythingElse(t *testing.T) {
	src := `# operator's note
version = "1.5"  # keep me
node_name = "a"

[queues]
# the SQM
default_sqm = "cake diffserv4" # trailing
allow = [
  "10.0.0.0/8", # first
  "192.168.0.0/16",
]
custom_unknown_key = 7

[bridge]
to_internet = "eth0"
`
	cases := []struct {
		name  string
		edits []Edit
		want  string
	}{
		{"replace a value keeps its comment", []Edit{{Key: "queues.default_sqm", Value: "fq_codel"}},
			strings.Replace(src, `default_sqm = "cake diffserv4" # trailing`, `default_sqm = "fq_codel" # trailing`, 1)},
		{"replace a multi-line array", []Edit{{Key: "queues.allow", Value: []string{"100.64.0.0/10"}}},
			strings.Replace(src, "allow = [\n  \"10.0.0.0/8\", # first\n  \"192.168.0.0/16\",\n]", `allow = ["100.64.0.0/10"]`, 1)},
		{"add a key to an existing table", []Edit{{Key: "bridge.to_network", Value: "eth1"}},
			src + "to_network = \"eth1\"\n"},
		{"add a key at the top level", []Edit{{Key: "node_id", Value: "x1"}},
			strings.Replace(src, "node_name = \"a\"\n", "node_name = \"a\"\nnode_id = \"x1\"\n", 1)},
		{"add a table", []Edit{{Key: "flows.flow_timeout_seconds", Value: 60}},
			src + "\n[flows]\nflow_timeout_seconds = 60\n"},
		{"delete a key", []Edit{{Key: "queues.custom_unknown_key", Delete: true}},
			strings.Replace(src, "custom_unknown_key = 7\n", "", 1)},
		{"escape text", []Edit{{Key: "node_name", Value: "q\"uote\\ \n"}},
			strings.Replace(src, `node_name = "a"`, `node_name = "q\"uote\\ \n"`, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := EditTOML([]byte(src), c.edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestEditTOMLRefusesWhatItCannotEditSafely(t *testing.T) {
	src := "version = \"1.5\"\nqueues = { default_sqm = \"cake\" }\n"
	if _, err := EditTOML([]byte(src), []Edit{{Key: "queues.default_sqm", Value: "fq_codel"}}); err == nil {
		t.Fatal("an inline table was edited by appending a second [queues]; want a refusal")
	}
	if _, err := EditTOML([]byte("a = \"unterminated\n"), []Edit{{Key: "a", Value: "x"}}); err == nil {
		t.Fatal("a document the scanner cannot read was edited")
	}
}

func TestSaveValidatesRefusesStaleAndKeepsBackups(t *testing.T) {
	st := install(t)
	doc, err := st.Read(DevicesFile)
	if err != nil {
		t.Fatal(err)
	}
	orig := doc.Data

	// A stale base: refused, file untouched.
	if _, err := st.Save(DevicesFile, "0123", orig, "admin"); !errors.Is(err, ErrStale) {
		t.Fatalf("stale save: err %v, want ErrStale", err)
	}
	// Invalid: a circuit under a parent that does not exist.
	bad := bytes.Replace(orig, []byte(",AP_A,"), []byte(",No_Such_AP,"), 1)
	_, err = st.Save(DevicesFile, doc.Version, bad, "admin")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("invalid save: err %v, want a ValidationError", err)
	}
	if !strings.Contains(ve.Problems[0].Message, "No_Such_AP") || ve.Problems[0].Line != 4 || ve.Problems[0].Field != "Parent Node" {
		t.Errorf("problem %+v does not name line 4, Parent Node and the node", ve.Problems[0])
	}
	if !bytes.Equal(read(t, doc.Path), orig) {
		t.Fatal("an invalid save changed the file")
	}
	// The planner's checks run too: a circuit minimum above its maximum.
	if h, _ := st.History(DevicesFile); len(h) != 0 {
		t.Fatalf("refused saves left backups: %v", h)
	}

	// Valid: written, previous kept.
	good := bytes.Replace(orig, []byte("Device 1,"), []byte("Device One,"), 1)
	res, err := st.Save(DevicesFile, doc.Version, good, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, doc.Path), good) || res.Version != Version(good, true) {
		t.Fatal("the valid save was not written")
	}
	hist, err := st.History(DevicesFile)
	if err != nil || len(hist) != 1 || hist[0].Actor != "admin" || hist[0].ID != res.Backup {
		t.Fatalf("history %v (err %v), want the one backup %s by admin", hist, err, res.Backup)
	}
	if !bytes.Equal(read(t, filepath.Join(st.HistoryDir, DevicesFile, hist[0].ID)), orig) {
		t.Fatal("the backup does not hold the previous content")
	}
	// The old version is now stale.
	if _, err := st.Save(DevicesFile, doc.Version, orig, "admin"); !errors.Is(err, ErrStale) {
		t.Fatalf("save on the pre-save version: %v, want ErrStale", err)
	}
	// Restore brings the original back (and backs up the current one).
	if _, err := st.Restore(DevicesFile, hist[0].ID, res.Version, "admin"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, doc.Path), orig) {
		t.Fatal("restore did not bring the original back")
	}
	if h, _ := st.History(DevicesFile); len(h) != 2 {
		t.Fatalf("history after restore: %d entries, want 2", len(h))
	}
	// No staging leftovers next to the inputs.
	ents, _ := os.ReadDir(filepath.Dir(doc.Path))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestOwnedFilesAreRefused(t *testing.T) {
	st := install(t)
	cfg := read(t, st.ConfigPath)
	cfg = bytes.Replace(cfg, []byte("enable_splynx = false"), []byte("enable_splynx = true"), 1)
	os.WriteFile(st.ConfigPath, cfg, 0o600)
	doc, _ := st.Read(NetworkFile)
	_, err := st.Save(NetworkFile, doc.Version, doc.Data, "admin")
	var oe *OwnedError
	if !errors.As(err, &oe) || oe.Integrations[0] != "splynx" {
		t.Fatalf("save of network.json with Splynx on: %v, want OwnedError naming splynx", err)
	}
}

func raw(v any) json.RawMessage { b, _ := json.Marshal(v); return b }

func TestSectionFormsAndSecrets(t *testing.T) {
	st := install(t)
	doc, _ := st.Read(ConfigFile)
	uisp, _ := SectionByID("uisp")
	// Store a token.
	data, changed, err := Apply(uisp, doc.Data, FormChange{Values: map[string]json.RawMessage{"uisp_integration.token": raw("s3cr3t-token-value")}})
	if err != nil || len(changed) != 1 || changed[0] != "uisp_integration.token" {
		t.Fatalf("set token: changed %v, err %v", changed, err)
	}
	s := State(uisp, data)
	if !s.Secrets["uisp_integration.token"] {
		t.Fatal("stored token not reported as configured")
	}
	b, _ := json.Marshal(s)
	if bytes.Contains(b, []byte("s3cr3t")) {
		t.Fatalf("the form state carries the secret: %s", b)
	}
	// Blank keeps it; other fields change.
	data2, changed, err := Apply(uisp, data, FormChange{Values: map[string]json.RawMessage{"uisp_integration.token": raw(""), "uisp_integration.url": raw("https://u.example")}})
	if err != nil || len(changed) != 1 || !bytes.Contains(data2, []byte("s3cr3t-token-value")) {
		t.Fatalf("blank token: changed %v err %v; token kept: %v", changed, err, bytes.Contains(data2, []byte("s3cr3t-token-value")))
	}
	// Clear removes it.
	data3, _, err := Apply(uisp, data2, FormChange{Clear: []string{"uisp_integration.token"}})
	if err != nil || bytes.Contains(data3, []byte("s3cr3t")) || State(uisp, data3).Secrets["uisp_integration.token"] {
		t.Fatalf("clear: err %v, token still there", err)
	}
	// Every credential-looking key of every page is a secret field.
	for _, sec := range Sections() {
		for _, fd := range sec.Fields {
			if IsSecret(fd.Key) != (fd.Type == "secret") {
				t.Errorf("%s: type %s", fd.Key, fd.Type)
			}
		}
	}
	for _, k := range []string{"wispgate_integration.wispgate_api_token", "visp_integration.client_secret", "visp_integration.password", "rest_integration.bearer_token", "splynx_integration.api_secret"} {
		if !IsSecret(k) {
			t.Errorf("%s is not treated as a secret", k)
		}
	}
	if IsSecret("visp_integration.token_url") {
		t.Error("token_url is not a secret")
	}
	// Unknown keys and bad types are refused with the field named.
	q, _ := SectionByID("queues")
	_, _, err = Apply(q, doc.Data, FormChange{Values: map[string]json.RawMessage{"queues.uplink_bandwidth_mbps": raw("fast")}})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "queues.uplink_bandwidth_mbps" {
		t.Fatalf("bad number: %v", err)
	}
	if _, _, err = Apply(q, doc.Data, FormChange{Values: map[string]json.RawMessage{"node_name": raw("x")}}); !errors.As(err, &fe) {
		t.Fatalf("a key of another section: %v", err)
	}
}

func TestConfigValidationNamesTheKey(t *testing.T) {
	st := install(t)
	doc, _ := st.Read(ConfigFile)
	q, _ := SectionByID("queues")
	data, _, err := Apply(q, doc.Data, FormChange{Values: map[string]json.RawMessage{"queues.uplink_bandwidth_mbps": raw(0), "queues.max_circuit_removal_percent": raw(150)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Save(ConfigFile, doc.Version, data, "admin")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	fields := map[string]bool{}
	for _, p := range ve.Problems {
		fields[p.Field] = true
		if p.File != ConfigFile {
			t.Errorf("problem names file %q", p.File)
		}
	}
	if !fields["queues.uplink_bandwidth_mbps"] || !fields["queues.max_circuit_removal_percent"] {
		t.Errorf("problems %+v do not name both keys", ve.Problems)
	}
	if !bytes.Equal(read(t, st.ConfigPath), doc.Data) {
		t.Fatal("lqos.conf changed")
	}
}

func TestNetworkModeSwitch(t *testing.T) {
	st := install(t)
	doc, _ := st.Read(ConfigFile)
	nm, _ := SectionByID("network_mode")
	data, _, err := Apply(nm, doc.Data, FormChange{Values: map[string]json.RawMessage{ModeKey: raw("single_interface"),
		"single_interface.interface": raw("eth5"), "single_interface.internet_vlan": raw(10), "single_interface.network_vlan": raw(20)}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("[bridge]")) || !bytes.Contains(data, []byte("interface = \"eth5\"")) {
		t.Fatalf("switch to single_interface:\n%s", data)
	}
	if _, err := st.Save(ConfigFile, doc.Version, data, "admin"); err != nil {
		t.Fatal(err)
	}
	if v := State(nm, data).Values; v[ModeKey] != "single_interface" || fmt.Sprint(v["single_interface.network_vlan"]) != "20" {
		t.Fatalf("state after switch: %v", v)
	}
}

func TestNetworkTreeRoundTrip(t *testing.T) {
	st := install(t)
	doc, _ := st.Read(NetworkFile)
	tree, l := NetworkTree(doc.Data)
	if l.HasErrors() || len(tree) == 0 {
		t.Fatalf("tree: %v", l.Errors())
	}
	data, probs := EncodeTree(tree)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	again, _ := NetworkTree(data)
	a, _ := json.Marshal(tree)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Fatalf("round trip changed the tree:\n%s\n%s", a, b)
	}
	tree[0].Children = append(tree[0].Children, &LayoutNode{Name: tree[0].Name})
	if _, probs := EncodeTree(tree); len(probs) != 1 || probs[0].Field != tree[0].Name {
		t.Fatalf("duplicate name: %v", probs)
	}
}

func TestDeviceOps(t *testing.T) {
	st := install(t)
	doc, _ := st.Read(DevicesFile)
	rows, _ := DeviceRows(doc.Data)
	n := len(rows)
	add := DeviceRow{CircuitID: "c-new", CircuitName: "New", DeviceID: "d-new", DeviceName: "dev", ParentNode: "AP_A", IPv4: "100.64.50.1",
		DownloadMin: 1, UploadMin: 1, DownloadMax: 10, UploadMax: 10}
	rows, err := ApplyDeviceOp(rows, DeviceOp{Op: "add", Row: add})
	if err != nil || len(rows) != n+1 {
		t.Fatal(err)
	}
	upd := add
	upd.DownloadMax = 20
	rows, err = ApplyDeviceOp(rows, DeviceOp{Op: "update", DeviceID: "d-new", Row: upd})
	if err != nil {
		t.Fatal(err)
	}
	data := EncodeRows(rows)
	if _, err := st.Save(DevicesFile, doc.Version, data, "admin"); err != nil {
		t.Fatal(err)
	}
	back, _ := DeviceRows(data)
	if back[len(back)-1].DownloadMax != 20 || back[len(back)-1].IPv4 != "100.64.50.1" {
		t.Fatalf("row after save: %+v", back[len(back)-1])
	}
	rows, err = ApplyDeviceOp(back, DeviceOp{Op: "delete", DeviceID: "d-new"})
	if err != nil || len(rows) != n {
		t.Fatalf("delete: %v, %d rows", err, len(rows))
	}
	if _, err := ApplyDeviceOp(rows, DeviceOp{Op: "update", DeviceID: "nope", Row: add}); err == nil {
		t.Fatal("update of a missing device accepted")
	}
}

package topology

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/libreqos-go/lqos/internal/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

func dump(l diag.List) string {
	var b strings.Builder
	for _, p := range l.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		errs   []string // fragments of error lines, including line numbers
		nodes  int
		errorN int
	}{
		{name: "flat", json: "{}", nodes: 0},
		{name: "flat with whitespace", json: " { }\n", nodes: 0},
		{name: "invalid json", json: "{oops", errs: []string{"invalid JSON"}, errorN: 1},
		{name: "truncated", json: "{\"A\": {\"children\": {", errs: []string{"unexpected end of file"}, errorN: 1},
		{name: "not an object", json: "[1,2]", errs: []string{"expected \"{\""}, errorN: 1},
		{name: "no node objects", json: "{\"a\": 1}", errs: []string{"no node objects"}, errorN: 1},
		{
			name:   "duplicate names across branches",
			json:   "{\n\"T\": {\"children\": {\n\"X\": {}}},\n\"U\": {\"children\": {\n\"X\": {}}}\n}",
			errs:   []string{"network.json:5 [U > X]: node name \"X\" is not unique (also at T > X, line 3)"},
			nodes:  4,
			errorN: 1,
		},
		{
			name:   "bandwidth is a string",
			json:   "{\n\"A\": {\n\"downloadBandwidthMbps\": \"100\"}}",
			errs:   []string{"network.json:3 [A.downloadBandwidthMbps]: must be a number of Mbps, got string \"100\""},
			nodes:  1,
			errorN: 1,
		},
		{
			name:   "negative bandwidth",
			json:   "{\"A\": {\"uploadBandwidthMbps\": -5}}",
			errs:   []string{"must be a non-negative number"},
			nodes:  1,
			errorN: 1,
		},
		{
			name:   "children not an object",
			json:   "{\"A\": {\"children\": [1]}}",
			errs:   []string{"children must be an object"},
			nodes:  1,
			errorN: 1,
		},
		{
			name:   "virtual must be a bool",
			json:   "{\"A\": {\"virtual\": \"yes\"}}",
			errs:   []string{"A.virtual]: must be true or false"},
			nodes:  1,
			errorN: 1,
		},
		{
			name:  "metadata is ignored",
			json:  `{"A": {"downloadBandwidthMbps": 10, "uisp": {"x": {"y": 1}}, "latitude": 1.5, "longitude": null, "children": {"B": {}}}}`,
			nodes: 2,
		},
		{
			name:   "invalid UTF-8 in a node name",
			json:   "{\n\"Site\xff\": {},\n\"T\": {\"children\": {\n\"AP\xc3\": {}}}}",
			errs:   []string{"network.json:2 [(top level)]: node name \"Site\\ufffd\" is not valid UTF-8", "network.json:4 [T.children]: node name \"AP\\ufffd\" is not valid UTF-8"},
			nodes:  3,
			errorN: 2,
		},
		{
			name:   "NUL in a node name",
			json:   "{\n\"AP\\u0000x\": {}}",
			errs:   []string{"network.json:2 [(top level)]: node name \"AP\\x00x\" contains control character U+0000 at byte 2"},
			nodes:  1,
			errorN: 1,
		},
		{
			name:   "control character in a display name",
			json:   "{\"A\": {\n\"name\": \"x\\u001b[2J\"}}",
			errs:   []string{"network.json:2 [A.name]: value \"x\\x1b[2J\" contains control character U+001B"},
			nodes:  1,
			errorN: 1,
		},
		{name: "valid non-ASCII names", json: `{"Zürich – Nord": {"children": {"基站": {}}}}`, nodes: 2},
		{name: "trailing garbage", json: "{} {}", errs: []string{"after the top-level object"}, errorN: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nw, l := Parse("network.json", []byte(tc.json))
			text := dump(l)
			for _, frag := range tc.errs {
				if !strings.Contains(text, frag) {
					t.Errorf("problems do not contain %q:\n%s", frag, text)
				}
			}
			if got := len(l.Errors()); got != tc.errorN {
				t.Errorf("got %d errors, want %d:\n%s", got, tc.errorN, text)
			}
			if tc.errorN == 0 && len(nw.Nodes()) != tc.nodes {
				t.Errorf("got %d nodes, want %d", len(nw.Nodes()), tc.nodes)
			}
		})
	}
}

func TestOrderAndFields(t *testing.T) {
	src := `{
  "Zeta": {"downloadBandwidthMbps": 1000.5, "uploadBandwidthMbps": 500, "id": "site-z", "name": "Zeta Tower",
           "type": "Site", "downloadBandwidthMbpsMin": 100, "latitude": 45.1, "longitude": -122.5,
           "children": {"AP_2": {"downloadBandwidthMbps": 200}, "AP_1": {"active_attachment_name": "ap-one"}}},
  "Alpha": {}
}`
	nw, l := Parse("n.json", []byte(src))
	if l.HasErrors() {
		t.Fatal(dump(l))
	}
	var names []string
	for _, n := range nw.Nodes() {
		names = append(names, n.Name)
	}
	if got := strings.Join(names, ","); got != "Zeta,AP_2,AP_1,Alpha" {
		t.Errorf("order = %s (file order must be kept)", got)
	}
	z := nw.Roots[0]
	if z.DownloadMbps != 1000.5 || z.UploadMbps != 500 || z.ID != "site-z" || z.DisplayName != "Zeta Tower" || z.DownloadMinMbps != 100 || *z.Latitude != 45.1 {
		t.Errorf("Zeta = %+v", z)
	}
	ap2 := nw.Find("AP_2")
	if ap2.Parent != z || ap2.Depth() != 2 || ap2.Path() != "Zeta > AP_2" {
		t.Errorf("AP_2 parent/depth/path wrong: %v %d %q", ap2.Parent, ap2.Depth(), ap2.Path())
	}
	r := NewResolver(nw)
	for _, tc := range []struct{ id, name, want string }{
		{"site-z", "", "Zeta"},
		{"", "Zeta Tower", "Zeta"},
		{"", "ap-one", "AP_1"},
		{"unknown-id", "AP_2", "AP_2"},
		{"", "nothing", ""},
	} {
		got := r.Resolve(tc.id, tc.name)
		if (got == nil && tc.want != "") || (got != nil && got.Name != tc.want) {
			t.Errorf("Resolve(%q, %q) = %v, want %q", tc.id, tc.name, got, tc.want)
		}
	}
}

func TestPhysical(t *testing.T) {
	src := `{"Region": {"downloadBandwidthMbps": 1000, "children": {
	  "Town": {"virtual": true, "downloadBandwidthMbps": 500, "children": {"AP_A": {"downloadBandwidthMbps": 200}}},
	  "AP_B": {}}},
	 "Cloud": {"type": "Virtual", "children": {"Edge": {}}}}`
	nw, l := Parse("n.json", []byte(src))
	if l.HasErrors() {
		t.Fatal(dump(l))
	}
	phys, logical, err := nw.Physical()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	phys.Walk(func(n *Node) bool { got = append(got, n.Path()); return true })
	if s := strings.Join(got, "|"); s != "Region|Region > AP_A|Region > AP_B|Edge" {
		t.Errorf("physical tree = %s", s)
	}
	want := map[string]string{"Region": "Region", "Town": "Region", "AP_A": "AP_A", "AP_B": "AP_B", "Cloud": "", "Edge": "Edge"}
	for k, v := range want {
		if logical[k] != v {
			t.Errorf("logical[%s] = %q, want %q", k, logical[k], v)
		}
	}
	if nw.Find("Town") == nil || !nw.HasVirtual() {
		t.Error("Physical must not change the receiver")
	}
}

func TestPromotionCollision(t *testing.T) {
	// Built by hand: the parser would already refuse the duplicate name.
	a1 := &Node{Name: "AP_A"}
	town := &Node{Name: "Town", Virtual: true, Children: []*Node{a1}}
	a2 := &Node{Name: "AP_A"}
	nw := &Network{Roots: []*Node{{Name: "Region", Children: []*Node{town, a2}}}}
	if _, _, err := nw.Physical(); err == nil || !strings.Contains(err.Error(), "promotion collision") {
		t.Fatalf("err = %v", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	nw, l := Load(filepath.Join("..", "..", "examples", "network.json"))
	if l.HasErrors() || len(l.Warnings()) > 0 {
		t.Fatal(dump(l))
	}
	enc := nw.Encode()
	golden := filepath.Join("testdata", "example.encoded.json")
	if *update {
		os.WriteFile(golden, enc, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(enc) != string(want) {
		t.Errorf("Encode differs from %s", golden)
	}
	again, l2 := Parse("again.json", enc)
	if l2.HasErrors() {
		t.Fatal(dump(l2))
	}
	if a, b := len(again.Nodes()), len(nw.Nodes()); a != b {
		t.Errorf("round trip lost nodes: %d vs %d", a, b)
	}
	if string(again.Encode()) != string(enc) {
		t.Error("Encode is not stable across a round trip")
	}
	if s := string((&Network{}).Encode()); s != "{}\n" {
		t.Errorf("empty network encodes as %q", s)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"A": {"downloadBandwidthMbps": 10, "children": {"B": {"virtual": true}}}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte(`{"A": {"children": {"A": {}}}}`))
	f.Add([]byte("{\"A\xff\": {\"name\": \"\\u0000\"}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		nw, l := Parse("fuzz.json", data)
		if nw == nil {
			t.Fatal("nil network")
		}
		if !l.HasErrors() {
			seen := map[string]bool{}
			for _, n := range nw.Nodes() {
				if seen[n.Name] {
					t.Fatalf("duplicate %q accepted", n.Name)
				}
				if !utf8.ValidString(n.Name) || strings.ContainsFunc(n.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
					t.Fatalf("node name %q accepted", n.Name)
				}
				seen[n.Name] = true
			}
			nw.Physical()
			nw.Encode()
		}
	})
}

package devices

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/diag"
)

const header = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n"

// problem is an expected finding: severity, line, field and a message fragment.
type problem struct {
	sev   diag.Severity
	line  int
	field string
	text  string
}

func hasProblem(l diag.List, want problem) bool {
	for _, p := range l.Problems {
		if p.Severity == want.sev && p.Line == want.line && p.Field == want.field && strings.Contains(p.Message, want.text) {
			return true
		}
	}
	return false
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []problem
		// errors is the exact number of errors expected.
		errors int
	}{
		{
			name:   "missing circuit id",
			csv:    header + ",name,d1,dev,,,,,100.64.0.1,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "Circuit ID", "Circuit ID is empty"}},
			errors: 1,
		},
		{
			name:   "bad ipv4 host bits",
			csv:    header + "c1,n,d1,dev,,,,,10.0.0.1/24,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "IPv4", "host bits set (did you mean 10.0.0.0/24?)"}},
			errors: 1,
		},
		{
			name:   "bad prefix length",
			csv:    header + "c1,n,d1,dev,,,,,10.0.0.0/33,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "IPv4", "not a valid CIDR prefix"}},
			errors: 1,
		},
		{
			name:   "ipv6 in the ipv4 column",
			csv:    header + "c1,n,d1,dev,,,,,2001:db8::1,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "IPv4", "is not an IPv4 address"}},
			errors: 1,
		},
		{
			name:   "garbage ipv6",
			csv:    header + "c1,n,d1,dev,,,,,,fe80::zz,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "IPv6", "not a valid IP address"}},
			errors: 1,
		},
		{
			name:   "min greater than max",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,20,1,10,2,\n",
			want:   []problem{{diag.Error, 2, "Download Min Mbps", "download min 20 is greater than download max 10"}},
			errors: 1,
		},
		{
			name:   "upload min greater than max",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,1,3,10,2,\n",
			want:   []problem{{diag.Error, 2, "Upload Min Mbps", "upload min 3 is greater than upload max 2"}},
			errors: 1,
		},
		{
			name:   "zero rate",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,0,1,10,2,\n",
			want:   []problem{{diag.Error, 2, "Download Min Mbps", "below the minimum of 0.1"}},
			errors: 1,
		},
		{
			name:   "rate below minimum",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,0.05,1,10,2,\n",
			want:   []problem{{diag.Error, 2, "Download Min Mbps", "0.05 Mbps is below the minimum"}},
			errors: 1,
		},
		{
			name:   "rate not a number",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,1,1,ten,2,\n",
			want:   []problem{{diag.Error, 2, "Download Max Mbps", `"ten" is not a number`}},
			errors: 1,
		},
		{
			name:   "empty rate",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,1,1,,2,\n",
			want:   []problem{{diag.Error, 2, "Download Max Mbps", "is empty"}},
			errors: 1,
		},
		{
			name:   "duplicate IPv4 across circuits",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,1,1,2,2,\nc2,n,d2,dev,,,,,100.64.0.1,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 3, "IPv4", `100.64.0.1 is already used by circuit "c1" on line 2`}},
			errors: 1,
		},
		{
			name:   "duplicate IPv6 across circuits",
			csv:    header + "c1,n,d1,dev,,,,,,2001:db8::1,1,1,2,2,\nc2,n,d2,dev,,,,,,2001:db8::1,1,1,2,2,\n",
			want:   []problem{{diag.Error, 3, "IPv6", `2001:db8::1 is already used by circuit "c1"`}},
			errors: 1,
		},
		{
			name:   "duplicate IP in one circuit is a warning",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,1,1,2,2,\nc1,n,d2,dev,,,,,100.64.0.1,,1,1,2,2,\n",
			want:   []problem{{diag.Warning, 3, "IPv4", `listed twice in circuit "c1"`}},
			errors: 0,
		},
		{
			name:   "overlapping prefixes across circuits",
			csv:    header + "c1,n,d1,dev,,,,,10.0.0.0/24,,1,1,2,2,\nc2,n,d2,dev,,,,,10.0.0.5,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 3, "IPv4", `10.0.0.5 overlaps 10.0.0.0/24 of circuit "c1" on line 2`}},
			errors: 1,
		},
		{
			name:   "overlap found when the wider prefix comes later",
			csv:    header + "c1,n,d1,dev,,,,,10.0.1.7,,1,1,2,2,\nc2,n,d2,dev,,,,,10.0.0.0/16,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "IPv4", `10.0.1.7 overlaps 10.0.0.0/16 of circuit "c2" on line 3`}},
			errors: 1,
		},
		{
			name:   "nested ipv6 prefixes",
			csv:    header + "c1,n,d1,dev,,,,,,2001:db8::/32,1,1,2,2,\nc2,n,d2,dev,,,,,,2001:db8:5::/48,1,1,2,2,\n",
			want:   []problem{{diag.Error, 3, "IPv6", "2001:db8:5::/48 overlaps 2001:db8::/32"}},
			errors: 1,
		},
		{
			name:   "adjacent prefixes do not overlap",
			csv:    header + "c1,n,d1,dev,,,,,10.0.0.0/25,,1,1,2,2,\nc2,n,d2,dev,,,,,10.0.0.128/25,,1,1,2,2,\n",
			errors: 0,
		},
		{
			name:   "duplicate device id",
			csv:    header + "c1,n,d1,dev,,,,,100.64.0.1,,1,1,2,2,\nc2,n,d1,dev,,,,,100.64.0.2,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 3, "Device ID", `duplicate Device ID "d1" (first on line 2)`}},
			errors: 1,
		},
		{
			name:   "empty device id with addresses",
			csv:    header + "c1,n,,dev,,,,,100.64.0.1,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 2, "Device ID", "Device ID is empty"}},
			errors: 1,
		},
		{
			name:   "parent conflict inside a circuit",
			csv:    header + "c1,n,d1,dev,AP_A,,,,100.64.0.1,,1,1,2,2,\nc1,n,d2,dev,AP_B,,,,100.64.0.2,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 3, "Parent Node", `circuit "c1" has Parent Node "AP_B" here but "AP_A" on line 2`}},
			errors: 1,
		},
		{
			name:   "rate difference inside a circuit is a warning",
			csv:    header + "c1,n,d1,dev,AP_A,,,,100.64.0.1,,1,1,2,2,\nc1,n,d2,dev,AP_A,,,,100.64.0.2,,1,1,5,2,\n",
			want:   []problem{{diag.Warning, 3, "rates", "the first row's rates are used"}},
			errors: 0,
		},
		{
			name:   "header without a required column",
			csv:    "Circuit ID,Device ID,IPv4,Download Max Mbps,Upload Max Mbps\nc1,d1,100.64.0.1,2,2\n",
			want:   []problem{{diag.Error, 1, "Download Min Mbps", "required column"}, {diag.Error, 1, "Upload Min Mbps", "required column"}},
			errors: 2,
		},
		{
			name:   "first row is data, not a header",
			csv:    "c1,n,d1,dev,,,,,100.64.0.1,,1,1,2,2,\n",
			want:   []problem{{diag.Error, 1, "", "first row is not a header"}},
			errors: 1,
		},
		{
			name:   "empty file",
			csv:    "",
			want:   []problem{{diag.Error, 0, "", "no header row"}},
			errors: 1,
		},
		{
			name:   "unterminated quote",
			csv:    header + "c1,\"n,d1\n",
			want:   []problem{{diag.Error, 2, "", "CSV syntax"}},
			errors: 1,
		},
		{
			name:   "bad sqm token",
			csv:    strings.TrimSuffix(header, "\n") + ",sqm\nc1,n,d1,dev,,,,,100.64.0.1,,1,1,2,2,,cake/bogus\n",
			want:   []problem{{diag.Error, 2, "sqm", `"cake/bogus" is not a valid sqm override`}},
			errors: 1,
		},
		{
			name:   "circuit without addresses is a warning",
			csv:    header + "c1,n,d1,dev,,,,,,,1,1,2,2,\n",
			want:   []problem{{diag.Warning, 2, "IPv4/IPv6", "has no IP addresses"}},
			errors: 0,
		},
		{
			name:   "every error is reported, not just the first",
			csv:    header + ",n,d1,dev,,,,,10.0.0.1/8,,x,1,2,2,\nc2,n,d2,dev,,,,,10.0.0.300,,1,1,2,0,\n",
			want:   []problem{{diag.Error, 2, "Circuit ID", "empty"}, {diag.Error, 2, "IPv4", "host bits"}, {diag.Error, 2, "Download Min Mbps", "not a number"}, {diag.Error, 3, "IPv4", "not a valid IP"}, {diag.Error, 3, "Upload Max Mbps", "below the minimum"}},
			errors: 5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, l := Parse("ShapedDevices.csv", []byte(tc.csv))
			for _, w := range tc.want {
				if !hasProblem(l, w) {
					t.Errorf("missing %v line %d [%s] %q; got:\n%s", w.sev, w.line, w.field, w.text, dump(l))
				}
			}
			if got := len(l.Errors()); got != tc.errors {
				t.Errorf("got %d errors, want %d:\n%s", got, tc.errors, dump(l))
			}
			for _, p := range l.Problems {
				if p.File != "ShapedDevices.csv" {
					t.Errorf("problem does not name the file: %v", p)
				}
			}
		})
	}
}

func dump(l diag.List) string {
	var b strings.Builder
	for _, p := range l.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestParseGrouping(t *testing.T) {
	csv := "# exported from the CRM\n\n" + header +
		"c1,First,d1,dev1,AP_A,,,aa:bb,\"100.64.0.1, 100.64.0.2\",2001:db8::/64,5,5,10,10,hello\n" +
		"# a comment row in the middle\n" +
		"c1,First,d2,dev2,AP_A,node-7,,,100.64.0.3,,5,5,20,10,\n" +
		"c2,Second,d3,dev3,,,,,100.64.0.4,,1,1,1,1,\n"
	f, l := Parse("ShapedDevices.csv", []byte(csv))
	if l.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", dump(l))
	}
	if len(f.Circuits) != 2 {
		t.Fatalf("got %d circuits, want 2", len(f.Circuits))
	}
	c1 := f.Circuits[0]
	if c1.ID != "c1" || len(c1.Devices) != 2 || c1.DownloadMax != 10 || c1.ParentNodeID != "node-7" || c1.Line != 4 {
		t.Errorf("circuit c1 = %+v", c1)
	}
	want := []netip.Prefix{netip.MustParsePrefix("100.64.0.1/32"), netip.MustParsePrefix("100.64.0.2/32")}
	if got := c1.Devices[0].IPv4; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("device d1 IPv4 = %v, want %v", got, want)
	}
	if got := c1.Devices[0].IPv6; len(got) != 1 || got[0] != netip.MustParsePrefix("2001:db8::/64") {
		t.Errorf("device d1 IPv6 = %v", got)
	}
	if c1.Devices[1].Line != 6 {
		t.Errorf("device d2 line = %d, want 6", c1.Devices[1].Line)
	}
	if f.DeviceCount() != 3 {
		t.Errorf("DeviceCount = %d", f.DeviceCount())
	}
}

func TestHeaderByName(t *testing.T) {
	// Columns in another order, other spellings, an unknown column, and the
	// "id" alias for Anchor Node ID.
	csv := "ipv4,Upload Max,download_max_mbps,circuit_id,Upload Min,Download Min,Parent Node,Notes,id,Device ID\n" +
		"100.64.0.9,3,30,c9,1,10,AP_A,whatever,uisp:site:site-100,d9\n"
	f, l := Parse("x.csv", []byte(csv))
	if l.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", dump(l))
	}
	c := f.Circuits[0]
	if c.ID != "c9" || c.DownloadMin != 10 || c.DownloadMax != 30 || c.UploadMin != 1 || c.UploadMax != 3 || c.ParentNode != "AP_A" || c.AnchorNodeID != "uisp:site:site-100" {
		t.Errorf("circuit = %+v", c)
	}
	if !hasProblem(l, problem{diag.Warning, 1, "Notes", "unknown column"}) {
		t.Errorf("no warning for unknown column:\n%s", dump(l))
	}
}

// Upstream reads an sqm override from position 13 even without an sqm header;
// with the 15-column header that is Upload Max. We only honour a named column.
func TestSQMOnlyWhenNamed(t *testing.T) {
	f, l := Parse("x.csv", []byte(header+"c1,n,d1,dev,,,,,100.64.0.1,,1,1,12,12,\n"))
	if l.HasErrors() {
		t.Fatalf("errors:\n%s", dump(l))
	}
	if f.HasSQMColumn || !f.Circuits[0].SQM.IsZero() {
		t.Errorf("sqm read without an sqm column: %+v", f.Circuits[0].SQM)
	}
	f, l = Parse("x.csv", []byte(strings.TrimSuffix(header, "\n")+",SQM\nc1,n,d1,dev,,,,,100.64.0.1,,1,1,12,12,, CAKE / FQ_CODEL \n"))
	if l.HasErrors() {
		t.Fatalf("errors:\n%s", dump(l))
	}
	if got := f.Circuits[0].SQM; got != (SQM{Down: "cake", Up: "fq_codel"}) || got.String() != "cake/fq_codel" {
		t.Errorf("sqm = %+v", got)
	}
}

func TestParseSQM(t *testing.T) {
	tests := []struct {
		in   string
		want SQM
		ok   bool
	}{
		{"", SQM{}, true},
		{"cake", SQM{"cake", "cake"}, true},
		{"FQ_CODEL", SQM{"fq_codel", "fq_codel"}, true},
		{"none", SQM{"none", "none"}, true},
		{"cake/fq_codel", SQM{"cake", "fq_codel"}, true},
		{"/none", SQM{"", "none"}, true},
		{"fq_codel/", SQM{"fq_codel", ""}, true},
		{"cake/bogus", SQM{}, false},
		{"sfq", SQM{}, false},
		{"cake/cake/cake", SQM{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseSQM(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseSQM(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestEncodings(t *testing.T) {
	body := header + "c1,Café Ñandú,d1,dev,,,,,100.64.0.1,,1,1,2,2,\n"
	latin1 := make([]byte, 0, len(body))
	for _, r := range body {
		latin1 = append(latin1, byte(r))
	}
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range body {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	for name, data := range map[string][]byte{
		"utf8 bom": append([]byte{0xEF, 0xBB, 0xBF}, body...),
		"latin1":   latin1,
		"utf16le":  utf16le,
	} {
		f, l := Parse("x.csv", data)
		if l.HasErrors() || len(f.Circuits) != 1 || f.Circuits[0].Name != "Café Ñandú" {
			t.Errorf("%s: circuits=%v errors:\n%s", name, f.Circuits, dump(l))
		}
	}
}

func TestExampleFileIsValid(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "ShapedDevices.csv")
	f, l := Load(path)
	if l.HasErrors() || len(l.Warnings()) > 0 {
		t.Fatalf("example file has problems:\n%s", dump(l))
	}
	if len(f.Circuits) < 10 {
		t.Errorf("example has %d circuits", len(f.Circuits))
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, l := Load(filepath.Join(t.TempDir(), "nope.csv"))
	if !l.HasErrors() || !strings.Contains(l.Errors()[0].String(), "nope.csv") {
		t.Fatalf("want an error naming the file, got:\n%s", dump(l))
	}
}

func TestTestdataGolden(t *testing.T) {
	// testdata/*.csv each come with a .want file listing the expected problems.
	files, _ := filepath.Glob("testdata/*.csv")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, l := Load(path)
			got := dump(l)
			wantPath := strings.TrimSuffix(path, ".csv") + ".want"
			if *update {
				os.WriteFile(wantPath, []byte(got), 0o644)
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s:\ngot:\n%s\nwant:\n%s", wantPath, got, want)
			}
		})
	}
}

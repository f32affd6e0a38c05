package graph

import (
	"fmt"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
)

// FuzzCompile builds arbitrary graphs (any parent links, kinds, names and
// addresses) and checks that every mode compiles to outputs that validate.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{1, 0, 2, 0, 3, 1, 4, 2, 3, 0, 4, 4})
	f.Add([]byte{3, 0, 3, 0, 4, 1, 4, 2, 2, 3, 1, 1, 4, 5})
	ips := []string{"100.64.0.1", "100.64.0.0/30", "100.64.0.2", "2001:db8::/48", "2001:db8::1", "100.64.0.1/29", "bogus", "", "0.0.0.0", "10.0.0.0/8", "fe80::1"}
	names := []string{"A", "B", "A", "(Generated Site) A", "A (site)", "x"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 400 {
			return
		}
		g := New()
		for i := 0; i+1 < len(data); i += 2 {
			kind := Kind(data[i]%4 + 1)
			parent := int(data[i+1]) % (i/2 + 2)
			n := Node{ID: fmt.Sprint(i / 2), Name: names[int(data[i+1])%len(names)], Kind: kind, ParentID: fmt.Sprint(parent),
				NetworkID: fmt.Sprintf("f:%d", int(data[i])%5), Suspended: data[i]%3 == 0,
				Rates: Rates{DownloadMin: float64(data[i]) / 10, UploadMin: 2, DownloadMax: float64(data[i+1]) / 7, UploadMax: 1}}
			if kind == KindDevice {
				n.IPs = []string{ips[int(data[i])%len(ips)], ips[int(data[i+1])%len(ips)]}
			}
			g.Add(n)
		}
		for _, mode := range []string{ModeFlat, ModeAPOnly, ModeAPSite, ModeFull} {
			o := Options{Mode: mode, Suspended: []string{"none", "ignore", "slow", "block"}[len(data)%4],
				PromoteToRoot: []string{"B"}, ExcludeSites: []string{"x"}, ExceptionCPEs: []config.ExceptionCPE{{CPE: "A", Parent: "B"}, {CPE: "3", Parent: "1"}}}
			res, err := Compile(g, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Validate(); err != nil {
				t.Fatalf("%s: %v\n%s\n%s", mode, err, res.NetworkJSON(), res.ShapedDevicesCSV())
			}
		}
	})
}

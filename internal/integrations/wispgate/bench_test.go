package wispgate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkImport10k: 10 000 circuits with one device each, over HTTP.
func BenchmarkImport10k(b *testing.B) {
	var rows []map[string]any
	for i := 0; i < 10000; i++ {
		rows = append(rows, map[string]any{"Circuit ID": fmt.Sprintf("C%d", i), "Parent Node": "", "Device Name": fmt.Sprintf("C%d-a", i), "MAC": "",
			"IPv4": fmt.Sprintf("100.%d.%d.%d", 64+i/65536, i/256%256, i%256), "IPv6": nil,
			"Download Min Mbps": 10, "Upload Min Mbps": 2, "Download Max Mbps": 100, "Upload Max Mbps": 20})
	}
	body, _ := json.Marshal(rows)
	srv, _ := fakeWISPGate(b, func(w http.ResponseWriter, r *http.Request, n int32) { w.Write(body) })
	cfg := cfgFor(srv.URL)
	for b.Loop() {
		res, err := fast.Import(context.Background(), cfg)
		if err != nil || len(res.Circuits) != 10000 {
			b.Fatal(err, len(res.Circuits))
		}
	}
}

package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkImport10k: 50 sites × 10 APs, 10 000 circuits with one device each, over HTTP.
func BenchmarkImport10k(b *testing.B) {
	var nodes, circuits []map[string]any
	for s := 0; s < 50; s++ {
		nodes = append(nodes, map[string]any{"id": fmt.Sprintf("s%d", s), "name": fmt.Sprintf("Site %d", s), "type": "site"})
		for a := 0; a < 10; a++ {
			nodes = append(nodes, map[string]any{"id": fmt.Sprintf("s%d-a%d", s, a), "name": fmt.Sprintf("AP %d-%d", s, a), "type": "ap", "parent_id": fmt.Sprintf("s%d", s), "download_mbps": 500, "upload_mbps": 100})
		}
	}
	for i := 0; i < 10000; i++ {
		circuits = append(circuits, map[string]any{"id": fmt.Sprint(i), "name": fmt.Sprintf("Customer %d", i), "parent_id": fmt.Sprintf("s%d-a%d", i%50, i/50%10),
			"download_max_mbps": 100, "upload_max_mbps": 20,
			"devices": []map[string]any{{"id": fmt.Sprintf("d%d", i), "ipv4": []string{fmt.Sprintf("100.%d.%d.%d", 64+i/65536, i/256%256, i%256)}, "ipv6": []string{fmt.Sprintf("2001:db8:%x::/48", i)}}}})
	}
	body, _ := json.Marshal(map[string]any{"version": 1, "nodes": nodes, "circuits": circuits})
	srv, _ := fakeEndpoint(b, bearerAuth, func(w http.ResponseWriter, r *http.Request, n int32) { w.Write(body) })
	cfg := cfgFor(srv.URL)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		res, err := fast.Import(context.Background(), cfg)
		if err != nil || len(res.Circuits) != 10000 {
			b.Fatal(err, len(res.Circuits))
		}
	}
}

package powercode

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkImport10k: 10 000 active customers with one CPE each, over HTTP.
func BenchmarkImport10k(b *testing.B) {
	var cs []map[string]any
	for i := 0; i < 10000; i++ {
		cs = append(cs, map[string]any{"id": fmt.Sprint(i), "status": "Active", "name": fmt.Sprintf("Customer %d", i), "company_name": "",
			"equipment": []map[string]any{{"id": fmt.Sprint(i), "type": "CPE", "service_id": fmt.Sprint(i % 20), "name": "Radio",
				"ip_address": fmt.Sprintf("100.%d.%d.%d", 64+i/65536, i/256%256, i%256), "mac_address": fmt.Sprintf("00:11:22:33:%02x:%02x", i/256%256, i%256)}}})
	}
	var ss []map[string]any
	for i := 0; i < 20; i++ {
		ss = append(ss, map[string]any{"id": fmt.Sprint(i), "rate_down": 25000 + i*1000, "rate_up": 5000})
	}
	cust, _ := json.Marshal(cs)
	serv, _ := json.Marshal(ss)
	srv, _ := fakePowercode(b, false, func(w http.ResponseWriter, r *http.Request, action string, n int32) {
		if action == "list_customers" {
			w.Write(cust)
		} else {
			w.Write(serv)
		}
	})
	cfg := cfgFor(srv)
	for b.Loop() {
		res, err := fast.Import(context.Background(), cfg)
		if err != nil || len(res.Circuits) != 10000 {
			b.Fatal(err, len(res.Circuits))
		}
	}
}

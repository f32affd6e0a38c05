package sonar

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

type benchAPs map[string]Stations

func (b benchAPs) Stations(_ context.Context, ap AP) (Stations, error) { return b[ap.IP], nil }

// BenchmarkImport10k: 10 000 accounts in 10 pages of 1 000, 50 sites × 10
// APs found by (fake) SNMP, every account parented by its CPE's MAC.
func BenchmarkImport10k(b *testing.B) {
	const perPage, n = 1000, 10000
	ips := func(s string) map[string]any { return map[string]any{"entities": []map[string]any{{"subnet": s}}} }
	aps := benchAPs{}
	var sites []map[string]any
	for s := 0; s < 50; s++ {
		var items []map[string]any
		for a := 0; a < 10; a++ {
			id := s*10 + a
			items = append(items, map[string]any{"id": 9000 + id, "inventory_model_id": 31, "ip_assignments": ips(fmt.Sprintf("10.%d.%d.2", s, a))})
			aps[fmt.Sprintf("10.%d.%d.2", s, a)] = Stations{Name: fmt.Sprintf("AP %d", id)}
		}
		sites = append(sites, map[string]any{"id": s, "name": fmt.Sprintf("Site %d", s), "inventory_items": map[string]any{"entities": items}})
	}
	var pagesOut [][]byte
	for p := 0; p < n/perPage; p++ {
		var ents []map[string]any
		for i := p * perPage; i < (p+1)*perPage; i++ {
			mac := fmt.Sprintf("e0:63:da:00:%02x:%02x", i/256, i%256)
			ap := fmt.Sprintf("10.%d.%d.2", i%50, i/50%10)
			st := aps[ap]
			st.MACs = append(st.MACs, mac)
			aps[ap] = st
			ents = append(ents, map[string]any{"id": i, "name": fmt.Sprintf("Account %d", i), "account_status_id": 1,
				"ip_assignments":   map[string]any{"entities": []any{}},
				"account_services": map[string]any{"entities": []map[string]any{{"service": map[string]any{"data_service_detail": map[string]any{"download_speed_kilobits_per_second": 100000, "upload_speed_kilobits_per_second": 20000}}}}},
				"addresses": map[string]any{"entities": []map[string]any{{"line1": fmt.Sprintf("%d Main", i), "city": "Town", "subdivision": "US_TX",
					"inventory_items": map[string]any{"entities": []map[string]any{{"id": 100000 + i, "inventory_model": map[string]any{"name": "CPE"},
						"inventory_model_field_data": map[string]any{"entities": []map[string]any{{"value": mac, "inventory_model_field": map[string]any{"name": "MAC Address", "primary": true}}}},
						"ip_assignments":             ips(fmt.Sprintf("100.%d.%d.%d", 64+i/65536, i/256%256, i%256))}}}}}}})
		}
		body, _ := json.Marshal(map[string]any{"data": map[string]any{"accounts": map[string]any{"page_info": map[string]any{"page": p + 1, "total_pages": n / perPage}, "entities": ents}}})
		pagesOut = append(pagesOut, body)
	}
	siteBody, _ := json.Marshal(map[string]any{"data": map[string]any{"network_sites": map[string]any{"page_info": map[string]any{"page": 1, "total_pages": 1}, "entities": sites}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var q gqlRequest
		json.Unmarshal(raw, &q)
		if q.collection() == "network_sites" {
			w.Write(siteBody)
			return
		}
		w.Write(pagesOut[q.Variables.Pages.Page-1])
	}))
	defer srv.Close()
	cfg := cfgFor(srv.URL)
	cfg.Sonar.ActiveStatusIDs = []string{"1"}
	cfg.Sonar.PageSize = perPage
	for b.Loop() {
		res, err := fast(aps).Import(context.Background(), cfg)
		if err != nil || len(res.Circuits) != n || res.Circuits[0].ParentNode == "" {
			b.Fatal(err, len(res.Circuits))
		}
	}
}

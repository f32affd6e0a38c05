package scheduler

import (
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

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations"
)

// childImport is the integration child process of these tests: what
// `lqos_scheduler --run-integration` does, one real import into lqos_directory.
func childImport(path string) int {
	cfg, _, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	res, err := integrations.Run(context.Background(), cfg, cfg.LqosDirectory)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%s import: %s\n", res.Source, res.Summary.String())
	return 0
}

// crmCase is one integration with a good and a bad reply from its fake API.
type crmCase struct {
	name    string // scheduler name
	section func(url string) string
	good    string
	bad     func(w http.ResponseWriter)
	circuit string // a circuit id of the good import
	wantErr string // in the failure report
	secret  string
}

func crmCases() []crmCase {
	return []crmCase{
		{
			name: "powercode",
			section: func(url string) string {
				return fmt.Sprintf("[powercode_integration]\nenable_powercode = true\npowercode_api_key = \"pc-SECRET-1\"\npowercode_api_url = %q\ntimeout_secs = 5\n", url)
			},
			// One handler answers both actions: customers carry "status", services "rate_down".
			good:    `[{"id":"123","status":"Active","name":"Pat Lee","equipment":[{"id":"55","type":"CPE","service_id":"7","name":"Pat Radio","ip_address":"100.64.2.3"}],"rate_down":"25000","rate_up":"5000"},{"id":"7","rate_down":"25000","rate_up":"5000"}]`,
			bad:     func(w http.ResponseWriter) { w.WriteHeader(500) },
			circuit: "123", wantErr: "powercode: list_customers: HTTP 500 Internal Server Error after 3 attempts", secret: "pc-SECRET-1",
		},
		{
			name: "sonar",
			section: func(url string) string {
				return fmt.Sprintf("[sonar_integration]\nenable_sonar = true\nsonar_api_key = \"sonar-SECRET-2\"\nsonar_api_url = %q\nactive_status_ids = [\"1\"]\nsnmp_discovery = false\n", url)
			},
			good: `{"data":{"accounts":{"page_info":{"page":1,"total_pages":1},"entities":[{"id":600,"name":"Parent","account_services":{"entities":[{"service":{"data_service_detail":{"download_speed_kilobits_per_second":100000,"upload_speed_kilobits_per_second":20000}}}]},"addresses":{"entities":[{"line1":"1 Main","city":"Town","subdivision":"US_TX"}]},"ip_assignments":{"entities":[{"subnet":"100.64.6.60/32"}]}}]}}}`,
			bad: func(w http.ResponseWriter) {
				w.Write([]byte(`{"data":{"accounts":{"page_info":{"page":1,"total_pages":3},"entities":[{"id":600,"na`))
			},
			circuit: "sonar:account:600", wantErr: "sonar: accounts page 1: malformed JSON", secret: "sonar-SECRET-2",
		},
		{
			name: "wispgate",
			section: func(url string) string {
				return fmt.Sprintf("[wispgate_integration]\nenable_wispgate = true\nwispgate_api_token = \"wg-SECRET-3\"\nwispgate_api_url = %q\ntimeout_secs = 5\n", url)
			},
			good:    `[{"Circuit ID":"C4","Device Name":"C4-a","IPv4":"100.64.0.8","Download Max Mbps":40,"Upload Max Mbps":8}]`,
			bad:     func(w http.ResponseWriter) { w.WriteHeader(401); w.Write([]byte(`{"message":"Unauthenticated."}`)) },
			circuit: "C4", wantErr: "wispgate: shaped-devices: HTTP 401 Unauthorized", secret: "wg-SECRET-3",
		},
		{
			name: "rest",
			section: func(url string) string {
				return fmt.Sprintf("[rest_integration]\nenable_rest = true\nurl = %q\nbearer_token = \"rest-SECRET-4\"\ntimeout_secs = 5\n", url+"/libreqos.json")
			},
			good: `{"nodes":[{"id":"ap1","name":"AP 1","type":"ap"}],"circuits":[{"id":"c1","name":"Pat","parent_id":"ap1","download_max_mbps":25,"upload_max_mbps":5,"devices":[{"id":"d1","ipv4":["100.64.1.2"]}]}]}`,
			bad: func(w http.ResponseWriter) {
				w.Write([]byte(`{"nodes":[],"circuits":[{"id":"c1","name":"Pat","download_max_mbps":"25","upload_max_mbps":5,"devices":[]}]}`))
			},
			circuit: "c1", wantErr: `$.circuits[0].download_max_mbps: must be a number, got the string "25"`, secret: "rest-SECRET-4",
		},
	}
}

// TestFailingIntegrationKeepsLastGood: for each of these integrations, a
// real import in a child process replaces the shaping; then the API breaks,
// and the next cycle reports the failure (status, preview, log file) while
// the queues and the files stay exactly as the last good import left them.
func TestFailingIntegrationKeepsLastGood(t *testing.T) {
	for _, tc := range crmCases() {
		t.Run(tc.name, func(t *testing.T) {
			var broken atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if broken.Load() {
					tc.bad(w)
					return
				}
				w.Write([]byte(tc.good))
			}))
			defer srv.Close()
			var conf string
			l := newLab(t, tc.name, "ShapedDevices.v1.csv", func(o *Options, d *Deps) {
				conf = filepath.Join(t.TempDir(), "lqos.conf")
				r := execRunner(t, filepath.Join(t.TempDir(), "pid"))
				r.Env = append(r.Env, "LQT_SCHED_CHILD=import", "LQT_SCHED_CONFIG="+conf)
				d.Runner = r
				o.IntegrationTimeout = time.Minute
			})
			body := fmt.Sprintf("lqos_directory = %q\n[bridge]\nuse_xdp_bridge = true\nto_internet = \"lqtsched0\"\nto_network = \"lqtsched1\"\n%s", l.dir, tc.section(srv.URL))
			if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}

			if err := l.s.RunOnce(context.Background()); err != nil {
				t.Fatalf("good import: %v\n%s", err, l.rep.lastError())
			}
			good := l.read(FileShapedDevices)
			if !strings.Contains(good, tc.circuit) || l.ref.current() != good {
				t.Fatalf("the good import is not what is shaped:\nqueues %q\ndisk %q", l.ref.current(), good)
			}
			contains(t, "output", l.rep.last("output").Text, Label(tc.name)+" completed successfully.")
			goodNet := l.read(FileNetwork)

			broken.Store(true)
			if err := l.s.RunOnce(context.Background()); err == nil {
				t.Fatal("the failed import was reported as success")
			}
			calls := l.ref.applied()
			if last := calls[len(calls)-1]; last.devices != good {
				t.Errorf("after the failure the queues hold %q, want the last good import", last.devices)
			}
			if l.read(FileShapedDevices) != good || l.read(FileNetwork) != goodNet {
				t.Error("the failed import changed the files")
			}
			msg := l.rep.lastError()
			contains(t, "error", msg, Label(tc.name)+" exited with code 1. Continuing.", "Output preview:", tc.wantErr, "Full output saved to ")
			logs := l.logFiles()
			if len(logs) != 1 || !strings.HasPrefix(filepath.Base(logs[0]), "lqos_scheduler_"+Token(Label(tc.name))+"_") {
				t.Fatalf("logs %v", logs)
			}
			saved, _ := os.ReadFile(logs[0])
			contains(t, "saved log", string(saved), tc.wantErr, "keeping the last good files")
			if strings.Contains(msg+string(saved), tc.secret) {
				t.Error("the secret reached the report or the log")
			}
		})
	}
}

package configedit

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/libreqos-go/lqos/internal/config"
)

// Field is one form field of a section page; Key is its lqos.conf key.
type Field struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Type: "string", "bool", "int", "float", "list" (of strings),
	// "select" (Options), "secret" (never sent; see Section values) or
	// "interface" (a network interface of this machine).
	Type     string   `json:"type"`
	Options  []string `json:"options,omitempty"`
	Optional bool     `json:"optional,omitempty"` // empty = key removed (default applies)
	ReadOnly bool     `json:"readonly,omitempty"`
	// Restart: lqosd reads it at start only.
	Restart bool   `json:"restart,omitempty"`
	Help    string `json:"help,omitempty"`
	// Group shows the field only while the section's mode field has this value.
	Group string `json:"group,omitempty"`
}

// Section is one editor page of lqos.conf.
type Section struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Menu   string  `json:"menu"` // "settings" or "integrations"
	Intro  string  `json:"intro,omitempty"`
	Fields []Field `json:"fields"`
	// Integration is the name TestConnection knows ("" = no test button).
	Integration string `json:"integration,omitempty"`
}

// ModeKey is the pseudo-field of the Network Mode page: "bridge" or
// "single_interface" (exactly one of the two tables exists).
const ModeKey = "mode"

var sqmOptions = []string{"cake diffserv4", "cake diffserv3", "cake besteffort", "cake", "fq_codel", "none"}

// secretKey: credentials are never sent to the browser. The rule is by
// name so every integration's credentials are covered, including ones
// added later.
var secretKey = regexp.MustCompile(`(^|_)(token|secret|password|api_key|license_key)$`)

// IsSecret reports whether an lqos.conf key holds a credential.
func IsSecret(key string) bool {
	_, k := splitKey(key)
	return secretKey.MatchString(k)
}

func f(key, label string, opts ...func(*Field)) Field {
	fd := Field{Key: key, Label: label}
	for _, o := range opts {
		o(&fd)
	}
	return fd
}

func restart(fd *Field)  { fd.Restart = true }
func readonly(fd *Field) { fd.ReadOnly = true }
func help(s string) func(*Field) {
	return func(fd *Field) { fd.Help = s }
}
func options(o ...string) func(*Field) {
	return func(fd *Field) { fd.Type = "select"; fd.Options = o }
}
func iface(fd *Field) { fd.Type = "interface" }
func group(g string) func(*Field) {
	return func(fd *Field) { fd.Group = g }
}

// integrationSections: one page per integration we ship, each built from
// its config struct, so a new integration's section only needs a line here.
var integrationSections = []struct {
	id, title, table, name string
}{
	{"uisp", "UISP", "uisp_integration", "uisp"},
	{"splynx", "Splynx", "splynx_integration", "splynx"},
	{"netzur", "Netzur", "netzur_integration", "netzur"},
	{"visp", "VISP", "visp_integration", "visp"},
	{"powercode", "Powercode", "powercode_integration", "powercode"},
	{"sonar", "Sonar", "sonar_integration", "sonar"},
	{"wispgate", "WISPGate", "wispgate_integration", "wispgate"},
	{"rest", "REST (JSON)", "rest_integration", "rest"},
}

// Sections lists every lqos.conf editor page, in menu order.
func Sections() []Section {
	out := []Section{
		{ID: "general", Title: "General", Menu: "settings", Fields: []Field{
			f("node_id", "Node ID", readonly),
			f("node_name", "Node name", help("Shown in the title bar and on every metric.")),
			f("lqos_directory", "LibreQoS directory", restart, help("Where ShapedDevices.csv, network.json and lqos_overrides.json live.")),
			f("state_directory", "State directory", restart),
			f("integration_common.queue_refresh_interval_mins", "Queue refresh interval (minutes)", help("How often lqos_scheduler refreshes from the integration.")),
			f("webserver_listen", "Web server listen address", restart),
			f("disable_webserver", "Disable web server", restart),
			f("exclude_efficiency_cores", "Exclude efficiency cores"),
			f("packet_capture_time", "Packet capture time (s)"),
			f("queue_check_period_ms", "Queue check period (ms)"),
		}},
		{ID: "queues", Title: "Queues", Menu: "settings", Fields: []Field{
			f("queues.default_sqm", "Default SQM", options(sqmOptions...)),
			f("queues.queue_mode", "Queue mode", options(config.QueueModeShape, config.QueueModeObserve), help("observe: monitor only, no shaping.")),
			f("queues.monitor_only", "Monitor only (upstream's older switch)"),
			f("queues.use_binpacking", "Use binpacking"),
			f("queues.downlink_bandwidth_mbps", "Downlink bandwidth (Mbps)"),
			f("queues.uplink_bandwidth_mbps", "Uplink bandwidth (Mbps)"),
			f("queues.generated_pn_download_mbps", "Generated parent node download (Mbps)"),
			f("queues.generated_pn_upload_mbps", "Generated parent node upload (Mbps)"),
			f("queues.override_available_queues", "Override available queues (0 = detect)"),
			f("queues.lazy_queues", "Lazy queues", options(config.LazyNo, config.LazyHtb, config.LazyFull)),
			f("queues.lazy_expire_seconds", "Lazy queue expiry (s)"),
			f("queues.fast_queues_fq_codel", "fq_codel at or above (Mbps)"),
			f("queues.upstream_oversubscription", "Upstream oversubscription rule"),
			f("queues.max_circuit_removal_percent", "Hold runs removing more than (% of circuits)"),
		}},
		{ID: "network_mode", Title: "Network Mode", Menu: "settings", Intro: "Interface changes take effect when lqosd restarts.", Fields: []Field{
			f(ModeKey, "Mode", options("bridge", "single_interface"), restart, help("bridge: two interfaces inline; single_interface: on a stick, directions told apart by VLAN.")),
			f("bridge.to_internet", "Interface to the Internet", iface, restart, group("bridge")),
			f("bridge.to_network", "Interface to the subscribers", iface, restart, group("bridge")),
			f("bridge.use_xdp_bridge", "XDP bridge", restart, group("bridge")),
			f("bridge.mtu", "MTU (0 = leave)", restart, group("bridge")),
			f("single_interface.interface", "Interface", iface, restart, group("single_interface")),
			f("single_interface.internet_vlan", "Internet VLAN", restart, group("single_interface")),
			f("single_interface.network_vlan", "Subscriber VLAN", restart, group("single_interface")),
			f("single_interface.mtu", "MTU (0 = leave)", restart, group("single_interface")),
		}},
		{ID: "ip_ranges", Title: "IP Ranges", Menu: "settings", Fields: []Field{
			f("ip_ranges.allow_subnets", "Allowed subnets", help("Subscriber addresses; one prefix per line.")),
			f("ip_ranges.ignore_subnets", "Ignored subnets"),
			f("ip_ranges.unknown_ip_honors_allow", "Unknown IPs honour the allow list"),
			f("ip_ranges.unknown_ip_honors_ignore", "Unknown IPs honour the ignore list"),
		}},
		{ID: "flows", Title: "Flow Tracking", Menu: "settings", Fields: []Field{
			f("flows.flow_timeout_seconds", "Flow timeout (s)"),
			f("flows.netflow_enabled", "NetFlow export"),
			f("flows.netflow_ip", "NetFlow collector address"),
			f("flows.netflow_port", "NetFlow collector port"),
			f("flows.netflow_version", "NetFlow version", options("5", "9")),
			f("flows.do_not_track_subnets", "Do not track subnets"),
		}},
		{ID: "integration_common", Title: "Integration - Common", Menu: "integrations", Fields: []Field{
			f("topology.compile_mode", "Topology compile mode", options(append([]string{""}, config.CompileModes...)...), help("empty: each integration's own strategy setting.")),
			f("topology.queue_auto_virtualize_threshold_mbps", "Queue auto-virtualize threshold (Mbps)"),
			f("integration_common.circuit_name_as_address", "Use address as circuit name"),
			f("integration_common.always_overwrite_network_json", "Always overwrite network.json"),
			f("integration_common.queue_refresh_interval_mins", "Queue refresh interval (minutes)"),
			f("integration_common.use_mikrotik_ipv6", "Enrich IPv6 from Mikrotik"),
			f("integration_common.promote_to_root", "Promote to root nodes"),
			f("integration_common.client_bandwidth_multiplier", "Client bandwidth multiplier"),
			f("integration_common.ethernet_port_limits_enabled", "Ethernet port limits"),
			f("integration_common.ethernet_port_limit_multiplier", "Ethernet port limit multiplier"),
			f("ip_ranges.ignore_subnets", "Ignored subnets", help("Addresses in these prefixes are dropped from every import.")),
		}},
	}
	for _, is := range integrationSections {
		out = append(out, integrationSection(is.id, is.title, is.table, is.name))
	}
	for i := range out {
		for j := range out[i].Fields {
			fillType(&out[i].Fields[j])
		}
	}
	return out
}

// SectionByID finds a section.
func SectionByID(id string) (Section, bool) {
	for _, s := range Sections() {
		if s.ID == id {
			return s, true
		}
	}
	return Section{}, false
}

// integrationSection lists every scalar and string-list key of an
// integration's table, the enable switch first.
func integrationSection(id, title, tbl, name string) Section {
	sec := Section{ID: id, Title: title, Menu: "integrations", Integration: name}
	t, ok := typeOf(tbl)
	if !ok || t.Kind() != reflect.Struct {
		return sec
	}
	var rest []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := strings.Split(sf.Tag.Get("toml"), ",")[0]
		if tag == "" || tag == "-" || !editable(sf.Type) {
			continue
		}
		fd := Field{Key: tbl + "." + tag, Label: humanise(tag)}
		if doc := fieldHelp[fd.Key]; doc != "" {
			fd.Help = doc
		}
		if strings.HasPrefix(tag, "enable_") {
			if tag == "enable_spylnx" {
				continue // upstream's misspelt alias; the page edits enable_splynx
			}
			fd.Label = "Enabled"
			sec.Fields = append(sec.Fields, fd)
			continue
		}
		if tag == "strategy" || tag == "compile_mode" {
			fd.Type, fd.Options = "select", append([]string{}, config.CompileModes...)
		}
		if tag == "suspended_strategy" {
			fd.Type, fd.Options = "select", []string{"none", "ignore", "slow"}
		}
		rest = append(rest, fd)
	}
	sec.Fields = append(sec.Fields, rest...)
	return sec
}

var fieldHelp = map[string]string{
	"uisp_integration.site":                 "Root UISP site (needed in full mode).",
	"uisp_integration.insecure_ssl":         "Skip TLS certificate checks (not recommended).",
	"visp_integration.isp_id":               "ISP ID (tenant).",
	"powercode_integration.ca_file":         "PEM file trusted in addition to the system roots.",
	"rest_integration.url":                  "One GET of this URL returns nodes and circuits.",
	"sonar_integration.snmp_community":      "SNMP community for AP discovery.",
	"netzur_integration.timeout_secs":       "Request timeout (s).",
	"wispgate_integration.wispgate_api_url": "API URL",
}

var acronyms = map[string]string{"url": "URL", "api": "API", "id": "ID", "ids": "IDs", "ipv6": "IPv6", "ssl": "SSL", "tls": "TLS", "ltu": "LTU",
	"cpes": "CPEs", "snmp": "SNMP", "isp": "ISP", "ptmp": "PtMP", "ca": "CA", "secs": "(s)", "graphql": "GraphQL", "mbps": "(Mbps)"}

func humanise(key string) string {
	words := strings.Split(key, "_")
	for i, w := range words {
		if a, ok := acronyms[w]; ok {
			words[i] = a
		} else if i == 0 {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// editable: the form machinery handles scalars, optional scalars and
// string lists; tables and arrays of tables are edited in the file.
func editable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	return false
}

// typeOf finds the Go type of an lqos.conf key through the toml tags of
// config.Config.
func typeOf(key string) (reflect.Type, bool) {
	t := reflect.TypeOf(config.Config{})
	for _, part := range strings.Split(key, ".") {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if strings.Split(t.Field(i).Tag.Get("toml"), ",")[0] == part {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return t, true
}

// valueOf reads key from cfg (nil pointers read as absent).
func valueOf(cfg *config.Config, key string) (any, bool) {
	v := reflect.ValueOf(cfg).Elem()
	for _, part := range strings.Split(key, ".") {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return nil, false
			}
			v = v.Elem()
		}
		t := v.Type()
		found := false
		for i := 0; i < t.NumField(); i++ {
			if strings.Split(t.Field(i).Tag.Get("toml"), ",")[0] == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice && v.IsNil() {
		return []string{}, true
	}
	return v.Interface(), true
}

func fillType(fd *Field) {
	if fd.Key == ModeKey {
		return
	}
	t, ok := typeOf(fd.Key)
	if !ok {
		panic("configedit: no lqos.conf key " + fd.Key)
	}
	if t.Kind() == reflect.Pointer {
		fd.Optional = true
		t = t.Elem()
	}
	if IsSecret(fd.Key) {
		fd.Type = "secret"
		return
	}
	if fd.Type != "" {
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		fd.Type = "bool"
	case reflect.String:
		fd.Type = "string"
	case reflect.Float64:
		fd.Type = "float"
	case reflect.Slice:
		fd.Type = "list"
	default:
		fd.Type = "int"
	}
}

// effectiveConfig reads lqos.conf text the way the programs do, falling
// back to a plain decode over the defaults when it does not validate (the
// page still shows what the file says).
func effectiveConfig(data []byte) *config.Config {
	if cfg, _, err := config.Parse(data); err == nil {
		return cfg
	}
	cfg := config.Defaults()
	toml.Decode(string(data), cfg)
	return cfg
}

// FormState is what a section page shows: values of every non-secret
// field, and for secrets only whether one is stored.
type FormState struct {
	Values  map[string]any  `json:"values"`
	Secrets map[string]bool `json:"secrets"` // key → a value is stored
}

// State reads a section's fields from lqos.conf text.
func State(sec Section, data []byte) FormState {
	cfg := effectiveConfig(data)
	st := FormState{Values: map[string]any{}, Secrets: map[string]bool{}}
	for _, fd := range sec.Fields {
		if fd.Key == ModeKey {
			mode := "bridge"
			if cfg.Bridge == nil && cfg.SingleInterface != nil {
				mode = "single_interface"
			}
			st.Values[ModeKey] = mode
			continue
		}
		v, ok := valueOf(cfg, fd.Key)
		if fd.Type == "secret" {
			s, _ := v.(string)
			st.Secrets[fd.Key] = ok && s != ""
			continue
		}
		if !ok {
			v = nil
		}
		if fd.Key == "flows.netflow_version" {
			v = fmt.Sprint(v)
		}
		st.Values[fd.Key] = v
	}
	return st
}

// FormChange is what a section page submits: new values (only changed
// fields need to be present; a secret left blank keeps its stored value)
// and the secrets to clear.
type FormChange struct {
	Values map[string]json.RawMessage `json:"values"`
	Clear  []string                   `json:"clear"`
}

// FieldError names the field a problem belongs to.
type FieldError struct {
	Key     string `json:"key"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Message }

// Apply turns a submitted form into edited lqos.conf text. Only fields
// whose value differs from what the file says are written; it returns the
// keys changed (never values: they may be secrets).
func Apply(sec Section, data []byte, ch FormChange) ([]byte, []string, error) {
	cur := State(sec, data)
	byKey := map[string]Field{}
	for _, fd := range sec.Fields {
		byKey[fd.Key] = fd
	}
	for k := range ch.Values {
		if _, ok := byKey[k]; !ok {
			return nil, nil, &FieldError{Key: k, Message: "not a field of " + sec.Title}
		}
	}
	for _, k := range ch.Clear {
		if fd, ok := byKey[k]; !ok || fd.Type != "secret" {
			return nil, nil, &FieldError{Key: k, Message: "not a secret of " + sec.Title}
		}
	}
	out := data
	var changed []string
	var edits []Edit
	targetMode, _ := cur.Values[ModeKey].(string)
	if raw, ok := ch.Values[ModeKey]; ok {
		var mode string
		if err := json.Unmarshal(raw, &mode); err != nil || (mode != "bridge" && mode != "single_interface") {
			return nil, nil, &FieldError{Key: ModeKey, Message: `must be "bridge" or "single_interface"`}
		}
		if mode != targetMode {
			old := targetMode
			targetMode = mode
			var err error
			if out, err = deleteTable(out, old); err != nil {
				return nil, nil, err
			}
			changed = append(changed, ModeKey)
			// Every field of the new mode is written so its table exists.
			for _, fd := range sec.Fields {
				if fd.Group == mode {
					if _, given := ch.Values[fd.Key]; !given {
						edits = append(edits, Edit{Key: fd.Key, Value: zeroOf(fd)})
					}
				}
			}
			cur = State(sec, out)
			for _, fd := range sec.Fields {
				if fd.Group == mode {
					cur.Values[fd.Key] = nil // absent: every given value is written
				}
			}
		}
	}
	for _, fd := range sec.Fields {
		if fd.Key == ModeKey || fd.ReadOnly {
			continue
		}
		if slices.Contains(ch.Clear, fd.Key) {
			if cur.Secrets[fd.Key] {
				edits = append(edits, Edit{Key: fd.Key, Value: ""})
			}
			continue
		}
		raw, ok := ch.Values[fd.Key]
		if !ok {
			continue
		}
		v, del, err := convert(fd, raw)
		if err != nil {
			return nil, nil, &FieldError{Key: fd.Key, Message: err.Error()}
		}
		if fd.Type == "secret" {
			if s, _ := v.(string); s == "" {
				continue // blank keeps the stored value
			}
			edits = append(edits, Edit{Key: fd.Key, Value: v})
			continue
		}
		if del {
			if cur.Values[fd.Key] != nil {
				edits = append(edits, Edit{Key: fd.Key, Delete: true})
			}
			continue
		}
		if fd.Group != "" && fd.Group != targetMode {
			continue
		}
		differs := !sameValue(cur.Values[fd.Key], v)
		if fd.Key == "flows.netflow_version" {
			differs = fmt.Sprint(v) != cur.Values[fd.Key]
		}
		if differs {
			edits = append(edits, Edit{Key: fd.Key, Value: v})
		}
	}
	// A later edit of the same key wins (a value given with a mode switch).
	at := map[string]int{}
	var dedup []Edit
	for _, e := range edits {
		if i, ok := at[e.Key]; ok {
			dedup[i] = e
			continue
		}
		at[e.Key] = len(dedup)
		dedup = append(dedup, e)
		changed = append(changed, e.Key)
	}
	if len(dedup) == 0 && len(changed) == 0 {
		return data, nil, nil
	}
	res, err := EditTOML(out, dedup)
	if err != nil {
		return nil, nil, err
	}
	return res, changed, nil
}

func zeroOf(fd Field) any {
	switch fd.Type {
	case "bool":
		return false
	case "int":
		return 0
	case "float":
		return 0.0
	case "list":
		return []string{}
	}
	return ""
}

// convert reads a submitted JSON value as the field's Go type; del is true
// for an optional field left empty.
func convert(fd Field, raw json.RawMessage) (any, bool, error) {
	t, _ := typeOf(fd.Key)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s := strings.TrimSpace(string(raw))
	if s == "null" || s == `""` && fd.Optional {
		if fd.Optional {
			return nil, true, nil
		}
		if fd.Type != "string" && fd.Type != "secret" && fd.Type != "select" && fd.Type != "interface" {
			return nil, false, fmt.Errorf("a value is required")
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, false, fmt.Errorf("must be true or false")
		}
		return b, false, nil
	case reflect.String:
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, false, fmt.Errorf("must be text")
		}
		if fd.Type == "select" && !slices.Contains(fd.Options, v) {
			return nil, false, fmt.Errorf("must be one of %s", strings.Join(fd.Options, ", "))
		}
		if fd.Type != "secret" {
			v = strings.TrimSpace(v)
		}
		return v, false, nil
	case reflect.Float64:
		x, err := number(raw)
		if err != nil {
			return nil, false, err
		}
		return x, false, nil
	case reflect.Slice:
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			var text string
			if json.Unmarshal(raw, &text) != nil {
				return nil, false, fmt.Errorf("must be a list of text")
			}
			list = strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' })
		}
		out := []string{}
		for _, x := range list {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out, false, nil
	default:
		x, err := number(raw)
		if err != nil {
			return nil, false, err
		}
		if x != math.Trunc(x) {
			return nil, false, fmt.Errorf("must be a whole number")
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		switch t.Kind() {
		case reflect.Uint, reflect.Uint64:
			lo, hi = 0, 1<<53
		case reflect.Uint32:
			lo, hi = 0, math.MaxUint32
		case reflect.Int32:
			lo, hi = math.MinInt32, math.MaxInt32
		default:
			lo, hi = -(1 << 53), 1<<53
		}
		if x < lo || x > hi {
			return nil, false, fmt.Errorf("must be between %v and %v", lo, hi)
		}
		return int64(x), false, nil
	}
}

func number(raw json.RawMessage) (float64, error) {
	var x float64
	if err := json.Unmarshal(raw, &x); err == nil {
		return x, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		var y float64
		if _, err := fmt.Sscan(strings.TrimSpace(s), &y); err == nil {
			return y, nil
		}
	}
	return 0, fmt.Errorf("must be a number")
}

// SecretValues lists the non-empty credentials of a section in cfg.
func SecretValues(sec Section, cfg *config.Config) []string {
	var out []string
	for _, fd := range sec.Fields {
		if fd.Type != "secret" {
			continue
		}
		if v, ok := valueOf(cfg, fd.Key); ok {
			if s, _ := v.(string); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// Package config reads /etc/lqos.conf: the TOML file (version "1.5" layout) that
// every LibreQoS component shares.
//
// Loading is forgiving where an operator would want it to be (unknown keys are
// warnings, so a newer or older file still starts the shaper) and strict where
// a mistake would shape traffic wrongly (wrong types, both or neither interface
// sections, impossible values are errors naming the key).
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// DefaultPath is where the configuration lives on a shaper box.
const DefaultPath = "/etc/lqos.conf"

// EnvPath names the environment variable that overrides DefaultPath.
const EnvPath = "LQOS_CONFIG"

// Config is the whole of lqos.conf. Field order follows the upstream example file.
type Config struct {
	Version                string         `toml:"version"`
	LqosDirectory          string         `toml:"lqos_directory"`
	StateDirectory         string         `toml:"state_directory"`
	NodeID                 string         `toml:"node_id"`
	NodeName               string         `toml:"node_name"`
	PacketCaptureTime      int            `toml:"packet_capture_time"`
	QueueCheckPeriodMs     int            `toml:"queue_check_period_ms"`
	ExcludeEfficiencyCores bool           `toml:"exclude_efficiency_cores"`
	DisableWebserver       bool           `toml:"disable_webserver"`
	WebserverListen        string         `toml:"webserver_listen"`
	DisableICMPPing        bool           `toml:"disable_icmp_ping"`
	DisplayCobrand         bool           `toml:"display_cobrand"`
	EnableCircuitHeatmaps  bool           `toml:"enable_circuit_heatmaps"`
	EnableSiteHeatmaps     bool           `toml:"enable_site_heatmaps"`
	EnableASNHeatmaps      bool           `toml:"enable_asn_heatmaps"`
	QooProfileID           string         `toml:"qoo_profile_id"`
	RTTThresholds          *RTTThresholds `toml:"rtt_thresholds"`
	SSL                    *SSL           `toml:"ssl"`
	LocalAPI               *LocalAPI      `toml:"local_api"`
	WebUI                  WebUI          `toml:"web_ui"`

	// Exactly one of Bridge and SingleInterface is set.
	Bridge          *Bridge          `toml:"bridge"`
	SingleInterface *SingleInterface `toml:"single_interface"`

	Queues            Queues            `toml:"queues"`
	IntegrationCommon IntegrationCommon `toml:"integration_common"`
	Topology          Topology          `toml:"topology"`
	Tuning            Tuning            `toml:"tuning"`
	IPRanges          IPRanges          `toml:"ip_ranges"`
	Flows             Flows             `toml:"flows"`
	LongTermStats     LongTermStats     `toml:"long_term_stats"`

	UISP   UISP   `toml:"uisp_integration"`
	Splynx Splynx `toml:"splynx_integration"`
	// SplynxTypo is upstream's old misspelt section name; it is used only
	// when [splynx_integration] is absent.
	SplynxTypo *Splynx   `toml:"spylnx_integration"`
	Netzur     Netzur    `toml:"netzur_integration"`
	VISP       VISP      `toml:"visp_integration"`
	Powercode  Powercode `toml:"powercode_integration"`
	Sonar      Sonar     `toml:"sonar_integration"`
	WISPGate   WISPGate  `toml:"wispgate_integration"`
	REST       REST      `toml:"rest_integration"`

	InfluxDB         *InfluxDB        `toml:"influxdb"`
	Metrics          *Metrics         `toml:"metrics"`
	Fleet            *Fleet           `toml:"fleet"`
	Geo              *Geo             `toml:"geo"`
	MikrotikIPv6     *toml.Primitive  `toml:"mikrotik_ipv6"`
	DynamicCircuits  DynamicCircuits  `toml:"dynamic_circuits"`
	RadiusAccounting RadiusAccounting `toml:"radius_accounting"`
	StormGuard       *toml.Primitive  `toml:"stormguard"`
	TreeGuard        *toml.Primitive  `toml:"treeguard"`

	// Path is the file this configuration was read from (not a TOML key).
	Path string `toml:"-"`
}

// RTTThresholds colours latency in the UI (milliseconds).
type RTTThresholds struct {
	GreenMs  uint32 `toml:"green_ms"`
	YellowMs uint32 `toml:"yellow_ms"`
	RedMs    uint32 `toml:"red_ms"`
}

// LocalAPI is upstream's local REST API authentication; this version has no
// such API, so the section is accepted and not used.
type LocalAPI struct {
	BearerToken string `toml:"bearer_token"`
}

// SSL turns on HTTPS for the web UI: with cert and key, that certificate;
// with neither, a self-signed one generated on the first start and kept in
// <state_directory>/lqosd/tls (key mode 0600).
type SSL struct {
	Enabled  bool   `toml:"enabled"`
	CertFile string `toml:"cert"`
	KeyFile  string `toml:"key"`
}

// SelfSigned reports whether HTTPS is on without a provided certificate.
func (s *SSL) SelfSigned() bool { return s != nil && s.Enabled && s.CertFile == "" && s.KeyFile == "" }

// WebUI holds the web UI's security options (section [web_ui]).
type WebUI struct {
	// FirstRunTokenOnly requires the setup token to create the first admin
	// even from a browser on the box itself.
	FirstRunTokenOnly bool `toml:"first_run_token_only"`
	// SecureCookies marks the session cookie Secure (and sends HSTS) when
	// TLS is terminated by a reverse proxy in front of lqosd.
	SecureCookies bool `toml:"secure_cookies"`
	// MaxConnections (default 512) and MaxConnectionsPerIP (default 64)
	// bound the open connections to the UI; 0 means the default.
	MaxConnections      int `toml:"max_connections"`
	MaxConnectionsPerIP int `toml:"max_connections_per_ip"`
}

// Bridge is the two-interface inline mode.
type Bridge struct {
	UseXDPBridge bool   `toml:"use_xdp_bridge"`
	ToInternet   string `toml:"to_internet"`
	ToNetwork    string `toml:"to_network"`
	MTU          int    `toml:"mtu"`
}

// SingleInterface is "on a stick": one interface, directions told apart by VLAN.
type SingleInterface struct {
	Interface    string `toml:"interface"`
	InternetVLAN int    `toml:"internet_vlan"`
	NetworkVLAN  int    `toml:"network_vlan"`
	MTU          int    `toml:"mtu"`
}

// Queues holds the shaping settings.
type Queues struct {
	DefaultSQM              string   `toml:"default_sqm"`
	QueueMode               string   `toml:"queue_mode"`
	MonitorOnly             bool     `toml:"monitor_only"`
	UplinkBandwidthMbps     uint64   `toml:"uplink_bandwidth_mbps"`
	DownlinkBandwidthMbps   uint64   `toml:"downlink_bandwidth_mbps"`
	GeneratedPNDownloadMbps uint64   `toml:"generated_pn_download_mbps"`
	GeneratedPNUploadMbps   uint64   `toml:"generated_pn_upload_mbps"`
	DryRun                  bool     `toml:"dry_run"`
	Sudo                    bool     `toml:"sudo"`
	OverrideAvailableQueues uint32   `toml:"override_available_queues"`
	UseBinpacking           bool     `toml:"use_binpacking"`
	LazyQueues              string   `toml:"lazy_queues"`
	LazyExpireSeconds       *uint64  `toml:"lazy_expire_seconds"`
	LazyThresholdBytes      *uint64  `toml:"lazy_threshold_bytes"`
	FastQueuesFqCodel       *float64 `toml:"fast_queues_fq_codel"`
	// MissingLeafKinds is not read from the file: lqosd sets it to the
	// leaf qdisc kinds this kernel lacks, and the planner gives those
	// leaves a bounded bfifo instead (see plan.FallbackLeaf).
	MissingLeafKinds []string `toml:"-"`
	// UpstreamOversubscription keeps upstream LibreQoS's rule for circuit
	// minimums that do not fit their node: all of that node's circuits get
	// 1 Mbps (10 kbit/s when even that does not fit) in both directions, and
	// node guarantees are not fitted to their parent. Off: guarantees are
	// scaled down in proportion, per direction, at every level.
	UpstreamOversubscription bool `toml:"upstream_oversubscription"`
	// MaxCircuitRemovalPercent: a run that would remove a larger share of
	// the applied circuits is held until confirmed (default 20; 100 = never).
	MaxCircuitRemovalPercent *float64 `toml:"max_circuit_removal_percent"`
}

// Queue modes.
const (
	QueueModeShape   = "shape"
	QueueModeObserve = "observe"
)

// Lazy queue modes.
const (
	LazyNo   = "No"
	LazyHtb  = "Htb"
	LazyFull = "Full"
)

// IntegrationCommon holds options every CRM/NMS integration shares.
type IntegrationCommon struct {
	CircuitNameAsAddress        bool                      `toml:"circuit_name_as_address"`
	AlwaysOverwriteNetworkJSON  bool                      `toml:"always_overwrite_network_json"`
	QueueRefreshIntervalMins    int                       `toml:"queue_refresh_interval_mins"`
	UseMikrotikIPv6             bool                      `toml:"use_mikrotik_ipv6"`
	PromoteToRoot               []string                  `toml:"promote_to_root"`
	ClientBandwidthMultiplier   float64                   `toml:"client_bandwidth_multiplier"`
	EthernetPortLimitsEnabled   bool                      `toml:"ethernet_port_limits_enabled"`
	EthernetPortLimitMultiplier float64                   `toml:"ethernet_port_limit_multiplier"`
	TopologyAttachmentHealth    *TopologyAttachmentHealth `toml:"topology_attachment_health"`
}

// TopologyAttachmentHealth tunes the probe of redundant attachments.
type TopologyAttachmentHealth struct {
	Enabled                bool   `toml:"enabled"`
	ProbeIntervalSecs      uint64 `toml:"probe_interval_seconds"`
	FailAfterMissed        uint32 `toml:"fail_after_missed"`
	HoldDownSeconds        uint64 `toml:"hold_down_seconds"`
	ClearAfterSuccesses    uint32 `toml:"clear_after_successes"`
	RefreshDebounceSeconds uint64 `toml:"refresh_debounce_seconds"`
}

// Topology chooses how integrations compile their graph into a shaping tree.
type Topology struct {
	CompileMode                      string  `toml:"compile_mode"`
	QueueAutoVirtualizeThresholdMbps float64 `toml:"queue_auto_virtualize_threshold_mbps"`
}

// Compile modes ("strategies").
var CompileModes = []string{"flat", "ap_only", "ap_site", "full"}

// Tuning holds NIC and kernel tuning applied at start-up.
type Tuning struct {
	SetCPUGovernorPerformance bool     `toml:"set_cpu_governor_performance"`
	StopIRQBalance            bool     `toml:"stop_irq_balance"`
	NetdevBudgetUsecs         int      `toml:"netdev_budget_usecs"`
	NetdevBudgetPackets       int      `toml:"netdev_budget_packets"`
	RxUsecs                   int      `toml:"rx_usecs"`
	TxUsecs                   int      `toml:"tx_usecs"`
	DisableRxVLAN             bool     `toml:"disable_rxvlan"`
	DisableTxVLAN             bool     `toml:"disable_txvlan"`
	DisableOffload            []string `toml:"disable_offload"`
}

// IPRanges says which addresses are subscribers'.
type IPRanges struct {
	IgnoreSubnets         []string `toml:"ignore_subnets"`
	AllowSubnets          []string `toml:"allow_subnets"`
	UnknownIPHonorsIgnore bool     `toml:"unknown_ip_honors_ignore"`
	UnknownIPHonorsAllow  bool     `toml:"unknown_ip_honors_allow"`
}

// Flows configures flow tracking and export.
type Flows struct {
	FlowTimeoutSeconds int      `toml:"flow_timeout_seconds"`
	NetflowEnabled     bool     `toml:"netflow_enabled"`
	NetflowPort        int      `toml:"netflow_port"`
	NetflowIP          string   `toml:"netflow_ip"`
	NetflowVersion     int      `toml:"netflow_version"`
	DoNotTrackSubnets  []string `toml:"do_not_track_subnets"`
}

// LongTermStats is upstream's hosted statistics service. We keep the keys so
// existing files load, but nothing here phones home.
type LongTermStats struct {
	GatherStats                  bool   `toml:"gather_stats"`
	CollationPeriodSeconds       int    `toml:"collation_period_seconds"`
	LicenseKey                   string `toml:"license_key"`
	UISPReportingIntervalSeconds int    `toml:"uisp_reporting_interval_seconds"`
	LTSURL                       string `toml:"lts_url"`
	EnableInsightTopology        bool   `toml:"enable_insight_topology"`
}

// ExceptionCPE pins a CPE under a named parent.
type ExceptionCPE struct {
	CPE    string `toml:"cpe"`
	Parent string `toml:"parent"`
}

// UISP is the Ubiquiti UISP/UNMS integration.
type UISP struct {
	Enable                            bool           `toml:"enable_uisp"`
	Token                             string         `toml:"token"`
	URL                               string         `toml:"url"`
	Site                              string         `toml:"site"`
	Strategy                          string         `toml:"strategy"`
	SuspendedStrategy                 string         `toml:"suspended_strategy"`
	AirmaxCapacity                    float64        `toml:"airmax_capacity"`
	AirmaxFlexibleFrameDownloadRatio  float64        `toml:"airmax_flexible_frame_download_ratio"`
	LTUCapacity                       float64        `toml:"ltu_capacity"`
	ExcludeSites                      []string       `toml:"exclude_sites"`
	SquashSites                       []string       `toml:"squash_sites"`
	DoNotSquashSites                  []string       `toml:"do_not_squash_sites"`
	EnableSquashing                   bool           `toml:"enable_squashing"`
	IPv6WithMikrotik                  bool           `toml:"ipv6_with_mikrotik"`
	BandwidthOverheadFactor           float64        `toml:"bandwidth_overhead_factor"`
	CommitBandwidthMultiplier         float64        `toml:"commit_bandwidth_multiplier"`
	ExceptionCPEs                     []ExceptionCPE `toml:"exception_cpes"`
	IgnoreCalculatedCapacity          bool           `toml:"ignore_calculated_capacity"`
	InfrastructureTransportCapsEnable bool           `toml:"infrastructure_transport_caps_enabled"`
	InsecureSSL                       bool           `toml:"insecure_ssl"`
	UsePtMPAsParent                   bool           `toml:"use_ptmp_as_parent"`
}

// Splynx is the Splynx billing integration.
type Splynx struct {
	Enable     bool   `toml:"enable_splynx"`
	EnableTypo bool   `toml:"enable_spylnx"` // upstream's misspelt alias
	APIKey     string `toml:"api_key"`
	APISecret  string `toml:"api_secret"`
	URL        string `toml:"url"`
	Strategy   string `toml:"strategy"`
}

// Enabled reports whether either spelling of the switch is on.
func (s Splynx) Enabled() bool { return s.Enable || s.EnableTypo }

// Netzur is the Netzur integration.
type Netzur struct {
	Enable      bool   `toml:"enable_netzur"`
	APIKey      string `toml:"api_key"`
	APIURL      string `toml:"api_url"`
	TimeoutSecs int    `toml:"timeout_secs"`
}

// VISP is the VISP integration.
type VISP struct {
	Enable               bool     `toml:"enable_visp"`
	ClientID             string   `toml:"client_id"`
	ClientSecret         string   `toml:"client_secret"`
	Username             string   `toml:"username"`
	Password             string   `toml:"password"`
	ISPID                int      `toml:"isp_id"`
	OnlineUsersDomain    string   `toml:"online_users_domain"`
	TimeoutSecs          int      `toml:"timeout_secs"`
	TokenURL             string   `toml:"token_url"`
	GraphQLURL           string   `toml:"graphql_url"`
	TenantID             string   `toml:"tenant_id"`
	Strategy             string   `toml:"strategy"`
	VerifyTLS            bool     `toml:"verify_tls"`
	ServiceTypeAllowlist []string `toml:"service_type_allowlist"`
}

// Powercode is the Powercode integration.
type Powercode struct {
	Enable bool   `toml:"enable_powercode"`
	APIKey string `toml:"powercode_api_key"`
	// APIURL is scheme and host ("https://billing.example.net"); a port given
	// here wins over Port.
	APIURL string `toml:"powercode_api_url"`
	// Port of the Preseem API endpoint (default 444, Powercode's).
	Port int `toml:"port"`
	// VerifyTLS checks the server certificate (default true).
	VerifyTLS bool `toml:"verify_tls"`
	// CAFile is a PEM bundle trusted in addition to the system roots (a
	// self-signed Powercode certificate).
	CAFile      string `toml:"ca_file"`
	TimeoutSecs int    `toml:"timeout_secs"` // per request attempt (default 30)
}

// RecurringServiceRate gives a Sonar recurring service a rate.
type RecurringServiceRate struct {
	Enabled      bool    `toml:"enabled"`
	ServiceName  string  `toml:"service_name"`
	DownloadMbps float64 `toml:"download_mbps"`
	UploadMbps   float64 `toml:"upload_mbps"`
}

// Sonar is the Sonar integration.
type Sonar struct {
	Enable bool `toml:"enable_sonar"`
	// APIURL is the instance URL or its GraphQL endpoint; "/api/graphql" is added when missing.
	APIURL                        string                 `toml:"sonar_api_url"`
	APIKey                        string                 `toml:"sonar_api_key"`
	SNMPCommunity                 string                 `toml:"snmp_community"`
	AirmaxModelIDs                []string               `toml:"airmax_model_ids"`
	LTUModelIDs                   []string               `toml:"ltu_model_ids"`
	ActiveStatusIDs               []string               `toml:"active_status_ids"`
	RecurringServiceRates         []RecurringServiceRate `toml:"recurring_service_rates"`
	RecurringExcludedServiceNames []string               `toml:"recurring_excluded_service_names"`
	// SNMPDiscovery asks each AP (by SNMP) which stations it serves, to
	// parent accounts under APs (default true; needs airmax/ltu model ids).
	SNMPDiscovery bool `toml:"snmp_discovery"`
	TimeoutSecs   int  `toml:"timeout_secs"` // per GraphQL request attempt (default 60)
	PageSize      int  `toml:"page_size"`    // records per page (default 100)
}

// WISPGate is the WISPGate integration.
type WISPGate struct {
	Enable      bool   `toml:"enable_wispgate"`
	APIToken    string `toml:"wispgate_api_token"`
	APIURL      string `toml:"wispgate_api_url"`
	TimeoutSecs int    `toml:"timeout_secs"` // per request attempt (default 120)
}

// REST is a generic JSON-over-HTTP source: one GET of URL returning the
// nodes-and-circuits document described in docs/rest-integration.md.
type REST struct {
	Enable bool   `toml:"enable_rest"`
	URL    string `toml:"url"`
	// BearerToken, or Username/Password (HTTP Basic); at most one kind.
	BearerToken string `toml:"bearer_token"`
	Username    string `toml:"username"`
	Password    string `toml:"password"`
	VerifyTLS   bool   `toml:"verify_tls"` // default true
	CAFile      string `toml:"ca_file"`
	TimeoutSecs int    `toml:"timeout_secs"` // per request attempt (default 30)
}

// Warning is a problem that does not stop loading.
type Warning struct {
	Key     string
	Message string
}

func (w Warning) String() string {
	if w.Key == "" {
		return w.Message
	}
	return w.Key + ": " + w.Message
}

// ResolvePath picks the configuration file: an explicit path (from --config)
// wins, then $LQOS_CONFIG, then /etc/lqos.conf.
func ResolvePath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv(EnvPath); env != "" {
		return env
	}
	return DefaultPath
}

// Load reads and validates the file at path.
func Load(path string) (*Config, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, warns, err := Parse(data)
	if err != nil {
		return nil, warns, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.Path = path
	// Relative directories are relative to the file, so a config shipped
	// beside its inputs works from any working directory.
	base := filepath.Dir(path)
	if !filepath.IsAbs(cfg.LqosDirectory) {
		cfg.LqosDirectory = filepath.Join(base, cfg.LqosDirectory)
	}
	if !filepath.IsAbs(cfg.StateDirectory) {
		cfg.StateDirectory = filepath.Join(base, cfg.StateDirectory)
	}
	return cfg, warns, nil
}

// Defaults returns a configuration with every default applied and a bridge
// between eth0 (Internet) and eth1 (subscribers).
func Defaults() *Config {
	c := &Config{
		Version:                "1.5",
		LqosDirectory:          "/opt/libreqos/src",
		NodeName:               "LibreQoS",
		PacketCaptureTime:      10,
		QueueCheckPeriodMs:     1000,
		ExcludeEfficiencyCores: true,
		WebserverListen:        ":9123",
		EnableCircuitHeatmaps:  true,
		EnableSiteHeatmaps:     true,
		EnableASNHeatmaps:      true,
		Queues: Queues{
			DefaultSQM:              "cake diffserv4",
			QueueMode:               QueueModeShape,
			UplinkBandwidthMbps:     1000,
			DownlinkBandwidthMbps:   1000,
			GeneratedPNDownloadMbps: 1000,
			GeneratedPNUploadMbps:   1000,
			LazyQueues:              LazyNo,
		},
		IntegrationCommon: IntegrationCommon{
			QueueRefreshIntervalMins:    30,
			ClientBandwidthMultiplier:   1.0,
			EthernetPortLimitsEnabled:   true,
			EthernetPortLimitMultiplier: 0.94,
		},
		Topology: Topology{QueueAutoVirtualizeThresholdMbps: 5001},
		Tuning: Tuning{
			SetCPUGovernorPerformance: true,
			StopIRQBalance:            true,
			NetdevBudgetUsecs:         8000,
			NetdevBudgetPackets:       300,
			RxUsecs:                   8,
			TxUsecs:                   8,
			DisableRxVLAN:             true,
			DisableTxVLAN:             true,
			DisableOffload:            []string{"gso", "tso", "lro", "sg", "gro"},
		},
		IPRanges: IPRanges{
			AllowSubnets:          []string{"172.16.0.0/12", "10.0.0.0/8", "100.64.0.0/10", "192.168.0.0/16"},
			UnknownIPHonorsIgnore: true,
			UnknownIPHonorsAllow:  true,
		},
		Flows: Flows{FlowTimeoutSeconds: 30, NetflowPort: 2055, NetflowVersion: 5},
		LongTermStats: LongTermStats{
			CollationPeriodSeconds:       60,
			UISPReportingIntervalSeconds: 300,
		},
		UISP: UISP{
			AirmaxCapacity:                    1.0,
			AirmaxFlexibleFrameDownloadRatio:  0.8,
			LTUCapacity:                       1.0,
			BandwidthOverheadFactor:           1.0,
			CommitBandwidthMultiplier:         0.98,
			InfrastructureTransportCapsEnable: true,
			Strategy:                          "ap_site",
			SuspendedStrategy:                 "none",
		},
		Splynx: Splynx{Strategy: "ap_site"},
		Netzur: Netzur{TimeoutSecs: 60},
		VISP: VISP{
			TimeoutSecs: 20,
			TokenURL:    "https://data.visp.net/token",
			GraphQLURL:  "https://integrations.visp.net/graphql",
			Strategy:    "flat",
			VerifyTLS:   true,
		},
		Powercode:        Powercode{Port: 444, VerifyTLS: true, TimeoutSecs: 30},
		Sonar:            Sonar{SNMPCommunity: "public", SNMPDiscovery: true, TimeoutSecs: 60, PageSize: 100},
		WISPGate:         WISPGate{TimeoutSecs: 120},
		REST:             REST{VerifyTLS: true, TimeoutSecs: 30},
		RadiusAccounting: RadiusAccounting{Listen: "0.0.0.0:1813", DefaultTTLSeconds: 900, StaleGraceSeconds: 120},
	}
	return c
}

// Parse decodes TOML text on top of Defaults and validates the result.
// Every syntax and type error that can be found is returned (joined), each
// naming its line and, where known, its key.
func Parse(data []byte) (*Config, []Warning, error) {
	cfg, md, errs := decodeAll(data)
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	var warns []Warning
	for _, k := range md.Undecoded() {
		// Sections we keep as raw primitives are known, their inner keys too.
		if len(k) > 1 && isRawSection(k[0]) {
			continue
		}
		warns = append(warns, Warning{Key: k.String(), Message: "unknown key, ignored"})
	}
	if unused := AcceptedNotUsed(md); len(unused) > 0 {
		warns = append(warns, Warning{Message: NotUsedMessage + ": " + strings.Join(unused, ", ")})
	}
	if !md.IsDefined("splynx_integration") && cfg.SplynxTypo != nil {
		cfg.Splynx = *cfg.SplynxTypo
	}
	if !md.IsDefined("queues", "queue_mode") && md.IsDefined("queues", "monitor_only") && cfg.Queues.MonitorOnly {
		cfg.Queues.QueueMode = QueueModeObserve
	}
	if !md.IsDefined("bridge") && !md.IsDefined("single_interface") {
		return nil, warns, errors.New("one of [bridge] or [single_interface] is required")
	}
	if md.IsDefined("bridge") {
		b := &Bridge{UseXDPBridge: true, ToInternet: "eth0", ToNetwork: "eth1"}
		applyDefined(md, cfg.Bridge, b)
		cfg.Bridge = b
	}
	if md.IsDefined("single_interface") {
		s := &SingleInterface{Interface: "eth0", InternetVLAN: 2, NetworkVLAN: 3}
		applyDefinedStick(md, cfg.SingleInterface, s)
		cfg.SingleInterface = s
	}
	if cfg.NodeID == "" {
		cfg.NodeID = machineNodeID()
	}
	if cfg.StateDirectory == "" {
		cfg.StateDirectory = defaultStateDir(cfg.LqosDirectory)
	}
	warns = append(warns, cfg.metricsWarnings()...)
	warns = append(warns, cfg.geoWarnings()...)
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, warns, errors.Join(errs...)
	}
	return cfg, warns, nil
}

// NotUsedMessage introduces the one line that lists upstream keys this
// version accepts (type-checked where it decodes them) but does not act on.
const NotUsedMessage = "accepted, not used by this version"

// notUsedKeys are upstream keys and sections that load without complaint but
// change nothing here. A section name covers every key inside it.
var notUsedKeys = []string{
	"packet_capture_time", "queue_check_period_ms", "disable_icmp_ping",
	"display_cobrand", "enable_circuit_heatmaps", "enable_site_heatmaps", "enable_asn_heatmaps",
	"qoo_profile_id", "rtt_thresholds", "local_api",
	"bridge.use_xdp_bridge",
	"queues.sudo", "queues.dry_run",
	"tuning", "long_term_stats",
	"flows.netflow_enabled", "flows.netflow_port", "flows.netflow_ip", "flows.netflow_version", "flows.do_not_track_subnets",
	"integration_common.always_overwrite_network_json", "integration_common.use_mikrotik_ipv6",
	"integration_common.topology_attachment_health",
	"topology.queue_auto_virtualize_threshold_mbps",
	"ip_ranges.unknown_ip_honors_ignore", "ip_ranges.unknown_ip_honors_allow",
	"uisp_integration.squash_sites", "uisp_integration.do_not_squash_sites", "uisp_integration.enable_squashing",
	"uisp_integration.ipv6_with_mikrotik", "uisp_integration.use_ptmp_as_parent",
	"visp_integration.online_users_domain",

	"mikrotik_ipv6", "stormguard", "treeguard", "dynamic_circuits.ttl_seconds",
}

// AcceptedNotUsed lists, once each and in file order, the entries of
// notUsedKeys that the file sets.
func AcceptedNotUsed(md toml.MetaData) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range md.Keys() {
		for _, nu := range notUsedKeys {
			path := strings.Split(nu, ".")
			if len(k) < len(path) || seen[nu] {
				continue
			}
			match := true
			for i := range path {
				if k[i] != path[i] {
					match = false
					break
				}
			}
			if match {
				seen[nu] = true
				out = append(out, nu)
			}
		}
	}
	return out
}

func isRawSection(name string) bool {
	switch name {
	case "mikrotik_ipv6", "stormguard", "treeguard":
		return true
	}
	return false
}

// applyDefined copies the bridge keys the file set onto the defaults in b.
func applyDefined(md toml.MetaData, decoded, b *Bridge) {
	if decoded == nil {
		return
	}
	if md.IsDefined("bridge", "use_xdp_bridge") {
		b.UseXDPBridge = decoded.UseXDPBridge
	}
	if md.IsDefined("bridge", "to_internet") {
		b.ToInternet = decoded.ToInternet
	}
	if md.IsDefined("bridge", "to_network") {
		b.ToNetwork = decoded.ToNetwork
	}
	b.MTU = decoded.MTU
}

func applyDefinedStick(md toml.MetaData, decoded, s *SingleInterface) {
	if decoded == nil {
		return
	}
	if md.IsDefined("single_interface", "interface") {
		s.Interface = decoded.Interface
	}
	if md.IsDefined("single_interface", "internet_vlan") {
		s.InternetVLAN = decoded.InternetVLAN
	}
	if md.IsDefined("single_interface", "network_vlan") {
		s.NetworkVLAN = decoded.NetworkVLAN
	}
	s.MTU = decoded.MTU
}

// maxDecodeErrors bounds how many syntax/type errors one file reports.
const maxDecodeErrors = 20

// decodeAll decodes data on top of Defaults. After an error it blanks the
// offending line and decodes again, so one run reports as many independent
// errors as possible (a blanked line may hide errors that depend on it).
func decodeAll(data []byte) (*Config, toml.MetaData, []error) {
	src := []byte(string(data))
	var errs []error
	seen := map[int]bool{}
	for range maxDecodeErrors {
		cfg := Defaults()
		cfg.InfluxDB, cfg.Metrics = defaultInfluxDB(), defaultMetrics()
		md, err := toml.Decode(string(src), cfg)
		if err == nil {
			if len(errs) == 0 {
				return cfg, md, nil
			}
			return nil, md, errs
		}
		line, derr := describeDecodeError(src, err)
		errs = append(errs, derr)
		if line <= 0 || seen[line] {
			break
		}
		seen[line] = true
		blankLine(src, line)
	}
	return nil, toml.MetaData{}, errs
}

// blankLine replaces line n (1-based) of b with spaces, keeping its newline.
func blankLine(b []byte, n int) {
	line := 1
	for i := range b {
		if b[i] == '\n' {
			line++
			continue
		}
		if line == n {
			b[i] = ' '
		}
	}
}

var typeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// describeDecodeError turns BurntSushi's errors into one line naming the
// line and key, and returns that line number (0 if unknown). The line is
// computed from the error's byte offset: the parser reports an error found
// at a newline (such as an unclosed "[bridge") on the following line.
func describeDecodeError(src []byte, err error) (int, error) {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		line := perr.Position.Line
		if st := perr.Position.Start; st > 0 && st <= len(src) {
			line = bytes.Count(src[:st], []byte("\n")) + 1
		}
		msg := perr.Message
		if perr.LastKey != "" {
			return line, fmt.Errorf("line %d, key %q: %s", line, perr.LastKey, msg)
		}
		return line, fmt.Errorf("line %d: %s", line, msg)
	}
	if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, fmt.Errorf("line %d, key %q: %s", line, m[2], m[3])
	}
	return 0, err
}

func machineNodeID() string {
	id, err := os.ReadFile("/etc/machine-id")
	if err != nil || len(strings.TrimSpace(string(id))) == 0 {
		return "libreqos-node"
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(string(id))))
	return hex.EncodeToString(sum[:])
}

func defaultStateDir(lqosDir string) string {
	clean := filepath.Clean(lqosDir)
	if filepath.Base(clean) == "src" {
		return filepath.Join(filepath.Dir(clean), "state")
	}
	return filepath.Join(clean, "state")
}

// Validate checks the values that would make shaping wrong. Every problem is
// returned, each naming its key.
func (c *Config) Validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	c.validateFleet(bad)
	if c.Version != "1.5" {
		bad("version", "must be \"1.5\", got %q", c.Version)
	}
	if strings.TrimSpace(c.LqosDirectory) == "" {
		bad("lqos_directory", "must not be empty")
	}
	if c.Bridge != nil && c.SingleInterface != nil {
		bad("bridge", "[bridge] and [single_interface] are both present; keep exactly one")
	}
	if b := c.Bridge; b != nil {
		if b.ToInternet == "" {
			bad("bridge.to_internet", "must name an interface")
		}
		if b.ToNetwork == "" {
			bad("bridge.to_network", "must name an interface")
		}
		if b.ToInternet != "" && b.ToInternet == b.ToNetwork {
			bad("bridge.to_network", "must differ from bridge.to_internet (%q)", b.ToInternet)
		}
		checkMTU(bad, "bridge.mtu", b.MTU)
	}
	if s := c.SingleInterface; s != nil {
		if s.Interface == "" {
			bad("single_interface.interface", "must name an interface")
		}
		if s.InternetVLAN < 0 || s.InternetVLAN > 4094 {
			bad("single_interface.internet_vlan", "must be 0..4094, got %d", s.InternetVLAN)
		}
		if s.NetworkVLAN < 0 || s.NetworkVLAN > 4094 {
			bad("single_interface.network_vlan", "must be 0..4094, got %d", s.NetworkVLAN)
		}
		if s.InternetVLAN == s.NetworkVLAN {
			bad("single_interface.network_vlan", "must differ from internet_vlan (%d)", s.InternetVLAN)
		}
		checkMTU(bad, "single_interface.mtu", s.MTU)
	}
	q := c.Queues
	if strings.TrimSpace(q.DefaultSQM) == "" {
		bad("queues.default_sqm", "must not be empty")
	}
	if q.QueueMode != QueueModeShape && q.QueueMode != QueueModeObserve {
		bad("queues.queue_mode", "must be %q or %q, got %q", QueueModeShape, QueueModeObserve, q.QueueMode)
	}
	for _, k := range []struct {
		key string
		v   uint64
	}{
		{"queues.uplink_bandwidth_mbps", q.UplinkBandwidthMbps},
		{"queues.downlink_bandwidth_mbps", q.DownlinkBandwidthMbps},
		{"queues.generated_pn_download_mbps", q.GeneratedPNDownloadMbps},
		{"queues.generated_pn_upload_mbps", q.GeneratedPNUploadMbps},
	} {
		if k.v == 0 {
			bad(k.key, "must be greater than 0")
		}
	}
	switch q.LazyQueues {
	case "", LazyNo, LazyHtb, LazyFull:
	default:
		bad("queues.lazy_queues", "must be %q, %q or %q, got %q", LazyNo, LazyHtb, LazyFull, q.LazyQueues)
	}
	if q.FastQueuesFqCodel != nil && *q.FastQueuesFqCodel <= 0 {
		bad("queues.fast_queues_fq_codel", "must be greater than 0")
	}
	if p := q.MaxCircuitRemovalPercent; p != nil && (*p < 0 || *p > 100) {
		bad("queues.max_circuit_removal_percent", "must be between 0 and 100, got %v", *p)
	}
	ic := c.IntegrationCommon
	if ic.QueueRefreshIntervalMins < 1 {
		bad("integration_common.queue_refresh_interval_mins", "must be at least 1, got %d", ic.QueueRefreshIntervalMins)
	}
	if ic.EthernetPortLimitMultiplier <= 0 || ic.EthernetPortLimitMultiplier > 1 {
		bad("integration_common.ethernet_port_limit_multiplier", "must be in (0, 1], got %v", ic.EthernetPortLimitMultiplier)
	}
	if ic.ClientBandwidthMultiplier < 0 {
		bad("integration_common.client_bandwidth_multiplier", "must not be negative")
	}
	if c.SSL != nil && c.SSL.Enabled && (c.SSL.CertFile == "") != (c.SSL.KeyFile == "") {
		bad("ssl", "set both cert and key, or neither for a self-signed certificate")
	}
	if c.WebUI.MaxConnections < 0 {
		bad("web_ui.max_connections", "must not be negative")
	}
	if c.WebUI.MaxConnectionsPerIP < 0 {
		bad("web_ui.max_connections_per_ip", "must not be negative")
	}
	if m := c.Topology.CompileMode; m != "" && m != "full2" && !contains(CompileModes, m) {
		bad("topology.compile_mode", "must be one of %s, got %q", strings.Join(CompileModes, ", "), m)
	}
	for i, s := range c.IPRanges.AllowSubnets {
		checkPrefix(bad, fmt.Sprintf("ip_ranges.allow_subnets[%d]", i), s)
	}
	for i, s := range c.IPRanges.IgnoreSubnets {
		checkPrefix(bad, fmt.Sprintf("ip_ranges.ignore_subnets[%d]", i), s)
	}
	for i, s := range c.Flows.DoNotTrackSubnets {
		checkPrefix(bad, fmt.Sprintf("flows.do_not_track_subnets[%d]", i), s)
	}
	if p := c.Powercode.Port; p < 1 || p > 65535 {
		bad("powercode_integration.port", "must be 1..65535, got %d", p)
	}
	for _, k := range []struct {
		key string
		v   int
	}{
		{"powercode_integration.timeout_secs", c.Powercode.TimeoutSecs},
		{"sonar_integration.timeout_secs", c.Sonar.TimeoutSecs},
		{"wispgate_integration.timeout_secs", c.WISPGate.TimeoutSecs},
		{"rest_integration.timeout_secs", c.REST.TimeoutSecs},
	} {
		if k.v < 1 {
			bad(k.key, "must be at least 1, got %d", k.v)
		}
	}
	if n := c.Sonar.PageSize; n < 1 || n > 1000 {
		bad("sonar_integration.page_size", "must be 1..1000, got %d", n)
	}
	if c.REST.BearerToken != "" && (c.REST.Username != "" || c.REST.Password != "") {
		bad("rest_integration.bearer_token", "set either bearer_token or username/password, not both")
	}
	if n := len(c.EnabledIntegrations()); n > 1 {
		bad("integrations", "%d integrations are enabled (%s); enable at most one", n, strings.Join(c.EnabledIntegrations(), ", "))
	}
	errs = append(errs, c.RadiusAccounting.validate()...)
	return errs
}

func checkMTU(bad func(string, string, ...any), key string, mtu int) {
	if mtu != 0 && (mtu < 576 || mtu > 9216) {
		bad(key, "must be 576..9216, got %d", mtu)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// integrationSwitches is the one list of CRM/NMS integrations, in priority
// order: when several are enabled (which Validate refuses) the first one
// runs. Package integrations and the scheduler take their order from here.
var integrationSwitches = []struct {
	name    string
	enabled func(*Config) bool
}{
	{"uisp", func(c *Config) bool { return c.UISP.Enable }},
	{"splynx", func(c *Config) bool { return c.Splynx.Enabled() }},
	{"visp", func(c *Config) bool { return c.VISP.Enable }},
	{"netzur", func(c *Config) bool { return c.Netzur.Enable }},
	{"powercode", func(c *Config) bool { return c.Powercode.Enable }},
	{"sonar", func(c *Config) bool { return c.Sonar.Enable }},
	{"wispgate", func(c *Config) bool { return c.WISPGate.Enable }},
	{"rest", func(c *Config) bool { return c.REST.Enable }},
}

// IntegrationNames lists the short name of every integration, in priority
// order.
func IntegrationNames() []string {
	out := make([]string, len(integrationSwitches))
	for i, sw := range integrationSwitches {
		out[i] = sw.name
	}
	return out
}

// EnabledIntegrations lists the integrations switched on, in priority order.
func (c *Config) EnabledIntegrations() []string {
	var out []string
	for _, sw := range integrationSwitches {
		if sw.enabled(c) {
			out = append(out, sw.name)
		}
	}
	return out
}

// OnAStick reports whether the shaper runs on a single interface.
func (c *Config) OnAStick() bool { return c.Bridge == nil }

// Observe reports whether queue_mode asks to watch traffic without shaping it.
func (c *Config) Observe() bool { return c.Queues.QueueMode == QueueModeObserve }

// InternetInterface is the egress towards the edge router (shapes upload).
func (c *Config) InternetInterface() string {
	if c.Bridge != nil {
		return c.Bridge.ToInternet
	}
	return c.SingleInterface.Interface
}

// NetworkInterface is the egress towards subscribers (shapes download).
func (c *Config) NetworkInterface() string {
	if c.Bridge != nil {
		return c.Bridge.ToNetwork
	}
	return c.SingleInterface.Interface
}

// FastQueuesThreshold is the max rate (Mbps) at or above which circuits get
// fq_codel instead of the default leaf.
func (c *Config) FastQueuesThreshold() float64 {
	if c.Queues.FastQueuesFqCodel != nil {
		return *c.Queues.FastQueuesFqCodel
	}
	return 1000
}

// MaxCircuitRemovalShare is the share (0..1) of applied circuits one run may
// remove without confirmation.
func (c *Config) MaxCircuitRemovalShare() float64 {
	if p := c.Queues.MaxCircuitRemovalPercent; p != nil {
		return *p / 100
	}
	return 0.20
}

// SortedWarnings orders warnings by key for stable output.
func SortedWarnings(w []Warning) []Warning {
	out := append([]Warning(nil), w...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

package webui

import (
	"context"
	"time"
)

// Source is everything the web UI reads from (and the little it changes in)
// the rest of lqosd. The daemon implements it on top of its bus and stats;
// internal/webui/demosource has an in-memory fake for tests and cmd/webui-dev.
//
// Calls may come from several goroutines at once and must not block for long:
// the server gives each call a context with a deadline.
type Source interface {
	// NodeName is shown in the navigation bar and the page title.
	NodeName() string
	// Throughput is the current total rate (polled every second).
	Throughput(ctx context.Context) (Throughput, error)
	// TopCircuits returns up to n circuits with the highest download rate.
	TopCircuits(ctx context.Context, n int) ([]CircuitStat, error)
	// WorstRTT returns up to n circuits with the highest median RTT.
	WorstRTT(ctx context.Context, n int) ([]CircuitStat, error)
	// CPULoad returns per-core busy percentages (0-100).
	CPULoad(ctx context.Context) ([]float64, error)
	// QueueCounts returns counts of shaping objects.
	QueueCounts(ctx context.Context) (QueueCounts, error)
	// SchedulerStatus returns the raw scheduler report; the server derives
	// the displayed state from it (see DeriveSchedulerState).
	SchedulerStatus(ctx context.Context) (SchedulerStatus, error)
	// UrgentIssues lists open (unacknowledged) urgent issues, newest first.
	UrgentIssues(ctx context.Context) ([]UrgentIssue, error)
	// AckUrgent acknowledges (closes) one issue on behalf of user; it then
	// no longer appears in UrgentIssues. It returns an error wrapping
	// ErrNotFound when id is unknown and ErrNotClearable when the issue
	// cannot be acknowledged (adapters map their own errors to these).
	AckUrgent(ctx context.Context, id uint64, user string) error
	// AckAllUrgent acknowledges every clearable issue.
	AckAllUrgent(ctx context.Context, user string) error
}

// DownUp is a pair of directional values.
type DownUp struct {
	Down uint64 `json:"down"`
	Up   uint64 `json:"up"`
}

// Throughput is the whole-network rate at one instant.
type Throughput struct {
	BitsPerSecond    DownUp `json:"bps"`
	PacketsPerSecond DownUp `json:"pps"`
	// Shaped is the part of BitsPerSecond that matched a shaped circuit;
	// the rest is unshaped (unknown IPs).
	ShapedBitsPerSecond DownUp `json:"shaped_bps"`
	// MaxMbps is the configured uplink/downlink capacity (0 = unknown).
	MaxMbps DownUp `json:"max_mbps"`
}

// CircuitStat is one row of a top-N list.
type CircuitStat struct {
	CircuitID string `json:"circuit_id"`
	Name      string `json:"name"`
	IP        string `json:"ip"`
	MAC       string `json:"mac,omitempty"`
	Parent    string `json:"parent,omitempty"`
	// Bits per second.
	Down uint64 `json:"down_bps"`
	Up   uint64 `json:"up_bps"`
	// Median TCP round-trip time in milliseconds (0 = no sample).
	RTTMs    float64 `json:"rtt_ms"`
	PlanMbps DownUp  `json:"plan_mbps"`
}

// QueueCounts are the numbers of shaping objects currently installed.
type QueueCounts struct {
	CPUQueues     int `json:"cpu_queues"`
	SiteQueues    int `json:"site_queues"`
	CircuitQueues int `json:"circuit_queues"`
	ShapedDevices int `json:"shaped_devices"`
	UnknownIPs    int `json:"unknown_ips"`
	// Classification is how the data path gives packets their class on
	// this kernel ("XDP+TC metadata", "TC lookup (...)"); "" = unknown.
	Classification string `json:"classification,omitempty"`
}

// SchedulerStatus is the latest report from the scheduler, as lqosd keeps it.
type SchedulerStatus struct {
	// State, when set, is used as the displayed state instead of deriving
	// it from the fields below. Accepted: the Sched* constants, plus
	// "unknown" (= unavailable) and "setup_required" (= setup) as used by
	// internal/schedstatus. Staleness is still applied from LastHeartbeat
	// when State says healthy or running.
	State string `json:"source_state,omitempty"`
	// SetupRequired is true while no topology source is configured.
	SetupRequired bool   `json:"setup_required"`
	SetupMessage  string `json:"setup_message,omitempty"`
	// Active is true while a refresh or start-up is running.
	Active     bool    `json:"active"`
	Phase      string  `json:"phase"`
	PhaseLabel string  `json:"phase_label"`
	StepIndex  int     `json:"step_index"`
	StepCount  int     `json:"step_count"`
	Percent    float64 `json:"percent"`
	// LastHeartbeat is the time of the latest scheduler message of any kind
	// (zero = never heard from).
	LastHeartbeat time.Time `json:"last_heartbeat"`
	LastSuccess   time.Time `json:"last_success"`
	NextRun       time.Time `json:"next_run"`
	// LastError is the latest error text ("" = none).
	LastError string `json:"last_error,omitempty"`
	// Output holds recent output lines, newest last.
	Output []string `json:"output,omitempty"`
}

// UrgentIssue is one entry of the urgent issue list.
type UrgentIssue struct {
	ID        uint64    `json:"id"`
	Time      time.Time `json:"ts"`
	Source    string    `json:"source"`
	Severity  string    `json:"severity"` // "error", "warning" or "info" (any case)
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	Context   string    `json:"context,omitempty"`
	Clearable bool      `json:"clearable"`
	// Count is how many times the issue was raised (0 = not tracked).
	Count uint64 `json:"count,omitempty"`
}

package bus

import (
	"encoding/json"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"net/http"
	"net/netip"
	"time"

	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// This file holds every message that travels over the bus; routes.go says
// which path carries which. Request bodies are decoded strictly: unknown
// fields are an error, so a typo in a client is reported instead of
// silently ignored. Responses are decoded leniently so an older client
// tolerates new fields.

// Request is a pointer to one of the request messages of the route table
// (*Ping, *MapIPs, ...). Client.Request finds the route by its type.
type Request = any

// Response is a pointer to one of the response messages, or an *Error.
type Response = any

// validator is implemented by requests that check their own fields after
// decoding; the server answers invalid_argument without calling the handler.
type validator interface {
	Validate() error
}

// ---------------------------------------------------------------------------
// Shared value types

// validateMapping checks the fields of a mapping sent over the bus.
func validateMapping(m *plan.Mapping) error {
	if !m.Prefix.IsValid() {
		return fmt.Errorf("prefix: missing or invalid")
	}
	if m.Prefix != m.Prefix.Masked() {
		return fmt.Errorf("prefix: %s has host bits set (did you mean %s?)", m.Prefix, m.Prefix.Masked())
	}
	if m.CircuitID == "" {
		return fmt.Errorf("circuit_id: empty")
	}
	return nil
}

// DownUp is a pair of values, download (towards the subscriber) first.
type DownUp struct {
	Down uint64 `json:"down"`
	Up   uint64 `json:"up"`
}

// ---------------------------------------------------------------------------
// Requests

// Ping checks liveness. Answered by the server itself. Response: *Pong.
type Ping struct{}

// Version asks for the daemon and protocol versions. Answered by the server
// itself. Response: *VersionInfo.
type Version struct{}

// MapIPs adds or replaces IP mappings in one batch. Response: *MapIPsResult.
type MapIPs struct {
	Mappings []plan.Mapping `json:"mappings"`
}

// Validate reports the first invalid mapping by index.
func (r *MapIPs) Validate() error {
	for i := range r.Mappings {
		if err := validateMapping(&r.Mappings[i]); err != nil {
			return fmt.Errorf("mappings[%d].%v", i, err)
		}
	}
	return nil
}

// DelIPs deletes mappings by exact prefix. Response: *DelIPsResult.
type DelIPs struct {
	Prefixes []netip.Prefix `json:"prefixes"`
}

// Validate checks every prefix.
func (r *DelIPs) Validate() error {
	for i, p := range r.Prefixes {
		if !p.IsValid() {
			return fmt.Errorf("prefixes[%d]: missing or invalid", i)
		}
	}
	return nil
}

// ClearIPs deletes all mappings. Response: *ClearIPsResult.
type ClearIPs struct{}

// ListIPs lists mappings sorted by prefix, paged. Limit 0 = all.
// Response: *MappingList.
type ListIPs struct {
	Offset int `json:"offset,omitempty"`
	Limit  int `json:"limit,omitempty"`
}

// Validate rejects negative paging values.
func (r *ListIPs) Validate() error {
	if r.Offset < 0 {
		return fmt.Errorf("offset: negative")
	}
	if r.Limit < 0 {
		return fmt.Errorf("limit: negative")
	}
	return nil
}

// ApplyPlan asks the daemon to apply the current shaping plan (e.g. after
// the scheduler wrote new inputs). The daemon decides whether a full or
// incremental apply is needed. Response: *PlanResult.
type ApplyPlan struct {
	// Reason is logged and shown to operators ("scheduler refresh", ...).
	Reason string `json:"reason"`
	// DryRun computes the plan and its diff without touching the kernel.
	DryRun bool `json:"dry_run,omitempty"`
}

// Validate requires a reason.
func (r *ApplyPlan) Validate() error { return requireReason(r.Reason) }

// ReloadPlan asks the daemon to reload its inputs (config, topology, devices)
// from disk and then apply. Response: *PlanResult.
type ReloadPlan struct {
	Reason string `json:"reason"`
	// Full forces a full rebuild instead of an incremental one.
	Full bool `json:"full,omitempty"`
	// ConfirmShrink applies even a run that removes more than
	// queues.max_circuit_removal_percent of the applied circuits.
	ConfirmShrink bool `json:"confirm_shrink,omitempty"`
}

// Validate requires a reason.
func (r *ReloadPlan) Validate() error { return requireReason(r.Reason) }

func requireReason(s string) error {
	if s == "" {
		return fmt.Errorf("reason: empty (say why the plan is applied)")
	}
	return nil
}

// GetThroughput asks for the current total throughput. Response: *Throughput.
type GetThroughput struct{}

// TopN kinds and orderings.
const (
	TopHosts    = "hosts"
	TopCircuits = "circuits"
	ByDown      = "down"
	ByUp        = "up"
	ByTotal     = "total"
)

// MaxTopN bounds GetTopN.N.
const MaxTopN = 10000

// GetTopN asks for the busiest hosts or circuits. Response: *TopNResult.
type GetTopN struct {
	// Kind is "hosts" or "circuits".
	Kind string `json:"kind"`
	// By is "down", "up" or "total" ("" = "down").
	By string `json:"by,omitempty"`
	// N entries starting at Offset (N 1..MaxTopN).
	N      int `json:"n"`
	Offset int `json:"offset,omitempty"`
}

// Validate checks kind, ordering and bounds.
func (r *GetTopN) Validate() error {
	if r.Kind != TopHosts && r.Kind != TopCircuits {
		return fmt.Errorf("kind: %q, want %q or %q", r.Kind, TopHosts, TopCircuits)
	}
	if r.By != "" && r.By != ByDown && r.By != ByUp && r.By != ByTotal {
		return fmt.Errorf("by: %q, want down, up or total", r.By)
	}
	if r.N < 1 || r.N > MaxTopN {
		return fmt.Errorf("n: %d, want 1..%d", r.N, MaxTopN)
	}
	if r.Offset < 0 {
		return fmt.Errorf("offset: negative")
	}
	return nil
}

// GetCircuitThroughput asks for the current rates of some circuits (all
// circuits if empty). Response: *CircuitThroughputResult.
type GetCircuitThroughput struct {
	CircuitIDs []string `json:"circuit_ids,omitempty"`
}

// GetQueueStats asks for the qdisc/class counters of one circuit.
// Response: *QueueStats.
type GetQueueStats struct {
	CircuitID string `json:"circuit_id"`
}

// Validate requires a circuit id.
func (r *GetQueueStats) Validate() error {
	if r.CircuitID == "" {
		return fmt.Errorf("circuit_id: empty")
	}
	return nil
}

// SchedulerHeartbeat says the scheduler is alive. Response: *Ack.
type SchedulerHeartbeat struct {
	// NextRun is when the next scheduled refresh will start (optional).
	NextRun time.Time `json:"next_run,omitzero"`
}

// SchedulerProgress reports the current phase (also a heartbeat).
// Response: *Ack.
type SchedulerProgress struct {
	Active bool   `json:"active"`
	Phase  string `json:"phase"`
	Label  string `json:"label,omitempty"`
	Step   int    `json:"step,omitempty"`
	Steps  int    `json:"steps,omitempty"`
	// Percent 0..100; nil = derive from Step/Steps.
	Percent *int `json:"percent,omitempty"`
}

// Validate requires a phase and sane counters.
func (r *SchedulerProgress) Validate() error {
	switch {
	case r.Phase == "":
		return fmt.Errorf("phase: empty")
	case r.Step < 0 || r.Steps < 0 || r.Step > r.Steps:
		return fmt.Errorf("step: %d of %d is out of range", r.Step, r.Steps)
	case r.Percent != nil && (*r.Percent < 0 || *r.Percent > 100):
		return fmt.Errorf("percent: %d, want 0..100", *r.Percent)
	}
	return nil
}

// SchedulerError reports a failed integration or refresh (also a
// heartbeat). Preview is cut by the daemon to 30 lines / 4000 characters; an
// empty Preview clears the error. Response: *Ack.
type SchedulerError struct {
	Integration string `json:"integration,omitempty"`
	Preview     string `json:"preview"`
	// LogPath is where the full output was saved, if anywhere.
	LogPath string `json:"log_path,omitempty"`
}

// SchedulerOutput reports informational output and/or the path of the full
// log of the latest run (also a heartbeat). Response: *Ack.
type SchedulerOutput struct {
	Text    string `json:"text,omitempty"`
	LogPath string `json:"log_path,omitempty"`
}

// SchedulerSuccess reports a successful run (also a heartbeat); it clears
// the last error. Response: *Ack.
type SchedulerSuccess struct {
	// FinishedAt defaults to the time the daemon received the report.
	FinishedAt time.Time     `json:"finished_at,omitzero"`
	Duration   time.Duration `json:"duration_ns"`
}

// Validate rejects negative durations.
func (r *SchedulerSuccess) Validate() error {
	if r.Duration < 0 {
		return fmt.Errorf("duration_ns: negative")
	}
	return nil
}

// GetSchedulerStatus asks for the scheduler status. Response:
// *SchedulerStatus.
type GetSchedulerStatus struct{}

// GetDataPath asks how the data path runs on this kernel. Response:
// *DataPathStatus.
type GetDataPath struct{}

// GetDynamicCircuits asks for the RADIUS accounting sessions. Response:
// *DynamicCircuits.
type GetDynamicCircuits struct{}

// RaiseUrgent raises (or bumps) an urgent issue. Response: *UrgentRaised.
type RaiseUrgent struct {
	Code     string          `json:"code"`
	Severity urgent.Severity `json:"severity"`
	Source   string          `json:"source,omitempty"`
	Message  string          `json:"message"`
	Context  json.RawMessage `json:"context,omitempty"`
}

// Validate applies the urgent store's rules.
func (r *RaiseUrgent) Validate() error {
	x := urgent.Raise{Code: r.Code, Severity: r.Severity, Source: r.Source, Message: r.Message, Context: r.Context}
	return x.Validate()
}

// ListUrgent lists urgent issues, newest first. Response: *UrgentList.
type ListUrgent struct {
	// OpenOnly hides acknowledged issues.
	OpenOnly bool `json:"open_only,omitempty"`
}

// AckUrgent acknowledges an issue by ID, or every open issue with Code.
// Exactly one of ID and Code must be set. Response: *UrgentAcked.
type AckUrgent struct {
	ID   uint64 `json:"id,omitempty"`
	Code string `json:"code,omitempty"`
	// By names who acknowledged; the server prefixes the peer uid.
	By string `json:"by,omitempty"`
}

// Validate requires exactly one selector.
func (r *AckUrgent) Validate() error {
	if (r.ID == 0) == (r.Code == "") {
		return fmt.Errorf("id/code: set exactly one of them")
	}
	return nil
}

// ---------------------------------------------------------------------------
// Responses

// Pong answers Ping.
type Pong struct {
	ServerTime time.Time `json:"server_time"`
}

// VersionInfo answers Version.
type VersionInfo struct {
	// Daemon is the lqosd build version.
	Daemon string `json:"daemon"`
	// Protocol is the API version (ProtocolVersion, the /v1 of the paths).
	Protocol  int       `json:"protocol"`
	GoVersion string    `json:"go_version"`
	StartedAt time.Time `json:"started_at"`
}

// Ack is a plain success.
type Ack struct{}

// MappingError names one mapping the daemon could not apply.
type MappingError struct {
	Index  int          `json:"index"`
	Prefix netip.Prefix `json:"prefix"`
	Error  string       `json:"error"`
}

// MapIPsResult answers MapIPs. Partial failure is not an error response:
// Failed lists what went wrong so the caller can raise an urgent issue.
type MapIPsResult struct {
	Applied int            `json:"applied"`
	Failed  []MappingError `json:"failed,omitempty"`
}

// DelIPsResult answers DelIPs.
type DelIPsResult struct {
	Deleted  int `json:"deleted"`
	NotFound int `json:"not_found"`
}

// ClearIPsResult answers ClearIPs.
type ClearIPsResult struct {
	Cleared int `json:"cleared"`
}

// MappingList answers ListIPs.
type MappingList struct {
	// Total is the number of mappings before paging.
	Total    int            `json:"total"`
	Mappings []plan.Mapping `json:"mappings"`
}

// PlanResult answers ApplyPlan and ReloadPlan.
type PlanResult struct {
	// Applied is false for dry runs or when nothing changed.
	Applied bool `json:"applied"`
	// Summary is a one-line human summary ("12 circuits changed, 3 added").
	Summary  string        `json:"summary"`
	Duration time.Duration `json:"duration_ns"`
	Warnings []string      `json:"warnings,omitempty"`
}

// Throughput answers GetThroughput: current rates, totals and the split
// between traffic that matched a mapping (shaped) and traffic that did not.
type Throughput struct {
	At                     time.Time `json:"at"`
	BitsPerSecond          DownUp    `json:"bits_per_second"`
	PacketsPerSecond       DownUp    `json:"packets_per_second"`
	ShapedBitsPerSecond    DownUp    `json:"shaped_bits_per_second"`
	ShapedPacketsPerSecond DownUp    `json:"shaped_packets_per_second"`
	UnshapedBitsPerSecond  DownUp    `json:"unshaped_bits_per_second"`
	UnshapedPacketsPerSec  DownUp    `json:"unshaped_packets_per_second"`
}

// TopEntry is one row of a top-N list. For hosts Key is the IP address, for
// circuits the circuit id.
type TopEntry struct {
	Key              string `json:"key"`
	CircuitID        string `json:"circuit_id,omitempty"`
	CircuitName      string `json:"circuit_name,omitempty"`
	BitsPerSecond    DownUp `json:"bits_per_second"`
	PacketsPerSecond DownUp `json:"packets_per_second"`
}

// TopNResult answers GetTopN.
type TopNResult struct {
	Kind    string     `json:"kind"`
	By      string     `json:"by"`
	Entries []TopEntry `json:"entries"`
}

// CircuitRate is the current rate of one circuit.
type CircuitRate struct {
	CircuitID        string `json:"circuit_id"`
	BitsPerSecond    DownUp `json:"bits_per_second"`
	PacketsPerSecond DownUp `json:"packets_per_second"`
	// Bytes are totals since the counters were created.
	Bytes DownUp `json:"bytes"`
}

// CircuitThroughputResult answers GetCircuitThroughput.
type CircuitThroughputResult struct {
	At       time.Time     `json:"at"`
	Circuits []CircuitRate `json:"circuits"`
}

// QueueCounters are the counters of one direction of a circuit's class and
// leaf qdisc.
type QueueCounters struct {
	ClassID    tchandle.Handle `json:"class_id"`
	Bytes      uint64          `json:"bytes"`
	Packets    uint64          `json:"packets"`
	Drops      uint64          `json:"drops"`
	Marks      uint64          `json:"marks"`
	Overlimits uint64          `json:"overlimits"`
	Requeues   uint64          `json:"requeues"`
	Backlog    uint64          `json:"backlog_bytes"`
	Qlen       uint64          `json:"qlen"`
}

// QueueStats answers GetQueueStats.
type QueueStats struct {
	CircuitID string        `json:"circuit_id"`
	At        time.Time     `json:"at"`
	Down      QueueCounters `json:"down"`
	Up        QueueCounters `json:"up"`
}

// SchedulerStatus answers GetSchedulerStatus.
type SchedulerStatus struct {
	schedstatus.Status
}

// DataPathStatus answers GetDataPath: the classification mode, the kernel's
// optional features and what runs degraded for lack of them.
type DataPathStatus struct {
	// Classification: "XDP+TC metadata" or "TC lookup (...)".
	Classification string `json:"classification"`
	CPURedirect    bool   `json:"cpu_redirect"`
	// Features: feature name -> available.
	Features   map[string]bool     `json:"features"`
	Degraded   []DataPathDegraded  `json:"degraded"`
	Interfaces []DataPathInterface `json:"interfaces"`
}

// DynamicCircuits answers GetDynamicCircuits.
type DynamicCircuits struct {
	// Enabled: the RADIUS listener runs. Shaping: sessions become circuits
	// ([dynamic_circuits] and dynamic_circuit_application both enabled).
	Enabled  bool             `json:"enabled"`
	Shaping  bool             `json:"shaping"`
	Sessions []DynamicSession `json:"sessions"`
	Counters RadiusCounters   `json:"counters"`
}

// DynamicSession is one accounting session and what became of it.
type DynamicSession struct {
	Key      string         `json:"key"`
	Username string         `json:"username,omitempty"`
	MAC      string         `json:"mac,omitempty"`
	Addrs    []netip.Prefix `json:"addrs"`
	// State: "shaped", "pending" (Reason says why), "new" (not planned
	// yet) or "tracked" (sessions are not applied).
	State     string `json:"state"`
	Reason    string `json:"reason,omitempty"`
	CircuitID string `json:"circuit_id,omitempty"`
	// Attached: added to a ShapedDevices circuit rather than its own.
	Attached     bool      `json:"attached,omitempty"`
	DownloadMbps float64   `json:"download_mbps,omitempty"`
	UploadMbps   float64   `json:"upload_mbps,omitempty"`
	Expires      time.Time `json:"expires"`
}

// RadiusCounters count the listener's datagrams.
type RadiusCounters struct {
	Accepted      uint64 `json:"accepted"`
	UnknownSource uint64 `json:"unknown_source"`
	BadAuth       uint64 `json:"bad_authenticator"`
	Malformed     uint64 `json:"malformed"`
}

// DataPathDegraded is one optional feature the data path runs without.
type DataPathDegraded struct {
	Feature string `json:"feature"`
	Subject string `json:"subject,omitempty"`
	Reason  string `json:"reason"`
	Cost    string `json:"cost"`
}

// DataPathInterface is one attached shaping interface.
type DataPathInterface struct {
	Name    string   `json:"name"`
	Role    string   `json:"role"`
	XDP     string   `json:"xdp"`
	TC      string   `json:"tc"`
	Adopted []string `json:"adopted,omitempty"`
}

// UrgentRaised answers RaiseUrgent with the stored (possibly bumped) issue.
type UrgentRaised struct {
	Issue urgent.Issue `json:"issue"`
}

// UrgentList answers ListUrgent.
type UrgentList struct {
	Issues []urgent.Issue `json:"issues"`
}

// UrgentAcked answers AckUrgent with the acknowledged issues.
type UrgentAcked struct {
	Issues []urgent.Issue `json:"issues"`
}

// Error codes carried by *Error.
const (
	CodeBadRequest         = "bad_request"         // 400: the body or a parameter does not decode
	CodeInvalidArgument    = "invalid_argument"    // 400: decoded, but a field is invalid
	CodePermissionDenied   = "permission_denied"   // 403: peer uid not allowed; connection closed
	CodeUnknownCall        = "unknown_call"        // 404: no such path
	CodeUnsupportedVersion = "unsupported_version" // 404: a path under another API version than /v1
	CodeNotFound           = "not_found"           // 404: the thing asked for does not exist
	CodeMethodNotAllowed   = "method_not_allowed"  // 405: the path exists with another method
	CodeShrinkHeld         = "shrink_held"         // 409: the plan would remove too many circuits (resend with confirm_shrink)
	CodeRequestTooLarge    = "request_too_large"   // 413: body over the limit
	CodeInternal           = "internal"            // 500: handler panicked or returned nothing
	CodeFailed             = "failed"              // 500: handler returned an error
	CodeResponseTooLarge   = "response_too_large"  // 500: ask for fewer items (paging)
	CodeNotImplemented     = "not_implemented"     // 501: the daemon does not implement this yet
	CodeBusy               = "busy"                // 503: too many connections or handlers
	CodeTimeout            = "timeout"             // 504: handler did not finish in time
)

// httpStatus is the HTTP status sent with an error code.
func httpStatus(code string) int {
	switch code {
	case CodeBadRequest, CodeInvalidArgument:
		return http.StatusBadRequest
	case CodePermissionDenied:
		return http.StatusForbidden
	case CodeUnknownCall, CodeUnsupportedVersion, CodeNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeShrinkHeld:
		return http.StatusConflict
	case CodeRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeNotImplemented:
		return http.StatusNotImplemented
	case CodeBusy:
		return http.StatusServiceUnavailable
	case CodeTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// Error is the body of every error response (any status but 200). It also implements error, so client
// helpers return it directly and handlers may return one to choose the code.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return "bus: " + e.Code + ": " + e.Message }

// Is makes errors.Is(err, &Error{Code: X}) match on code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// prefixed returns e with its message prefixed by the call's name.
func (e *Error) prefixed(name string) *Error {
	return &Error{Code: e.Code, Message: name + ": " + e.Message}
}

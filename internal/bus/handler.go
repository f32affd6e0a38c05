package bus

import (
	"context"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"net/netip"

	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// Handler is implemented by the daemon. The server decodes and validates a
// request, then calls the method its route names (routes.go); ping and
// version are answered by the server itself. Methods are called concurrently from many connections
// and must honour ctx (it carries the per-request timeout and the Peer, see
// PeerFromContext). Returning an *Error chooses the error code sent to the
// client; any other error is sent as code "failed" with its text.
//
// Embed Unimplemented to get "not_implemented" answers for methods a daemon
// does not support yet.
type Handler interface {
	MapIPs(ctx context.Context, m []plan.Mapping) (*MapIPsResult, error)
	DelIPs(ctx context.Context, p []netip.Prefix) (*DelIPsResult, error)
	ClearIPs(ctx context.Context) (*ClearIPsResult, error)
	// ListIPs returns all mappings; the server sorts and pages them.
	ListIPs(ctx context.Context) ([]plan.Mapping, error)

	ApplyPlan(ctx context.Context, r *ApplyPlan) (*PlanResult, error)
	ReloadPlan(ctx context.Context, r *ReloadPlan) (*PlanResult, error)

	Throughput(ctx context.Context) (*Throughput, error)
	TopN(ctx context.Context, r *GetTopN) (*TopNResult, error)
	CircuitThroughput(ctx context.Context, r *GetCircuitThroughput) (*CircuitThroughputResult, error)
	QueueStats(ctx context.Context, circuitID string) (*QueueStats, error)

	// Scheduler reports and status. See SchedulerTracker for a ready-made
	// implementation on top of schedstatus.Tracker.
	SchedulerReport(ctx context.Context, r Request) error
	SchedulerStatus(ctx context.Context) (schedstatus.Status, error)

	DataPath(ctx context.Context) (*DataPathStatus, error)
	DynamicCircuits(ctx context.Context) (*DynamicCircuits, error)

	// Urgent issues. See UrgentStore for a ready-made implementation on top
	// of urgent.Store.
	RaiseUrgent(ctx context.Context, r *RaiseUrgent) (urgent.Issue, error)
	ListUrgent(ctx context.Context, r *ListUrgent) ([]urgent.Issue, error)
	AckUrgent(ctx context.Context, r *AckUrgent) ([]urgent.Issue, error)
}

// requestName is the route name of a request ("scheduler_error").
func requestName(r Request) string {
	if sp, err := specOf(r); err == nil {
		return sp.name
	}
	return fmt.Sprintf("%T", r)
}

func notImpl(what string) *Error {
	return Errorf(CodeNotImplemented, "%s is not implemented by this daemon", what)
}

// Unimplemented answers every Handler method with a not_implemented error.
type Unimplemented struct{}

func (Unimplemented) MapIPs(context.Context, []plan.Mapping) (*MapIPsResult, error) {
	return nil, notImpl("map_ips")
}
func (Unimplemented) DelIPs(context.Context, []netip.Prefix) (*DelIPsResult, error) {
	return nil, notImpl("del_ips")
}
func (Unimplemented) ClearIPs(context.Context) (*ClearIPsResult, error) {
	return nil, notImpl("clear_ips")
}
func (Unimplemented) ListIPs(context.Context) ([]plan.Mapping, error) {
	return nil, notImpl("list_ips")
}
func (Unimplemented) ApplyPlan(context.Context, *ApplyPlan) (*PlanResult, error) {
	return nil, notImpl("apply_plan")
}
func (Unimplemented) ReloadPlan(context.Context, *ReloadPlan) (*PlanResult, error) {
	return nil, notImpl("reload_plan")
}
func (Unimplemented) Throughput(context.Context) (*Throughput, error) {
	return nil, notImpl("get_throughput")
}
func (Unimplemented) TopN(context.Context, *GetTopN) (*TopNResult, error) {
	return nil, notImpl("get_top_n")
}
func (Unimplemented) CircuitThroughput(context.Context, *GetCircuitThroughput) (*CircuitThroughputResult, error) {
	return nil, notImpl("get_circuit_throughput")
}
func (Unimplemented) QueueStats(context.Context, string) (*QueueStats, error) {
	return nil, notImpl("get_queue_stats")
}
func (Unimplemented) SchedulerReport(_ context.Context, r Request) error {
	return notImpl(requestName(r))
}
func (Unimplemented) SchedulerStatus(context.Context) (schedstatus.Status, error) {
	return schedstatus.Status{}, notImpl("get_scheduler_status")
}
func (Unimplemented) DataPath(context.Context) (*DataPathStatus, error) {
	return nil, notImpl("get_data_path")
}
func (Unimplemented) DynamicCircuits(context.Context) (*DynamicCircuits, error) {
	return nil, notImpl("get_dynamic_circuits")
}
func (Unimplemented) RaiseUrgent(context.Context, *RaiseUrgent) (urgent.Issue, error) {
	return urgent.Issue{}, notImpl("raise_urgent")
}
func (Unimplemented) ListUrgent(context.Context, *ListUrgent) ([]urgent.Issue, error) {
	return nil, notImpl("list_urgent")
}
func (Unimplemented) AckUrgent(context.Context, *AckUrgent) ([]urgent.Issue, error) {
	return nil, notImpl("ack_urgent")
}

// SchedulerTracker implements the scheduler part of Handler on top of a
// schedstatus.Tracker. Embed it in the daemon's handler.
type SchedulerTracker struct {
	Tracker *schedstatus.Tracker
}

// SchedulerReport applies a scheduler report to the tracker.
func (s SchedulerTracker) SchedulerReport(_ context.Context, r Request) error {
	t := s.Tracker
	switch r := r.(type) {
	case *SchedulerHeartbeat:
		t.Heartbeat(r.NextRun)
	case *SchedulerProgress:
		p := schedstatus.Progress{Active: r.Active, Phase: r.Phase, Label: r.Label, Step: r.Step, Steps: r.Steps, Percent: -1}
		if r.Percent != nil {
			p.Percent = *r.Percent
		}
		t.Progress(p)
	case *SchedulerError:
		t.Error(r.Integration, r.Preview, r.LogPath)
	case *SchedulerOutput:
		t.Output(r.Text, r.LogPath)
	case *SchedulerSuccess:
		t.Success(r.FinishedAt, r.Duration)
	default:
		return Errorf(CodeInvalidArgument, "%s is not a scheduler report", requestName(r))
	}
	return nil
}

// SchedulerStatus returns the tracker's status.
func (s SchedulerTracker) SchedulerStatus(context.Context) (schedstatus.Status, error) {
	return s.Tracker.Status(), nil
}

// UrgentStore implements the urgent part of Handler on top of an
// urgent.Store. Acknowledgements are attributed to "uid:<n>" of the peer,
// plus the client-supplied name if any.
type UrgentStore struct {
	Store *urgent.Store
}

// RaiseUrgent stores the issue. A persistence failure is logged by the
// caller via the returned error, but the issue is still held in memory.
func (u UrgentStore) RaiseUrgent(_ context.Context, r *RaiseUrgent) (urgent.Issue, error) {
	is, err := u.Store.Raise(urgent.Raise{Code: r.Code, Severity: r.Severity, Source: r.Source, Message: r.Message, Context: r.Context})
	return is, mapUrgentErr(err)
}

// ListUrgent lists issues.
func (u UrgentStore) ListUrgent(_ context.Context, r *ListUrgent) ([]urgent.Issue, error) {
	return u.Store.List(urgent.ListOptions{OpenOnly: r.OpenOnly}), nil
}

// AckUrgent acknowledges by id or code.
func (u UrgentStore) AckUrgent(ctx context.Context, r *AckUrgent) ([]urgent.Issue, error) {
	by := r.By
	if p, ok := PeerFromContext(ctx); ok {
		if by == "" {
			by = p.String()
		} else {
			by = p.String() + " (" + by + ")"
		}
	}
	if r.ID != 0 {
		is, err := u.Store.Acknowledge(r.ID, by)
		if err != nil {
			return nil, mapUrgentErr(err)
		}
		return []urgent.Issue{is}, nil
	}
	is, err := u.Store.AcknowledgeCode(r.Code, by)
	return is, mapUrgentErr(err)
}

func mapUrgentErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, urgent.ErrNotFound):
		return Errorf(CodeNotFound, "%v", err)
	case errors.Is(err, urgent.ErrInvalid):
		return Errorf(CodeInvalidArgument, "%v", err)
	}
	return err
}

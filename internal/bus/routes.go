package bus

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
)

// ProtocolVersion is the API version; every path starts with /v1/.
const ProtocolVersion = 1

// access is what a call may do. It decides the HTTP method family, the
// handler slots the call may use and whether it runs a handler at all.
type access int

const (
	// local calls are answered by the server itself, without a handler slot.
	local access = iota
	// read calls change nothing (GET, parameters in the query string);
	// they may also use the QueryReserve slots so `lqos status` answers
	// while slow applies hold every other slot.
	read
	// write calls change state (POST or DELETE, parameters in a JSON body).
	write
)

// routes is the bus API: one entry per call, naming its method, path,
// request and response types, access class and, for calls that change what
// is shaped, the audit text. Adding a call means one entry here and one
// Client method (client.go); the daemon's answer is a Handler method.
var routes = []route{
	&endpoint[Ping, Pong]{name: "ping", method: http.MethodGet, path: "/v1/ping", access: local,
		call: func(_ context.Context, s *Server, _ *Ping) (*Pong, error) { return &Pong{ServerTime: s.o.Clock()}, nil }},
	&endpoint[Version, VersionInfo]{name: "version", method: http.MethodGet, path: "/v1/version", access: local,
		call: func(_ context.Context, s *Server, _ *Version) (*VersionInfo, error) {
			return &VersionInfo{Daemon: s.o.DaemonVersion, Protocol: ProtocolVersion, GoVersion: runtime.Version(), StartedAt: s.started}, nil
		}},

	&endpoint[ListIPs, MappingList]{name: "list_ips", method: http.MethodGet, path: "/v1/mappings", access: read,
		call: func(ctx context.Context, s *Server, r *ListIPs) (*MappingList, error) {
			ms, err := s.h.ListIPs(ctx)
			if err != nil {
				return nil, err
			}
			return pageMappings(ms, r.Offset, r.Limit), nil
		}},
	&endpoint[MapIPs, MapIPsResult]{name: "map_ips", method: http.MethodPost, path: "/v1/mappings", access: write,
		call: func(ctx context.Context, s *Server, r *MapIPs) (*MapIPsResult, error) {
			return s.h.MapIPs(ctx, r.Mappings)
		},
		audit: func(r *MapIPs) string { return fmt.Sprintf("%d mappings", len(r.Mappings)) }},
	&endpoint[DelIPs, DelIPsResult]{name: "del_ips", method: http.MethodPost, path: "/v1/mappings/delete", access: write,
		call: func(ctx context.Context, s *Server, r *DelIPs) (*DelIPsResult, error) {
			return s.h.DelIPs(ctx, r.Prefixes)
		},
		audit: func(r *DelIPs) string { return fmt.Sprintf("%d prefixes", len(r.Prefixes)) }},
	&endpoint[ClearIPs, ClearIPsResult]{name: "clear_ips", method: http.MethodDelete, path: "/v1/mappings", access: write,
		call:  func(ctx context.Context, s *Server, _ *ClearIPs) (*ClearIPsResult, error) { return s.h.ClearIPs(ctx) },
		audit: func(*ClearIPs) string { return "" }},

	&endpoint[ApplyPlan, PlanResult]{name: "apply_plan", method: http.MethodPost, path: "/v1/plan/apply", access: write,
		call: func(ctx context.Context, s *Server, r *ApplyPlan) (*PlanResult, error) {
			s.log.Info("bus: apply plan requested", "reason", r.Reason, "dry_run", r.DryRun)
			return s.h.ApplyPlan(ctx, r)
		},
		audit: func(r *ApplyPlan) string { return fmt.Sprintf("reason=%q dry_run=%v", r.Reason, r.DryRun) }},
	&endpoint[ReloadPlan, PlanResult]{name: "reload_plan", method: http.MethodPost, path: "/v1/plan/reload", access: write,
		call: func(ctx context.Context, s *Server, r *ReloadPlan) (*PlanResult, error) {
			s.log.Info("bus: reload plan requested", "reason", r.Reason, "full", r.Full)
			return s.h.ReloadPlan(ctx, r)
		},
		audit: func(r *ReloadPlan) string { return fmt.Sprintf("reason=%q full=%v", r.Reason, r.Full) }},

	&endpoint[GetThroughput, Throughput]{name: "get_throughput", method: http.MethodGet, path: "/v1/throughput", access: read,
		call: func(ctx context.Context, s *Server, _ *GetThroughput) (*Throughput, error) {
			return s.h.Throughput(ctx)
		}},
	&endpoint[GetTopN, TopNResult]{name: "get_top_n", method: http.MethodGet, path: "/v1/top", access: read,
		call: func(ctx context.Context, s *Server, r *GetTopN) (*TopNResult, error) { return s.h.TopN(ctx, r) }},
	&endpoint[GetCircuitThroughput, CircuitThroughputResult]{name: "get_circuit_throughput", method: http.MethodGet, path: "/v1/circuits/throughput", access: read,
		call: func(ctx context.Context, s *Server, r *GetCircuitThroughput) (*CircuitThroughputResult, error) {
			return s.h.CircuitThroughput(ctx, r)
		}},
	&endpoint[GetQueueStats, QueueStats]{name: "get_queue_stats", method: http.MethodGet, path: "/v1/queue-stats", access: read,
		call: func(ctx context.Context, s *Server, r *GetQueueStats) (*QueueStats, error) {
			return s.h.QueueStats(ctx, r.CircuitID)
		}},
	&endpoint[GetDataPath, DataPathStatus]{name: "get_data_path", method: http.MethodGet, path: "/v1/data-path", access: read,
		call: func(ctx context.Context, s *Server, _ *GetDataPath) (*DataPathStatus, error) {
			return s.h.DataPath(ctx)
		}},
	&endpoint[GetDynamicCircuits, DynamicCircuits]{name: "get_dynamic_circuits", method: http.MethodGet, path: "/v1/dynamic-circuits", access: read,
		call: func(ctx context.Context, s *Server, _ *GetDynamicCircuits) (*DynamicCircuits, error) {
			return s.h.DynamicCircuits(ctx)
		}},

	schedulerReport[SchedulerHeartbeat]("scheduler_heartbeat", "/v1/scheduler/heartbeat"),
	schedulerReport[SchedulerProgress]("scheduler_progress", "/v1/scheduler/progress"),
	schedulerReport[SchedulerError]("scheduler_error", "/v1/scheduler/error"),
	schedulerReport[SchedulerOutput]("scheduler_output", "/v1/scheduler/output"),
	schedulerReport[SchedulerSuccess]("scheduler_success", "/v1/scheduler/success"),
	&endpoint[GetSchedulerStatus, SchedulerStatus]{name: "get_scheduler_status", method: http.MethodGet, path: "/v1/scheduler", access: read,
		call: func(ctx context.Context, s *Server, _ *GetSchedulerStatus) (*SchedulerStatus, error) {
			st, err := s.h.SchedulerStatus(ctx)
			if err != nil {
				return nil, err
			}
			return &SchedulerStatus{st}, nil
		}},

	&endpoint[RaiseUrgent, UrgentRaised]{name: "raise_urgent", method: http.MethodPost, path: "/v1/urgent", access: write,
		call: func(ctx context.Context, s *Server, r *RaiseUrgent) (*UrgentRaised, error) {
			is, err := s.h.RaiseUrgent(ctx, r)
			if err != nil && is.ID == 0 {
				return nil, err
			}
			if err != nil {
				// Stored in memory but not persisted: still a success for
				// the raiser; the daemon's log has the disk error.
				s.log.Warn("bus: urgent issue not persisted", "code", r.Code, "err", err)
			}
			return &UrgentRaised{Issue: is}, nil
		}},
	&endpoint[ListUrgent, UrgentList]{name: "list_urgent", method: http.MethodGet, path: "/v1/urgent", access: read,
		call: func(ctx context.Context, s *Server, r *ListUrgent) (*UrgentList, error) {
			is, err := s.h.ListUrgent(ctx, r)
			if err != nil {
				return nil, err
			}
			return &UrgentList{Issues: nilToEmpty(is)}, nil
		}},
	&endpoint[AckUrgent, UrgentAcked]{name: "ack_urgent", method: http.MethodPost, path: "/v1/urgent/ack", access: write,
		call: func(ctx context.Context, s *Server, r *AckUrgent) (*UrgentAcked, error) {
			is, err := s.h.AckUrgent(ctx, r)
			if err != nil {
				return nil, err
			}
			return &UrgentAcked{Issues: nilToEmpty(is)}, nil
		},
		audit: func(r *AckUrgent) string { return fmt.Sprintf("id=%d code=%q by=%q", r.ID, r.Code, r.By) }},
}

// schedulerReport is the route of one scheduler report, answered by Ack.
func schedulerReport[Req any](name, path string) route {
	return &endpoint[Req, Ack]{name: name, method: http.MethodPost, path: path, access: write,
		call: func(ctx context.Context, s *Server, r *Req) (*Ack, error) {
			if err := s.h.SchedulerReport(ctx, r); err != nil {
				return nil, err
			}
			return &Ack{}, nil
		}}
}

// endpoint is one call of the route table.
type endpoint[Req, Resp any] struct {
	name   string // in logs, audit records and error messages ("map_ips")
	method string
	path   string
	access access
	call   func(ctx context.Context, s *Server, r *Req) (*Resp, error)
	// audit, when set, records the call in the audit log with this target.
	audit func(r *Req) string
}

// route is what the server and the client need of an endpoint, whatever
// its types.
type route interface {
	spec() routeSpec
	// serve decodes, validates and runs one HTTP request of this route.
	serve(s *Server, w http.ResponseWriter, r *http.Request)
}

type routeSpec struct {
	name, method, path string
	access             access
	req, resp          reflect.Type
}

func (e *endpoint[Req, Resp]) spec() routeSpec {
	return routeSpec{name: e.name, method: e.method, path: e.path, access: e.access,
		req: reflect.TypeFor[Req](), resp: reflect.TypeFor[Resp]()}
}

func (e *endpoint[Req, Resp]) serve(s *Server, w http.ResponseWriter, r *http.Request) {
	serveCall(s, e, w, r)
}

// routeByReq finds a request type's route; routesByPath serves requests.
var (
	routeByReq   = map[reflect.Type]routeSpec{}
	routesByPath = map[string][]route{}
)

func init() {
	for _, rt := range routes {
		sp := rt.spec()
		if _, dup := routeByReq[sp.req]; dup {
			panic("bus: two routes take " + sp.req.String())
		}
		routeByReq[sp.req] = sp
		routesByPath[sp.path] = append(routesByPath[sp.path], rt)
	}
}

// Package bus is lqosd's local control API and its Go client: HTTP/1.1 with
// JSON bodies on the unix socket /run/lqos/bus (DefaultSocketPath), used by
// the lqos CLI, lqos_scheduler, libreqos and the web UI.
//
// docs/bus.md documents the API for its users (paths, request and answer
// JSON, access classes, errors, curl examples). In short:
//
//   - Access: the socket is 0600 in a 0700 directory, and every connection's
//     peer is checked with SO_PEERCRED: only uid 0 is served unless
//     ServerOptions.AllowUIDs lists more (tests add their own uid). Upstream
//     LibreQoS left its socket world-writable without authentication; we
//     deliberately do not.
//   - Calls: the route table in routes.go names each call's method, path,
//     request and response types (messages.go), access class and the Handler
//     method that answers it. Read calls are GET with query parameters and may
//     use the handler slots reserved for them; write calls are POST or DELETE
//     with a strict JSON body; ping and version are answered by the server.
//   - Limits that keep `lqos status` answering: MaxConns (an idle connection
//     makes room for a new one), IdleTimeout, ReadTimeout for half-sent
//     requests, MaxConcurrent handler slots plus QueryReserve for reads, and
//     one MaxBufferedBytes budget for the request bodies of all connections.
//
// Using it from Go:
//
//	c, err := bus.Dial(ctx, "")           // "" = /run/lqos/bus
//	defer c.Close()
//	res, err := c.MapIPs(ctx, mappings)    // res.Failed lists rejects
//	top, err := c.TopN(ctx, bus.GetTopN{Kind: bus.TopHosts, By: bus.ByDown, N: 20})
//	var be *bus.Error
//	if errors.As(err, &be) && be.Code == bus.CodeNotFound { ... }
//
// Timeouts come from ctx. Request(ctx, reqs...) sends several requests in
// turn and returns their answers in order; a per-request failure is an *Error
// value in that slice, while the returned error is for transport failures.
//
// Serving it (lqosd): implement Handler (embed Unimplemented for what is not
// ready yet, SchedulerTracker and UrgentStore for the scheduler and urgent
// parts), then
//
//	srv, err := bus.Listen(h, bus.ServerOptions{DaemonVersion: version})
//	go srv.Serve(ctx) // returns after ctx ends; removes the socket
//
// Handler methods run concurrently, get a context with the request timeout
// and the caller's Peer (PeerFromContext), and may return an *Error to choose
// the error code.
package bus

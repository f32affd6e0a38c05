// Package bus is the local control channel between lqosd and its clients
// (lqos_scheduler, the lqos CLI, the web UI when it runs out of process).
//
// # Transport and access
//
// A unix stream socket, by default /run/lqos/bus (DefaultSocketPath). The
// server creates the directory 0700 (tightening it if it is wider) and the
// socket 0600, both owned by root, and additionally checks every peer with
// SO_PEERCRED: only uid 0 is accepted unless ServerOptions.AllowUIDs lists
// more. A refused peer receives one error frame (permission_denied) and the
// connection is closed. Upstream LibreQoS left the socket world-writable
// without authentication; we deliberately do not.
//
// At start the server removes a stale socket (one nobody answers on) but
// refuses to start if another server answers, and never deletes a file that
// is not a socket. On shutdown the socket is removed.
//
// # Framing
//
// Both directions use the same frame, integers big-endian:
//
//	+--------+---------+-------+-----------+------------------+
//	| "LQBS" | version | flags | length    | body (JSON)      |
//	| 4 B    | u16 = 1 | u16=0 | u32 bytes | length bytes     |
//	+--------+---------+-------+-----------+------------------+
//
// There is no handshake: the first frame is a request. A request frame body
// may be at most 16 MiB (DefaultMaxFrameSize; checked from the header before
// any body memory is allocated) and a response frame at most 128 MiB
// (DefaultMaxResponseSize). Wrong magic, another version, non-zero flags,
// an empty body or an oversized length make the server answer with one
// error response (id 0, code unsupported_version / bad_frame /
// frame_too_large) and close the connection, because the byte stream can
// no longer be trusted. Other clients are never affected.
//
// # Bodies
//
// A request frame carries a batch:
//
//	{"requests":[
//	  {"id":1,"type":"ping"},
//	  {"id":2,"type":"map_ips","body":{"mappings":[
//	    {"prefix":"192.0.2.7/32","cpu":3,"class_id":65539,"upload_class_id":131075,
//	     "circuit_id":"c-17","device_id":"d-42"}]}}]}
//
// and is answered by exactly one response frame with one response per
// request, in the same order and carrying the same ids:
//
//	{"responses":[
//	  {"id":1,"type":"pong","body":{"server_time":"2026-01-02T03:04:05Z"}},
//	  {"id":2,"type":"map_ips_result","body":{"applied":1}}]}
//
// Ids are chosen by the client, must be non-zero and unique within a batch;
// id 0 is reserved for connection-level errors. A client may send several
// frames without waiting (pipelining); the Go Client does this when used
// from many goroutines and matches responses by id. The server handles up
// to 8 frames of one connection concurrently, so responses to different
// frames may arrive in any order (match them by id); the requests of one
// batch always run in order and are answered together in one frame, in
// request order. To make B run after A, put both in one batch or wait for
// A's response.
//
// Each request type and its response are defined in messages.go, with the
// JSON field names. Request bodies are decoded strictly (unknown fields are
// errors) and validated; response bodies are decoded leniently so an older
// client tolerates new fields. Time values are RFC 3339 strings, durations
// are integer nanoseconds (fields ending in _ns), prefixes are strings, and
// class ids are the numeric major<<16|minor (1:3 is 65539).
//
// # Errors
//
// An error response has type "error" and body {"code":..., "message":...}
// (type *Error). Codes: bad_frame (body is not a request batch; connection
// stays open), bad_request (a request's body does not decode; the message
// names the field), unknown_type, invalid_argument (a field value is wrong,
// e.g. "mappings[3].prefix: ..."), not_found, not_implemented, busy,
// timeout, failed (the daemon's own error text), shrink_held (reload_plan:
// the plan would remove too many circuits; resend with confirm_shrink),
// internal (handler
// panicked), response_too_large (ask for fewer items, e.g. ListIPs paging),
// frame_too_large, unsupported_version and permission_denied (these three
// close the connection). One failing request in a batch does not affect the
// others.
//
// # Using it from Go (the lqos CLI)
//
//	c, err := bus.Dial(ctx, "")          // "" = /run/lqos/bus
//	defer c.Close()
//	if _, err := c.Ping(ctx); err != nil { ... }          // lqosd down?
//	res, err := c.MapIPs(ctx, mappings)                   // res.Failed lists rejects
//	                                                      // (sent in chunks of MapIPsChunk)
//	top, err := c.TopN(ctx, bus.GetTopN{Kind: bus.TopHosts, By: bus.ByDown, N: 20})
//	issues, err := c.ListUrgent(ctx, true)
//	_, err = c.AckUrgent(ctx, issues[0].ID, "", "")
//	var be *bus.Error
//	if errors.As(err, &be) && be.Code == bus.CodeNotFound { ... }
//
// Timeouts come from ctx. Request(ctx, reqs...) sends an arbitrary batch in
// one frame and returns the responses in order; a per-request failure is an
// *Error value in that slice, while the returned error is reserved for
// transport failures. The scheduler uses WaitReady to wait for lqosd at
// start, then Report(ctx, &bus.SchedulerHeartbeat{...}) and friends.
//
// # Serving it (lqosd)
//
// Implement Handler (embed Unimplemented for what is not ready yet, and
// SchedulerTracker / UrgentStore for the scheduler and urgent parts), then:
//
//	srv, err := bus.Listen(h, bus.ServerOptions{DaemonVersion: version})
//	go srv.Serve(ctx)       // returns after ctx ends; removes the socket
//	sdnotify.Ready("bus listening")
//
// Handler methods run concurrently (at most ServerOptions.MaxConcurrent at
// once), get a context with the request timeout and the caller's Peer
// (PeerFromContext), and may return an *Error to choose the error code.
//
// # Limits that keep `lqos status` answering
//
//   - Connections: at most MaxConns (128). A new connection over the limit
//     closes the connection idle for longest (no frame being read or
//     handled) instead of being refused; only when all are busy is it
//     refused with busy. A connection silent for IdleTimeout (5 min) is
//     closed, and a frame whose first byte arrived must be complete within
//     FrameTimeout (10 s).
//   - Memory: request bodies of all connections share one budget,
//     MaxBufferedBytes (256 MiB), held from header to answer; a frame
//     waits for room before its body is read. The last eighth is reserved
//     for frames up to 64 KiB, so large frames can never starve a status
//     query. (Before, 128 connections x 8 frames x 16 MiB allowed ~16 GiB.)
//   - Handlers: MaxConcurrent (16) slots, plus QueryReserve (4) that only
//     read-only queries (lists, statistics, scheduler and urgent status)
//     may use, so slow applies cannot stall status.
package bus

// Package webui is the lqosd web UI: an HTTP server (stdlib ServeMux) with
// login, two roles, server-side sessions, a REST API, one websocket for live
// data and the front end from ../../web embedded with go:embed.
//
// # Wiring (lqosd)
//
//	srv, err := webui.New(webui.Config{
//		Addr:      cfg.WebserverListen,          // default ":9123"
//		UsersFile: filepath.Join(dir, "webusers.json"),
//		Source:    mySource,                     // implements webui.Source
//		Logger:    log,
//		Version:   version,
//	})
//	if err != nil { … }
//	go srv.ListenAndServe(ctx)                   // returns after ctx is done
//
// Source is the only way data gets in; see its doc for the contract.
// internal/webui/demosource is a fake for tests and cmd/webui-dev.
//
// # Security model
//
//   - First run: while the users file has no users, POST /api/first-run
//     creates the first admin. Without a token it is accepted only from
//     loopback/private/link-local client addresses and only when the Host
//     header is an IP literal or localhost (so DNS rebinding through a LAN
//     visitor's browser cannot do it); otherwise the one-time setup token
//     that New logs (slog, key setup_token) is required.
//     Config.FirstRunTokenOnly requires the token always. X-Forwarded-For
//     is never trusted.
//   - Users: JSON file, mode 0600, atomic temp+rename writes, bcrypt hashes.
//     Roles "admin" and "readonly"; the last admin cannot be deleted.
//   - Sessions: random 256-bit token in cookie lqos_session (HttpOnly,
//     SameSite=Strict, Secure with TLS or Config.SecureCookies), stored
//     server-side as its SHA-256; idle and absolute expiry; logout and user
//     deletion revoke sessions and close their websockets. The table is
//     saved (hashes only, mode 0600) to <users file>.sessions.json on every
//     login and logout so sessions survive a restart; on load, sessions of
//     deleted users or changed roles are dropped.
//   - Every route is in one table (Routes) with an access level enforced by
//     a single wrapper: 401 without a session (pages redirect to login),
//     403 for read-only users on admin routes.
//   - CSRF: state-changing requests need Origin (or Referer) equal to Host
//     and, when logged in, header X-CSRF-Token equal to the session's token
//     (from GET /api/session). The websocket requires a same-host Origin.
//   - Login: 5 failures per minute per client IP and per username → 429;
//     unknown users cost a bcrypt comparison too (no timing oracle).
//   - Headers on every response: CSP (scripts only from 'self', no inline
//     scripts), X-Frame-Options DENY, nosniff, Referrer-Policy same-origin.
//   - The front end builds DOM with text nodes only (web/src/js/lib/dom.js).
//
// # Routes
//
//	GET  /health                    public   "OK"
//	GET  /login.html, /first-run.html public
//	GET  /assets/…                  public   embedded JS/CSS/fonts only
//	GET  /api/setup-status          public   {first_run, token_required}
//	POST /api/login                 public   {username,password}
//	POST /api/first-run             public   {username,password,token?}
//	GET  /index.html, /tree.html, /node.html, /circuit.html, /cpu.html,
//	     /devices.html, /unknown.html page  one route per page of the
//	                                         front end's registry (dist/pages.json)
//	GET  /api/session               read     {username, role, csrf_token, node_name, version}
//	POST /api/logout                read
//	GET  /api/dashboard             read     REST snapshot of the dashboard
//	GET  /api/throughput/history    read     {points: [[unix ms, down bps, up bps], …]} last 5 min
//	GET  /api/scheduler             read     SchedulerView
//	GET  /api/urgent                read     {issues, summary, can_ack}
//	GET  /ws                        read     websocket, protocol in hub.go
//	GET  /api/tree                  read     TreeView: every node with live figures
//	GET  /api/node?id=&range=       read     NodeView: node, parents, children, circuits, history
//	GET  /api/circuit?id=&range=    read     CircuitView: devices, queues, flows, parents, history
//	GET  /api/history?kind=&id=&range= read  History (kind node|circuit, range 5m|1h|24h)
//	GET  /api/cpu                   read     CPUView: branches per CPU, weights, load, imbalance
//	GET  /api/devices?q=&sort=&desc=&offset=&limit= read  DevicesView (paged on the server)
//	GET  /api/unknown, /api/unknown.csv read  addresses that match no circuit
//	GET  /api/search?q=             read     circuits, devices, nodes (max 50)
//	POST /api/urgent/{id}/ack       admin
//	POST /api/urgent/ack-all        admin
//	GET  /api/users                 admin    (never returns hashes)
//	POST /api/users                 admin    {username,password,role}
//	DELETE /api/users/{username}    admin
//
// # Live channels
//
// throughput every second (sampled even without subscribers, for the
// history); top_circuits, worst_rtt, cpu, queues, scheduler
// and urgent every 5 s (Config.SlowInterval). The network pages add tree,
// tree:<indices>, node:<id> and circuit:<id> (1 s) and cpu_plan (5 s), see
// hub_pages.go; node and circuit history is sampled every second
// (pages_history.go). The network pages need a Source that also
// implements PageSource. A channel is only computed
// while someone subscribes. Each socket has a bounded queue
// (Config.ClientQueue); a client that falls behind is disconnected. One
// session may hold at most 16 sockets; each socket may send 10 messages/s
// (burst 20) of at most 4 KiB.
package webui

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
//     creates the first admin. Without the one-time setup token (logged by
//     New, slog key setup_token) it is accepted only from a browser on this
//     box talking to the server directly: the client address is loopback,
//     the Host header is localhost or a loopback literal (so DNS rebinding
//     cannot do it), no proxy header (Forwarded, X-Forwarded-*, X-Real-IP,
//     Via, …) is present, and the process owning the client socket (found
//     in /proc/net/tcp and /proc/<pid>/fd) neither listens on a non-loopback
//     address nor holds a connection it accepted from one. That last check
//     catches TCP forwarders (socat, ssh -L's sshd, container port
//     proxies) that make a remote visitor look like 127.0.0.1. When the
//     process cannot be identified, the token is required.
//     Behind a reverse proxy on the box (nginx, Caddy) the proxy is the
//     client: it adds forwarding headers and listens publicly, so the first
//     run always needs the token there; create the admin before putting the
//     proxy in front, or use the token. Forwarding headers never widen
//     access, and every per-address limit below then counts the proxy as
//     one address. Config.FirstRunTokenOnly ([web_ui] first_run_token_only
//     in lqos.conf) requires the token always.
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
//   - Login: each attempt takes a slot before bcrypt runs, so concurrent
//     guesses are counted at once. 5 attempts per minute per client
//     address and per user name within the client's /24 (IPv4) or /64
//     (IPv6), 50 per user name across all networks → 429. An address that
//     logged in successfully as a name is exempt from the all-networks
//     limit, so a stranger's failures cannot lock the real admin out of the
//     addresses they use. Unknown users cost a bcrypt comparison too (no
//     timing oracle).
//   - Connections: header 10 s, whole request 30 s, response 2 min, idle
//     keep-alive 60 s (websockets are exempt once upgraded); at most 64
//     connections per client address (extra ones are closed at accept) and
//     512 on the listener. When the listener is full, the connection stuck
//     longest in its first request (at least 2 s: a slowloris) is closed to
//     admit the new one; served keep-alive and websocket connections are
//     never evicted ([web_ui] max_connections, max_connections_per_ip).
//   - TLS: Config.CertFile/KeyFile, or Config.SelfSignedDir for a
//     self-signed ECDSA certificate generated on first start (key 0600,
//     renewed a month before expiry); lqos.conf [ssl] enabled = true with
//     or without cert/key. Cookies are then Secure and HSTS is sent.
//   - Audit: logins (success, failure, refusal, with client address), first
//     run, logout, user creation/deletion/changes, configuration saves,
//     restores and connection tests (keys changed, never values) and urgent acknowledgements are
//     appended as JSON lines to Config.AuditFile (lqosd:
//     <state_directory>/lqosd/audit.log, 0600) and logged with slog.
//   - Headers on every response: CSP (scripts only from 'self', no inline
//     scripts), X-Frame-Options DENY, nosniff, Referrer-Policy same-origin.
//   - The front end builds DOM with text nodes only (web/src/js/lib/dom.js).
//
// # Routes
//
//	GET  /health                    public   "OK"
//	GET  /metrics                   public   Prometheus metrics, when lqosd passes a handler (it checks [metrics] bearer_token itself)
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
//	GET  /api/asn?range=&q=         read     ASNView: per AS over 5m|1h|24h, top-AS series (pages_geo.go)
//	GET  /api/asn/flows?asn=        read     ASNDetail: an AS's current flows and circuits
//	GET  /api/flowmap?limit=        read     FlowMapView: located endpoints of the last minute
//	GET  /api/sitemap               read     SiteMapView: nodes with coordinates, the rest listed
//	GET  /api/about                 read     AboutView: version, IP data files, credits
//	                                         (the geo routes take redact=1: addresses and names masked)
//	POST /api/urgent/{id}/ack       admin
//	POST /api/urgent/ack-all        admin
//	GET  /api/users                 admin    (never returns hashes)
//	POST /api/users                 admin    {username,password,role}
//	DELETE /api/users/{username}    admin
//	PATCH /api/users/{username}     admin    {role?, password?} (last admin cannot be demoted)
//	GET  /config.html?section=, /config-network.html, /config-devices.html, /config-users.html page
//	GET  /api/config/sections       read     menu of the editors
//	GET  /api/config/section/{id}   read     fields, values (secrets only as configured yes/no), version
//	PUT  /api/config/section/{id}   admin    {version, values, clear}: 200, 409 stale, 422 {problems}
//	POST /api/config/section/{id}/test admin {values, clear}: one import against the server, nothing written
//	GET  /api/config/history?file=  read     backups; POST /api/config/restore admin {file, id, version}
//	GET  /api/config/audit?file=    read     config.* (users=1: user.*) audit events, newest first
//	GET|PUT /api/config/network     read|admin network.json as a tree; POST …/network/check admin
//	GET|POST /api/config/devices    read|admin paged rows; {version, op add|update|delete, device_id, row}
//	GET|PUT /api/config/devices.csv read|admin export; import (body: CSV, header X-Base-Version)
//
// # Live channels
//
// throughput every second (sampled even without subscribers, for the
// history); top_circuits, worst_rtt, cpu, queues, scheduler
// and urgent every 5 s (Config.SlowInterval). The network pages add tree,
// tree:<indices>, node:<id> and circuit:<id> (1 s) and cpu_plan (5 s), see
// hub_pages.go; node and circuit history is sampled every second
// (pages_history.go). The network pages need a Source that also
// implements PageSource; the ASN, globe and site map pages a GeoSource
// (their per-AS history is sampled every SlowInterval, asn_history.go). A channel is only computed
// while someone subscribes. Each socket has a bounded queue
// (Config.ClientQueue); a client that falls behind is disconnected. One
// session may hold at most 16 sockets (the slot is taken before the
// upgrade, so simultaneous upgrades cannot exceed it); each socket may send 10 messages/s
// (burst 20) of at most 4 KiB.
package webui

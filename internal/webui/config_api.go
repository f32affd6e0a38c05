package webui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/configedit"
	"github.com/libreqos-go/lqos/internal/diag"
)

// The configuration editors: lqos.conf section pages, the network layout
// and shaped devices editors, history and the audit trail. Every write goes
// through configedit.Store (validation as `libreqos validate`, stale-copy
// refusal, backup, atomic write) and then Config.ApplyConfig.

const (
	maxConfigBody = 32 << 20 // a whole ShapedDevices.csv import
	applyTimeout  = 90 * time.Second
)

func (s *Server) configRoutes() []route {
	return []route{
		{"GET", "/api/config/sections", accessRead, s.handleConfigSections},
		{"GET", "/api/config/section/{id}", accessRead, s.handleConfigSection},
		{"PUT", "/api/config/section/{id}", accessAdmin, s.handleConfigSectionSave},
		{"POST", "/api/config/section/{id}/test", accessAdmin, s.handleConfigTest},
		{"GET", "/api/config/history", accessRead, s.handleConfigHistory},
		{"POST", "/api/config/restore", accessAdmin, s.handleConfigRestore},
		{"GET", "/api/config/audit", accessRead, s.handleConfigAudit},
		{"GET", "/api/config/network", accessRead, s.handleConfigNetwork},
		{"PUT", "/api/config/network", accessAdmin, s.handleConfigNetworkSave},
		{"POST", "/api/config/network/check", accessAdmin, s.handleConfigNetworkCheck},
		{"GET", "/api/config/devices", accessRead, s.handleConfigDevices},
		{"POST", "/api/config/devices", accessAdmin, s.handleConfigDevicesEdit},
		{"GET", "/api/config/devices.csv", accessRead, s.handleConfigDevicesCSV},
		{"PUT", "/api/config/devices.csv", accessAdmin, s.handleConfigDevicesImport},
		{"PATCH", "/api/users/{username}", accessAdmin, s.handleUsersUpdate},
	}
}

// ProblemView is a validation problem as the editors show it. Key names the
// lqos.conf key, Node the network.json node, Device the Device ID of the
// CSV row the problem is about, when known.
type ProblemView struct {
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
	Node     string `json:"node,omitempty"`
	Device   string `json:"device,omitempty"`
}

// Replies of the configuration API (api-types.d.ts is generated from these).
type (
	// ConfigSectionView is one lqos.conf section page: its fields, the
	// values (secrets only as stored yes/no) and the file version a save
	// must be based on.
	ConfigSectionView struct {
		Section             configedit.Section     `json:"section"`
		State               configedit.FormState   `json:"state"`
		Version             string                 `json:"version"`
		CanEdit             bool                   `json:"can_edit"`
		Path                string                 `json:"path"`
		Menu                []ConfigMenuEntry      `json:"menu"`
		Interfaces          []configedit.Interface `json:"interfaces,omitempty"`
		InterfacesError     string                 `json:"interfaces_error,omitempty"`
		LoadError           string                 `json:"load_error,omitempty"`
		EnabledIntegrations []string               `json:"enabled_integrations,omitempty"`
	}
	// ConfigSaveView answers a successful save or restore.
	ConfigSaveView struct {
		OK            bool          `json:"ok"`
		Version       string        `json:"version"`
		Backup        string        `json:"backup,omitempty"`
		Message       string        `json:"message,omitempty"`
		Warnings      []ProblemView `json:"warnings"`
		Applied       string        `json:"applied,omitempty"`
		ApplyError    string        `json:"apply_error,omitempty"`
		Changed       []string      `json:"changed,omitempty"`
		RestartNeeded []string      `json:"restart_needed,omitempty"`
	}
	// ConfigRefusedView answers a save refused by validation (422).
	ConfigRefusedView struct {
		OK       bool          `json:"ok"`
		Reason   string        `json:"reason"`
		Message  string        `json:"message"`
		Problems []ProblemView `json:"problems"`
	}
	// ConfigMenuView is the editors' menu.
	ConfigMenuView struct {
		Menu    []ConfigMenuEntry `json:"menu"`
		CanEdit bool              `json:"can_edit"`
	}
	// ConfigHistoryView lists a file's backups, newest first.
	ConfigHistoryView struct {
		File    string              `json:"file"`
		Backups []configedit.Backup `json:"backups"`
	}
	// ConfigAuditView lists audit events, newest first.
	ConfigAuditView struct {
		Events []audit.Event `json:"events"`
	}
	// LayoutView is network.json as the layout editor edits it.
	LayoutView struct {
		Version  string                   `json:"version"`
		Path     string                   `json:"path"`
		Nodes    []*configedit.LayoutNode `json:"nodes"`
		Problems []ProblemView            `json:"problems"`
		Owners   []string                 `json:"owners"`
		CanEdit  bool                     `json:"can_edit"`
	}
	// LayoutCheckView is the outcome of the layout editor's Check.
	LayoutCheckView struct {
		OK       bool          `json:"ok"`
		Problems []ProblemView `json:"problems"`
	}
	// DevicesEditView is one page of the devices editor.
	DevicesEditView struct {
		Version  string                 `json:"version"`
		Path     string                 `json:"path"`
		Rows     []configedit.DeviceRow `json:"rows"`
		Total    int                    `json:"total"`
		Matched  int                    `json:"matched"`
		Offset   int                    `json:"offset"`
		Limit    int                    `json:"limit"`
		Problems []ProblemView          `json:"problems"`
		Owners   []string               `json:"owners"`
		Nodes    []string               `json:"nodes"`
		CanEdit  bool                   `json:"can_edit"`
	}
)

func (s *Server) editor(w http.ResponseWriter) *configedit.Store {
	if s.cfg.Editor == nil {
		writeErr(w, http.StatusNotImplemented, "no_editor", "This server has no configuration editor.")
	}
	return s.cfg.Editor
}

// decodeBig is decodeJSON with the limit of the editors' bodies.
func decodeBig(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeErr(w, http.StatusUnsupportedMediaType, "bad_request", "Content-Type must be application/json.")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxConfigBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeErr(w, http.StatusBadRequest, "bad_request", "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

// secretsOf lists the credential values in lqos.conf text, to scrub them
// from anything sent to the browser or logged.
func secretsOf(data []byte) []string {
	var out []string
	cfg, _, err := config.Parse(data)
	if err != nil {
		return nil
	}
	for _, sec := range configedit.Sections() {
		st := configedit.SecretValues(sec, cfg)
		out = append(out, st...)
	}
	return out
}

func scrub(msg string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 3 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	return msg
}

func problemViews(ps []diag.Problem, secrets []string, nodeAt, devAt map[int]string) []ProblemView {
	out := make([]ProblemView, 0, len(ps))
	for _, p := range ps {
		v := ProblemView{Severity: strings.ToLower(p.Severity.String()), File: p.File, Line: p.Line, Field: p.Field, Message: scrub(p.Message, secrets)}
		if p.File == configedit.NetworkFile {
			v.Node = nodeAt[p.Line]
			if v.Node == "" && p.Line == 0 {
				v.Node = p.Field
			}
		}
		if p.File == configedit.DevicesFile {
			v.Device = devAt[p.Line]
		}
		out = append(out, v)
	}
	return out
}

// saveError answers a refused save: 409 stale or owned, 422 invalid.
func (s *Server) saveError(w http.ResponseWriter, r *http.Request, a *reqAuth, target string, err error, secrets []string, nodeAt, devAt map[int]string) {
	var ve *configedit.ValidationError
	var oe *configedit.OwnedError
	var fe *configedit.FieldError
	ev := audit.Event{Action: "config.save", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Refused, Target: target}
	switch {
	case errors.Is(err, configedit.ErrStale):
		ev.Reason = "stale copy"
		writeErr(w, http.StatusConflict, "stale", err.Error())
	case errors.As(err, &oe):
		ev.Reason = "owned by " + strings.Join(oe.Integrations, ", ")
		writeErr(w, http.StatusConflict, "owned", err.Error())
	case errors.As(err, &ve):
		ev.Reason = fmt.Sprintf("%d validation error(s)", len(ve.Problems))
		writeJSON(w, http.StatusUnprocessableEntity, ConfigRefusedView{Reason: "invalid",
			Message: "Not saved: the validation found errors (nothing was written).", Problems: problemViews(ve.Problems, secrets, nodeAt, devAt)})
	case errors.As(err, &fe):
		ev.Reason = "invalid field " + fe.Key
		writeJSON(w, http.StatusUnprocessableEntity, ConfigRefusedView{Reason: "invalid", Message: "Not saved: " + scrub(fe.Error(), secrets),
			Problems: []ProblemView{{Severity: "error", File: configedit.ConfigFile, Field: fe.Key, Message: scrub(fe.Message, secrets)}}})
	default:
		ev.Outcome, ev.Reason = audit.Failure, scrub(err.Error(), secrets)
		writeErr(w, http.StatusUnprocessableEntity, "not_saved", scrub(err.Error(), secrets))
	}
	s.audit.Record(ev)
}

// saved records the save and applies it through lqosd.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, a *reqAuth, action, target, what string, res configedit.SaveResult, secrets []string, out ConfigSaveView) {
	s.audit.Record(audit.Event{Action: action, Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success, Target: target, Reason: what})
	out.OK, out.Version, out.Backup, out.Warnings = true, res.Version, res.Backup, problemViews(res.Warnings, secrets, nil, nil)
	if s.cfg.ApplyConfig != nil {
		ctx, cancel := context.WithTimeout(r.Context(), applyTimeout)
		summary, err := s.cfg.ApplyConfig(ctx, "web UI: "+a.sess.Username+" changed "+target)
		cancel()
		if err != nil {
			out.ApplyError = scrub(err.Error(), secrets)
		} else {
			out.Applied = summary
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type ConfigMenuEntry struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Menu  string `json:"menu"`
	Href  string `json:"href"`
}

// ConfigMenu is the configuration menu shared by every editor page.
func ConfigMenu() []ConfigMenuEntry {
	var out []ConfigMenuEntry
	for _, sec := range configedit.Sections() {
		out = append(out, ConfigMenuEntry{sec.ID, sec.Title, sec.Menu, "/config.html?section=" + sec.ID})
	}
	return append(out,
		ConfigMenuEntry{"network", "Network Layout", "files", "/config-network.html"},
		ConfigMenuEntry{"devices", "Shaped Devices", "files", "/config-devices.html"},
		ConfigMenuEntry{"users", "Users", "files", "/config-users.html"})
}

func (s *Server) handleConfigSections(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	if s.editor(w) == nil {
		return
	}
	writeJSON(w, http.StatusOK, ConfigMenuView{Menu: ConfigMenu(), CanEdit: a.sess.Role.atLeast(RoleAdmin)})
}

func (s *Server) handleConfigSection(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	sec, ok := configedit.SectionByID(r.PathValue("id"))
	if !ok {
		writeErr(w, http.StatusNotFound, "not_found", "No such configuration section.")
		return
	}
	doc, err := ed.Read(configedit.ConfigFile)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "read_error", err.Error())
		return
	}
	out := ConfigSectionView{Section: sec, State: configedit.State(sec, doc.Data), Version: doc.Version,
		CanEdit: a.sess.Role.atLeast(RoleAdmin), Path: doc.Path, Menu: ConfigMenu()}
	if sec.ID == "network_mode" {
		ifs, err := configedit.Interfaces()
		if err != nil {
			out.InterfacesError = err.Error()
		}
		out.Interfaces = ifs
	}
	if cfg, _, err := config.Parse(doc.Data); err != nil {
		out.LoadError = scrub(err.Error(), secretsOf(doc.Data))
	} else {
		out.EnabledIntegrations = cfg.EnabledIntegrations()
	}
	writeJSON(w, http.StatusOK, out)
}

type sectionSave struct {
	Version string                     `json:"version"`
	Values  map[string]json.RawMessage `json:"values"`
	Clear   []string                   `json:"clear"`
}

func (s *Server) handleConfigSectionSave(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	sec, ok := configedit.SectionByID(r.PathValue("id"))
	if !ok {
		writeErr(w, http.StatusNotFound, "not_found", "No such configuration section.")
		return
	}
	var req sectionSave
	if !decodeBig(w, r, &req) {
		return
	}
	target := configedit.ConfigFile + " [" + sec.Title + "]"
	doc, err := ed.Read(configedit.ConfigFile)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "read_error", err.Error())
		return
	}
	secrets := secretsOf(doc.Data)
	if req.Version != doc.Version {
		s.saveError(w, r, a, target, configedit.ErrStale, secrets, nil, nil)
		return
	}
	data, changed, err := configedit.Apply(sec, doc.Data, configedit.FormChange{Values: req.Values, Clear: req.Clear})
	if err == nil && len(changed) == 0 {
		writeJSON(w, http.StatusOK, ConfigSaveView{OK: true, Version: doc.Version, Message: "Nothing changed.", Warnings: []ProblemView{}})
		return
	}
	if err == nil {
		secrets = append(secrets, secretsOf(data)...)
		var res configedit.SaveResult
		if res, err = ed.Save(configedit.ConfigFile, req.Version, data, a.sess.Username); err == nil {
			restart := []string{}
			for _, fd := range sec.Fields {
				if fd.Restart && slices.Contains(changed, fd.Key) {
					restart = append(restart, fd.Key)
				}
			}
			s.saved(w, r, a, "config.save", target, "changed: "+strings.Join(changed, ", "), res, secrets,
				ConfigSaveView{Changed: changed, RestartNeeded: restart})
			return
		}
	}
	s.saveError(w, r, a, target, err, secrets, nil, nil)
}

func (s *Server) handleConfigTest(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	sec, ok := configedit.SectionByID(r.PathValue("id"))
	if !ok || sec.Integration == "" {
		writeErr(w, http.StatusNotFound, "not_found", "No integration section of that name.")
		return
	}
	var req sectionSave
	if !decodeBig(w, r, &req) {
		return
	}
	doc, err := ed.Read(configedit.ConfigFile)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "read_error", err.Error())
		return
	}
	secrets := secretsOf(doc.Data)
	// The form as it is now, saved or not: nothing is written.
	data, _, err := configedit.Apply(sec, doc.Data, configedit.FormChange{Values: req.Values, Clear: req.Clear})
	if err != nil {
		writeJSON(w, http.StatusOK, configedit.Probe{Kind: "config", Error: scrub(err.Error(), secrets)})
		return
	}
	secrets = append(secrets, secretsOf(data)...)
	cfg, _, err := config.Parse(data)
	if err != nil {
		writeJSON(w, http.StatusOK, configedit.Probe{Kind: "config", Error: scrub(err.Error(), secrets)})
		return
	}
	timeout := s.cfg.TestTimeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	p := configedit.TestConnection(r.Context(), cfg, sec.Integration, timeout, secrets)
	s.audit.Record(audit.Event{Action: "config.test", Actor: a.sess.Username, Addr: clientIP(r), Outcome: map[bool]string{true: audit.Success, false: audit.Failure}[p.OK],
		Target: sec.Title, Reason: p.Kind})
	writeJSON(w, http.StatusOK, p)
}

func fileParam(r *http.Request) string {
	switch f := r.URL.Query().Get("file"); f {
	case configedit.ConfigFile, configedit.NetworkFile, configedit.DevicesFile:
		return f
	}
	return ""
}

func (s *Server) handleConfigHistory(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	name := fileParam(r)
	if name == "" {
		writeErr(w, http.StatusBadRequest, "bad_request", "file must be lqos.conf, network.json or ShapedDevices.csv")
		return
	}
	list, err := ed.History(name)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "read_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, ConfigHistoryView{File: name, Backups: list})
}

func (s *Server) handleConfigRestore(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	var req struct {
		File    string `json:"file"`
		ID      string `json:"id"`
		Version string `json:"version"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.File != configedit.ConfigFile && req.File != configedit.NetworkFile && req.File != configedit.DevicesFile {
		writeErr(w, http.StatusBadRequest, "bad_request", "file must be lqos.conf, network.json or ShapedDevices.csv")
		return
	}
	cur, _ := ed.Read(configedit.ConfigFile)
	secrets := secretsOf(cur.Data)
	res, err := ed.Restore(req.File, req.ID, req.Version, a.sess.Username)
	if err != nil {
		s.saveError(w, r, a, req.File, err, secrets, nil, nil)
		return
	}
	s.saved(w, r, a, "config.restore", req.File, "restored "+req.ID, res, secrets, ConfigSaveView{})
}

func (s *Server) handleConfigAudit(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	if s.editor(w) == nil {
		return
	}
	path := s.audit.Path()
	if path == "" {
		writeJSON(w, http.StatusOK, ConfigAuditView{Events: []audit.Event{}})
		return
	}
	file := fileParam(r)
	users := r.URL.Query().Get("users") == "1"
	evs, err := audit.Tail(path, 50, func(e audit.Event) bool {
		if users {
			return strings.HasPrefix(e.Action, "user.")
		}
		return strings.HasPrefix(e.Action, "config.") && (file == "" || strings.HasPrefix(e.Target, file))
	})
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "read_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, ConfigAuditView{Events: evs})
}

// ---- network layout ----

func (s *Server) handleConfigNetwork(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	doc, err := ed.Read(configedit.NetworkFile)
	if err != nil {
		writeErr(w, http.StatusUnprocessableEntity, "read_error", err.Error())
		return
	}
	tree, l := configedit.NetworkTree(doc.Data)
	owners := ed.Owners(configedit.NetworkFile)
	writeJSON(w, http.StatusOK, LayoutView{Version: doc.Version, Path: doc.Path, Nodes: tree,
		Problems: problemViews(l.Problems, nil, configedit.NodeAtLine(doc.Data), nil),
		Owners:   owners, CanEdit: a.sess.Role.atLeast(RoleAdmin) && len(owners) == 0})
}

type networkSave struct {
	Version string                   `json:"version"`
	Nodes   []*configedit.LayoutNode `json:"nodes"`
}

// networkRequest reads a layout check or save: the editor, the request
// and the tree encoded as network.json with the encoder's problems. ok is
// false when the answer has been written already.
func (s *Server) networkRequest(w http.ResponseWriter, r *http.Request) (ed *configedit.Store, req networkSave, data []byte, probs []diag.Problem, ok bool) {
	if ed = s.editor(w); ed == nil {
		return
	}
	if !decodeBig(w, r, &req) {
		return
	}
	data, probs = configedit.EncodeTree(req.Nodes)
	return ed, req, data, probs, true
}

func (s *Server) handleConfigNetworkCheck(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed, _, data, probs, ok := s.networkRequest(w, r)
	if !ok {
		return
	}
	l := diag.List{Problems: probs}
	if len(probs) == 0 {
		var err error
		if l, err = ed.Check(configedit.NetworkFile, data); err != nil {
			writeErr(w, http.StatusUnprocessableEntity, "check_error", err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, LayoutCheckView{OK: !l.HasErrors(), Problems: problemViews(l.Problems, nil, configedit.NodeAtLine(data), nil)})
}

func (s *Server) handleConfigNetworkSave(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed, req, data, probs, ok := s.networkRequest(w, r)
	if !ok {
		return
	}
	nodeAt := configedit.NodeAtLine(data)
	if len(probs) > 0 {
		s.saveError(w, r, a, configedit.NetworkFile, &configedit.ValidationError{Problems: probs}, nil, nodeAt, nil)
		return
	}
	res, err := ed.Save(configedit.NetworkFile, req.Version, data, a.sess.Username)
	if err != nil {
		s.saveError(w, r, a, configedit.NetworkFile, err, nil, nodeAt, nil)
		return
	}
	s.saved(w, r, a, "config.save", configedit.NetworkFile, "network layout saved", res, nil, ConfigSaveView{})
}

// ---- shaped devices ----

func (s *Server) handleConfigDevices(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	doc, err := ed.Read(configedit.DevicesFile)
	if err != nil {
		writeErr(w, http.StatusUnprocessableEntity, "read_error", err.Error())
		return
	}
	rows, l := s.deviceRows(doc)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 25
	}
	matched := rows[:0:0]
	for _, row := range rows {
		if configedit.MatchRow(row, q) {
			matched = append(matched, row)
		}
	}
	offset = max(0, min(offset, len(matched)))
	page := matched[offset:min(offset+limit, len(matched))]
	owners := ed.Owners(configedit.DevicesFile)
	var nodes []string
	if nd, err := ed.Read(configedit.NetworkFile); err == nil {
		tree, _ := configedit.NetworkTree(nd.Data)
		var walk func([]*configedit.LayoutNode)
		walk = func(ts []*configedit.LayoutNode) {
			for _, t := range ts {
				nodes = append(nodes, t.Name)
				walk(t.Children)
			}
		}
		walk(tree)
	}
	writeJSON(w, http.StatusOK, DevicesEditView{Version: doc.Version, Path: doc.Path, Rows: page, Total: len(rows), Matched: len(matched),
		Offset: offset, Limit: limit, Problems: problemViews(l.Errors(), nil, nil, configedit.DeviceAtLine(doc.Data)),
		Owners: owners, Nodes: nodes, CanEdit: a.sess.Role.atLeast(RoleAdmin) && len(owners) == 0})
}

// deviceRows parses ShapedDevices.csv once per version: paging and
// searching a 10k-row file then costs a scan, not a parse.
func (s *Server) deviceRows(doc configedit.Doc) ([]configedit.DeviceRow, diag.List) {
	s.devCache.Lock()
	defer s.devCache.Unlock()
	if s.devCache.version != doc.Version || s.devCache.path != doc.Path {
		s.devCache.rows, s.devCache.problems = configedit.DeviceRows(doc.Data)
		s.devCache.version, s.devCache.path = doc.Version, doc.Path
	}
	return s.devCache.rows, s.devCache.problems
}

func (s *Server) handleConfigDevicesEdit(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	var req struct {
		Version string `json:"version"`
		configedit.DeviceOp
	}
	if !decodeBig(w, r, &req) {
		return
	}
	doc, err := ed.Read(configedit.DevicesFile)
	if err != nil {
		writeErr(w, http.StatusUnprocessableEntity, "read_error", err.Error())
		return
	}
	if req.Version != doc.Version {
		s.saveError(w, r, a, configedit.DevicesFile, configedit.ErrStale, nil, nil, nil)
		return
	}
	rows, _ := configedit.DeviceRows(doc.Data)
	rows, err = configedit.ApplyDeviceOp(rows, req.DeviceOp)
	if err != nil {
		writeErr(w, http.StatusUnprocessableEntity, "invalid", err.Error())
		return
	}
	data := configedit.EncodeRows(rows)
	res, err := ed.Save(configedit.DevicesFile, req.Version, data, a.sess.Username)
	if err != nil {
		s.saveError(w, r, a, configedit.DevicesFile, err, nil, nil, configedit.DeviceAtLine(data))
		return
	}
	id := req.Row.DeviceID
	if req.Op == "delete" {
		id = req.DeviceID
	}
	s.saved(w, r, a, "config.save", configedit.DevicesFile, req.Op+" device "+id, res, nil, ConfigSaveView{})
}

func (s *Server) handleConfigDevicesCSV(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	doc, err := ed.Read(configedit.DevicesFile)
	if err != nil {
		writeErr(w, http.StatusUnprocessableEntity, "read_error", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ShapedDevices.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-File-Version", doc.Version)
	w.Write(doc.Data)
}

// handleConfigDevicesImport replaces ShapedDevices.csv with the uploaded
// CSV (body: the file; header X-Base-Version: the version it replaces).
func (s *Server) handleConfigDevicesImport(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ed := s.editor(w)
	if ed == nil {
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxConfigBody))
	if err != nil {
		writeErr(w, http.StatusRequestEntityTooLarge, "too_large", "The file is larger than 32 MiB.")
		return
	}
	res, err := ed.Save(configedit.DevicesFile, r.Header.Get("X-Base-Version"), data, a.sess.Username)
	if err != nil {
		s.saveError(w, r, a, configedit.DevicesFile, err, nil, nil, configedit.DeviceAtLine(data))
		return
	}
	s.saved(w, r, a, "config.save", configedit.DevicesFile, fmt.Sprintf("CSV imported (%d bytes)", len(data)), res, nil, ConfigSaveView{})
}

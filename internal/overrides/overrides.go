// Package overrides reads lqos_overrides.json, the operator's standing edits
// that survive every integration refresh, and applies them to the inputs.
//
// Unlike upstream, overrides are applied in memory on top of
// ShapedDevices.csv and network.json: the operator's (or the integration's)
// files are never rewritten, and rates are set by column name, not position.
package overrides

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/diag"
)

// FileName is the operator layer's file name in lqos_directory.
const FileName = "lqos_overrides.json"

// File is the operator's overrides file.
type File struct {
	PersistentDevices   []PersistentDevice `json:"persistent_devices"`
	CircuitAdjustments  []Adjustment       `json:"circuit_adjustments"`
	NetworkAdjustments  []Adjustment       `json:"network_adjustments"`
	RTTExcludedCircuits []string           `json:"rtt_excluded_circuits"`
	UISP                json.RawMessage    `json:"uisp,omitempty"`
}

// IPEntry is an address and prefix length, written as ["100.64.0.1", 32].
type IPEntry struct {
	Addr   string
	Prefix int
}

// UnmarshalJSON accepts the upstream tuple form and a plain "addr/len" string.
func (e *IPEntry) UnmarshalJSON(b []byte) error {
	var tuple []json.RawMessage
	if err := json.Unmarshal(b, &tuple); err == nil {
		if len(tuple) != 2 {
			return fmt.Errorf("expected [address, prefix_length], got %d elements", len(tuple))
		}
		if err := json.Unmarshal(tuple[0], &e.Addr); err != nil {
			return errors.New("address must be a string")
		}
		if err := json.Unmarshal(tuple[1], &e.Prefix); err != nil {
			return errors.New("prefix length must be an integer")
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`expected ["address", prefix_length] or "address/len"`)
	}
	addr, bits, ok := strings.Cut(s, "/")
	e.Addr = addr
	e.Prefix = -1
	if ok {
		n, err := strconv.Atoi(bits)
		if err != nil {
			return fmt.Errorf("%q: bad prefix length", s)
		}
		e.Prefix = n
	}
	return nil
}

// MarshalJSON writes the upstream tuple form.
func (e IPEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{e.Addr, e.Prefix})
}

// Prefix converts the entry; a negative length means a single host.
func (e IPEntry) ToPrefix() (netip.Prefix, error) {
	s := e.Addr
	if e.Prefix >= 0 {
		s = fmt.Sprintf("%s/%d", e.Addr, e.Prefix)
	}
	a, err := netip.ParseAddr(e.Addr)
	if err == nil && e.Prefix == a.BitLen() {
		s = e.Addr
	}
	return devices.ParsePrefix(s)
}

// PersistentDevice is a device the operator wants shaped whatever the
// integration says: it replaces the row with the same device ID, or is added.
type PersistentDevice struct {
	CircuitID       string    `json:"circuit_id"`
	CircuitName     string    `json:"circuit_name"`
	DeviceID        string    `json:"device_id"`
	DeviceName      string    `json:"device_name"`
	ParentNode      string    `json:"parent_node"`
	ParentNodeID    string    `json:"parent_node_id,omitempty"`
	AnchorNodeID    string    `json:"anchor_node_id,omitempty"`
	MAC             string    `json:"mac"`
	IPv4            []IPEntry `json:"ipv4"`
	IPv6            []IPEntry `json:"ipv6"`
	DownloadMinMbps float64   `json:"download_min_mbps"`
	UploadMinMbps   float64   `json:"upload_min_mbps"`
	DownloadMaxMbps float64   `json:"download_max_mbps"`
	UploadMaxMbps   float64   `json:"upload_max_mbps"`
	Comment         string    `json:"comment"`
	SQMOverride     string    `json:"sqm_override,omitempty"`
}

// Adjustment is one entry of circuit_adjustments or network_adjustments; Type
// says which fields matter.
type Adjustment struct {
	Type      string `json:"type"`
	CircuitID string `json:"circuit_id,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	// circuit_adjust_speed / device_adjust_speed: nil leaves a value alone.
	MinDownload *float64 `json:"min_download_bandwidth,omitempty"`
	MaxDownload *float64 `json:"max_download_bandwidth,omitempty"`
	MinUpload   *float64 `json:"min_upload_bandwidth,omitempty"`
	MaxUpload   *float64 `json:"max_upload_bandwidth,omitempty"`
	// device_adjust_sqm
	SQMOverride *string `json:"sqm_override,omitempty"`
	// reparent_circuit
	ParentNode string `json:"parent_node,omitempty"`
	// adjust_site_speed / set_node_virtual
	NodeID       string   `json:"node_id,omitempty"`
	SiteName     string   `json:"site_name,omitempty"`
	NodeName     string   `json:"node_name,omitempty"`
	DownloadMbps *float64 `json:"download_bandwidth_mbps,omitempty"`
	UploadMbps   *float64 `json:"upload_bandwidth_mbps,omitempty"`
	Virtual      *bool    `json:"virtual,omitempty"`
}

// Kinds of adjustment.
const (
	CircuitAdjustSpeed     = "circuit_adjust_speed"
	DeviceAdjustSpeed      = "device_adjust_speed"
	DeviceAdjustSQM        = "device_adjust_sqm"
	RemoveCircuit          = "remove_circuit"
	RemoveDevice           = "remove_device"
	ReparentCircuit        = "reparent_circuit"
	AdjustSiteSpeed        = "adjust_site_speed"
	SetNodeVirtual         = "set_node_virtual"
	TopologyParentOverride = "topology_parent_override"
)

// Load reads the overrides file. A missing file is not an error: it means no overrides.
func Load(path string) (*File, diag.List) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, diag.List{}
	}
	if err != nil {
		var l diag.List
		l.Errorf(path, 0, "", "%v", err)
		return &File{}, l
	}
	return Parse(path, data)
}

// Parse decodes and checks the overrides text.
func Parse(name string, data []byte) (*File, diag.List) {
	var l diag.List
	file := filepath.Base(name)
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	// Accept upstream's alias for persistent_devices.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		l.Errorf(file, jsonErrorLine(data, err), "", "invalid JSON: %v", err)
		return &File{}, l
	}
	if alias, ok := raw["devices_to_append"]; ok {
		if _, has := raw["persistent_devices"]; !has {
			raw["persistent_devices"] = alias
		}
		delete(raw, "devices_to_append")
	}
	known := map[string]bool{"persistent_devices": true, "circuit_adjustments": true, "network_adjustments": true, "rtt_excluded_circuits": true, "uisp": true}
	for k := range raw {
		if !known[k] {
			l.Warnf(file, 0, k, "unknown key, ignored")
		}
	}
	f := &File{}
	decode := func(key string, into any) {
		v, ok := raw[key]
		if !ok || string(v) == "null" {
			return
		}
		if err := json.Unmarshal(v, into); err != nil {
			l.Errorf(file, jsonErrorLine(data, err), key, "%v", describeJSONError(err))
		}
	}
	decode("persistent_devices", &f.PersistentDevices)
	decode("circuit_adjustments", &f.CircuitAdjustments)
	decode("network_adjustments", &f.NetworkAdjustments)
	decode("rtt_excluded_circuits", &f.RTTExcludedCircuits)
	f.UISP = raw["uisp"]
	f.check(file, &l)
	return f, l
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}

func jsonErrorLine(data []byte, err error) int {
	var se *json.SyntaxError
	if errors.As(err, &se) && int(se.Offset) <= len(data) {
		return bytes.Count(data[:se.Offset], []byte{'\n'}) + 1
	}
	return 0
}

// check validates each entry, naming its list and index.
func (f *File) check(file string, l *diag.List) {
	for i, d := range f.PersistentDevices {
		field := fmt.Sprintf("persistent_devices[%d]", i)
		if d.CircuitID == "" {
			l.Errorf(file, 0, field+".circuit_id", "is empty")
		}
		if d.DeviceID == "" {
			l.Errorf(file, 0, field+".device_id", "is empty")
		}
		for j, ip := range append(append([]IPEntry{}, d.IPv4...), d.IPv6...) {
			if _, err := ip.ToPrefix(); err != nil {
				l.Errorf(file, 0, fmt.Sprintf("%s.ip[%d]", field, j), "%s/%d: %v", ip.Addr, ip.Prefix, err)
			}
		}
		rates := []struct {
			name string
			v    float64
		}{{"download_min_mbps", d.DownloadMinMbps}, {"upload_min_mbps", d.UploadMinMbps}, {"download_max_mbps", d.DownloadMaxMbps}, {"upload_max_mbps", d.UploadMaxMbps}}
		for _, r := range rates {
			if r.v < devices.MinRateMbps {
				l.Errorf(file, 0, field+"."+r.name, "%v Mbps is below the minimum of %v", r.v, devices.MinRateMbps)
			}
		}
		if d.DownloadMinMbps > d.DownloadMaxMbps {
			l.Errorf(file, 0, field+".download_min_mbps", "greater than download_max_mbps")
		}
		if d.UploadMinMbps > d.UploadMaxMbps {
			l.Errorf(file, 0, field+".upload_min_mbps", "greater than upload_max_mbps")
		}
		if d.SQMOverride != "" {
			if _, ok := devices.ParseSQM(d.SQMOverride); !ok {
				l.Errorf(file, 0, field+".sqm_override", "%q is not a valid sqm override", d.SQMOverride)
			}
		}
	}
	checkAdj := func(list string, adjs []Adjustment) {
		for i, a := range adjs {
			field := fmt.Sprintf("%s[%d]", list, i)
			need := func(name, v string) {
				if v == "" {
					l.Errorf(file, 0, field+"."+name, "is required for type %q", a.Type)
				}
			}
			switch a.Type {
			case CircuitAdjustSpeed, RemoveCircuit:
				need("circuit_id", a.CircuitID)
			case ReparentCircuit:
				need("circuit_id", a.CircuitID)
			case DeviceAdjustSpeed, RemoveDevice:
				need("device_id", a.DeviceID)
			case DeviceAdjustSQM:
				need("device_id", a.DeviceID)
				if a.SQMOverride != nil {
					if _, ok := devices.ParseSQM(*a.SQMOverride); !ok {
						l.Errorf(file, 0, field+".sqm_override", "%q is not a valid sqm override", *a.SQMOverride)
					}
				}
			case AdjustSiteSpeed:
				if a.NodeID == "" && a.SiteName == "" {
					l.Errorf(file, 0, field, "adjust_site_speed needs node_id or site_name")
				}
			case SetNodeVirtual:
				need("node_name", a.NodeName)
				if a.Virtual == nil {
					l.Errorf(file, 0, field+".virtual", "is required for type %q", a.Type)
				}
			case TopologyParentOverride:
				// Only the topology runtime uses it; carried but not applied here.
			case "":
				l.Errorf(file, 0, field+".type", "is missing")
			default:
				l.Errorf(file, 0, field+".type", "unknown adjustment type %q", a.Type)
			}
			for _, r := range []struct {
				name string
				v    *float64
			}{{"min_download_bandwidth", a.MinDownload}, {"max_download_bandwidth", a.MaxDownload}, {"min_upload_bandwidth", a.MinUpload}, {"max_upload_bandwidth", a.MaxUpload}, {"download_bandwidth_mbps", a.DownloadMbps}, {"upload_bandwidth_mbps", a.UploadMbps}} {
				if r.v != nil && *r.v < devices.MinRateMbps {
					l.Errorf(file, 0, field+"."+r.name, "%v Mbps is below the minimum of %v", *r.v, devices.MinRateMbps)
				}
			}
		}
	}
	checkAdj("circuit_adjustments", f.CircuitAdjustments)
	checkAdj("network_adjustments", f.NetworkAdjustments)
}

// Empty reports whether the file changes nothing.
func (f *File) Empty() bool {
	return len(f.PersistentDevices) == 0 && len(f.CircuitAdjustments) == 0 && len(f.NetworkAdjustments) == 0
}

// Save writes the file atomically.
func (f *File) Save(path string) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o600)
}

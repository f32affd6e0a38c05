package configedit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/diag"
)

// DeviceRow is one row of ShapedDevices.csv (one device; the circuit's
// fields repeat on every row of the circuit) as the devices editor edits it.
type DeviceRow struct {
	CircuitID    string  `json:"circuit_id"`
	CircuitName  string  `json:"circuit_name"`
	DeviceID     string  `json:"device_id"`
	DeviceName   string  `json:"device_name"`
	ParentNode   string  `json:"parent_node"`
	ParentNodeID string  `json:"parent_node_id,omitempty"`
	AnchorNodeID string  `json:"anchor_node_id,omitempty"`
	MAC          string  `json:"mac"`
	IPv4         string  `json:"ipv4"` // comma-separated, as in the file
	IPv6         string  `json:"ipv6"`
	DownloadMin  float64 `json:"download_min_mbps"`
	UploadMin    float64 `json:"upload_min_mbps"`
	DownloadMax  float64 `json:"download_max_mbps"`
	UploadMax    float64 `json:"upload_max_mbps"`
	Comment      string  `json:"comment"`
	SQM          string  `json:"sqm"`
	Line         int     `json:"line,omitempty"` // in the file as read
}

func joinPrefixes(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		if p.IsSingleIP() {
			parts[i] = p.Addr().String()
		} else {
			parts[i] = p.String()
		}
	}
	return strings.Join(parts, ", ")
}

// DeviceRows reads ShapedDevices.csv text as editor rows, in file order.
func DeviceRows(data []byte) ([]DeviceRow, diag.List) {
	if len(bytes.TrimSpace(data)) == 0 {
		return []DeviceRow{}, diag.List{}
	}
	f, l := devices.Parse(DevicesFile, data)
	out := []DeviceRow{}
	for _, c := range f.Circuits {
		devs := c.Devices
		if len(devs) == 0 {
			devs = []*devices.Device{{Line: c.Line}}
		}
		for _, d := range devs {
			r := DeviceRow{CircuitID: c.ID, CircuitName: c.Name, DeviceID: d.ID, DeviceName: d.Name, ParentNode: c.ParentNode,
				ParentNodeID: c.ParentNodeID, AnchorNodeID: c.AnchorNodeID, MAC: d.MAC, IPv4: joinPrefixes(d.IPv4), IPv6: joinPrefixes(d.IPv6),
				DownloadMin: c.DownloadMin, UploadMin: c.UploadMin, DownloadMax: c.DownloadMax, UploadMax: c.UploadMax,
				Comment: d.Comment, Line: d.Line}
			if !c.SQM.IsZero() {
				r.SQM = c.SQM.String()
			}
			out = append(out, r)
		}
	}
	return out, l
}

// EncodeRows writes rows as ShapedDevices.csv with the canonical header.
func EncodeRows(rows []DeviceRow) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(devices.Header())
	rate := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		rec := []string{r.CircuitID, r.CircuitName, r.DeviceID, r.DeviceName, r.ParentNode, r.ParentNodeID, r.AnchorNodeID, r.MAC,
			r.IPv4, r.IPv6, rate(r.DownloadMin), rate(r.UploadMin), rate(r.DownloadMax), rate(r.UploadMax), r.Comment, r.SQM}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		// A leading '#' would make the reader treat the row as a comment.
		if strings.HasPrefix(rec[0], "#") {
			rec[0] = " " + rec[0]
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

// DeviceOp is one edit of the devices editor.
type DeviceOp struct {
	Op string `json:"op"` // "add", "update" or "delete"
	// DeviceID is the row edited or deleted (its Device ID as loaded).
	DeviceID string    `json:"device_id"`
	Row      DeviceRow `json:"row"`
}

// ApplyDeviceOp edits rows. Rows of one circuit share the circuit's fields,
// so an edit of those fields is copied to the circuit's other rows.
func ApplyDeviceOp(rows []DeviceRow, op DeviceOp) ([]DeviceRow, error) {
	find := func(id string) int {
		for i, r := range rows {
			if r.DeviceID == id {
				return i
			}
		}
		return -1
	}
	out := append([]DeviceRow(nil), rows...)
	switch op.Op {
	case "add":
		op.Row.Line = 0
		out = append(out, op.Row)
	case "update":
		i := find(op.DeviceID)
		if i < 0 {
			return nil, fmt.Errorf("no device %q in ShapedDevices.csv (it may have been changed since the page loaded)", op.DeviceID)
		}
		op.Row.Line = out[i].Line
		out[i] = op.Row
	case "delete":
		i := find(op.DeviceID)
		if i < 0 {
			return nil, fmt.Errorf("no device %q in ShapedDevices.csv", op.DeviceID)
		}
		return append(out[:i], out[i+1:]...), nil
	default:
		return nil, fmt.Errorf("op %q: want add, update or delete", op.Op)
	}
	for i := range out {
		if r := &out[i]; r.CircuitID == op.Row.CircuitID && r.DeviceID != op.Row.DeviceID {
			r.CircuitName, r.ParentNode, r.ParentNodeID, r.AnchorNodeID = op.Row.CircuitName, op.Row.ParentNode, op.Row.ParentNodeID, op.Row.AnchorNodeID
			r.DownloadMin, r.UploadMin, r.DownloadMax, r.UploadMax, r.SQM = op.Row.DownloadMin, op.Row.UploadMin, op.Row.DownloadMax, op.Row.UploadMax, op.Row.SQM
		}
	}
	return out, nil
}

// DeviceAtLine maps the candidate's CSV line numbers to Device IDs, so a
// problem naming a line is shown on its row.
func DeviceAtLine(data []byte) map[int]string {
	f, _ := devices.Parse(DevicesFile, data)
	out := map[int]string{}
	for _, c := range f.Circuits {
		out[c.Line] = ""
		for _, d := range c.Devices {
			out[d.Line] = d.ID
		}
		if len(c.Devices) > 0 {
			out[c.Line] = c.Devices[0].ID
		}
	}
	return out
}

// MatchRow reports whether a row contains q (case-insensitive) in any text field.
func MatchRow(r DeviceRow, q string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, s := range []string{r.CircuitID, r.CircuitName, r.DeviceID, r.DeviceName, r.ParentNode, r.MAC, r.IPv4, r.IPv6, r.Comment} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

package devices

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// Header returns the canonical 16-column ShapedDevices.csv header (the
// web UI's devices editor writes rows under it).
func Header() []string { return append([]string(nil), columnNames[:]...) }

// Encode renders circuits as ShapedDevices.csv text with the canonical
// header, one row per device (RFC 4180 quoting via encoding/csv).
func Encode(circuits []*Circuit) []byte {
	var b bytes.Buffer
	_ = Write(&b, circuits) // a bytes.Buffer never fails
	return b.Bytes()
}

// Write writes circuits as ShapedDevices.csv to w. A circuit without devices
// is written as one row with empty device fields so it is not lost.
func Write(w io.Writer, circuits []*Circuit) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columnNames[:]); err != nil {
		return err
	}
	rate := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, c := range circuits {
		devs := c.Devices
		if len(devs) == 0 {
			devs = []*Device{{}}
		}
		for _, d := range devs {
			rec := make([]string, numColumns)
			rec[ColCircuitID] = c.ID
			rec[ColCircuitName] = c.Name
			rec[ColDeviceID] = d.ID
			rec[ColDeviceName] = d.Name
			rec[ColParentNode] = c.ParentNode
			rec[ColParentNodeID] = c.ParentNodeID
			rec[ColAnchorNodeID] = c.AnchorNodeID
			rec[ColMAC] = d.MAC
			rec[ColIPv4] = joinPrefixes(d.IPv4)
			rec[ColIPv6] = joinPrefixes(d.IPv6)
			rec[ColDownloadMin] = rate(c.DownloadMin)
			rec[ColUploadMin] = rate(c.UploadMin)
			rec[ColDownloadMax] = rate(c.DownloadMax)
			rec[ColUploadMax] = rate(c.UploadMax)
			rec[ColComment] = d.Comment
			if !c.SQM.IsZero() {
				rec[ColSQM] = c.SQM.String()
			}
			// A leading '#' would make the reader treat the row as a comment.
			if strings.HasPrefix(rec[0], "#") {
				rec[0] = " " + rec[0]
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func joinPrefixes(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = display(p)
	}
	return strings.Join(parts, ", ")
}

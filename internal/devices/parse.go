package devices

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/libreqos-go/lqos/internal/diag"
)

// Column identifies a ShapedDevices.csv field.
type Column int

const (
	ColCircuitID Column = iota
	ColCircuitName
	ColDeviceID
	ColDeviceName
	ColParentNode
	ColParentNodeID
	ColAnchorNodeID
	ColMAC
	ColIPv4
	ColIPv6
	ColDownloadMin
	ColUploadMin
	ColDownloadMax
	ColUploadMax
	ColComment
	ColSQM
	numColumns
)

// columnNames are the canonical header cells, as the documented header spells them.
var columnNames = [numColumns]string{
	"Circuit ID", "Circuit Name", "Device ID", "Device Name", "Parent Node", "Parent Node ID",
	"Anchor Node ID", "MAC", "IPv4", "IPv6", "Download Min Mbps", "Upload Min Mbps",
	"Download Max Mbps", "Upload Max Mbps", "Comment", "sqm",
}

func (c Column) String() string { return columnNames[c] }

// headerAliases maps normalised header cells (lower case, letters and digits
// only) to columns.
var headerAliases = map[string]Column{
	"circuitid":       ColCircuitID,
	"circuitname":     ColCircuitName,
	"deviceid":        ColDeviceID,
	"devicename":      ColDeviceName,
	"parentnode":      ColParentNode,
	"parentnodeid":    ColParentNodeID,
	"anchornodeid":    ColAnchorNodeID,
	"id":              ColAnchorNodeID,
	"mac":             ColMAC,
	"ipv4":            ColIPv4,
	"ipv6":            ColIPv6,
	"downloadmin":     ColDownloadMin,
	"downloadminmbps": ColDownloadMin,
	"uploadmin":       ColUploadMin,
	"uploadminmbps":   ColUploadMin,
	"downloadmax":     ColDownloadMax,
	"downloadmaxmbps": ColDownloadMax,
	"uploadmax":       ColUploadMax,
	"uploadmaxmbps":   ColUploadMax,
	"comment":         ColComment,
	"sqm":             ColSQM,
}

var requiredColumns = []Column{ColCircuitID, ColDownloadMin, ColUploadMin, ColDownloadMax, ColUploadMax}

// MinRateMbps is the smallest rate accepted for any min or max cell.
const MinRateMbps = 0.1

func normaliseHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Load reads and checks the file at path.
func Load(path string) (*File, diag.List) {
	data, err := os.ReadFile(path)
	if err != nil {
		var l diag.List
		l.Errorf(path, 0, "", "%v", err)
		return &File{Path: path}, l
	}
	return Parse(path, data)
}

// Parse reads ShapedDevices.csv text. It never panics; every problem found is
// returned, not just the first. name is used in messages.
func Parse(name string, data []byte) (*File, diag.List) {
	p := &parser{file: filepath.Base(name), out: &File{Path: name}, byID: map[string]*Circuit{}, deviceLine: map[string]int{}}
	p.parse(decodeText(data))
	p.checkAddresses()
	for _, c := range p.out.Circuits {
		if len(c.Prefixes()) == 0 {
			p.diags.Warnf(p.file, c.Line, "IPv4/IPv6", "circuit %q has no IP addresses: it gets queues but no traffic can reach them", c.ID)
		}
	}
	return p.out, p.diags
}

type parser struct {
	file       string
	out        *File
	diags      diag.List
	cols       [numColumns]int // index in the record, -1 when absent
	byID       map[string]*Circuit
	deviceLine map[string]int
	// seen tracks where each prefix was seen, for duplicate/overlap checks.
	seen []seenPrefix
	// headerWidth is the number of header cells; legacyRowLine is the first
	// row written in the 13-column layout under a header with the ID columns.
	headerWidth   int
	legacyRowLine int
}

type seenPrefix struct {
	prefix  netip.Prefix
	circuit *Circuit
	line    int
	column  Column
}

// decodeText turns the file's bytes into UTF-8, honouring BOMs and falling
// back to Latin-1 for files saved by spreadsheet programs in a legacy code page.
func decodeText(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], true)
	}
	if utf8.Valid(data) {
		return string(data)
	}
	runes := make([]rune, len(data))
	for i, b := range data {
		runes[i] = rune(b)
	}
	return string(runes)
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

func (p *parser) parse(text string) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	headerDone := false
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				p.diags.Errorf(p.file, perr.StartLine, "", "CSV syntax: %v", perr.Err)
				// A broken quote swallows the rest of the file; stop here.
				return
			}
			p.diags.Errorf(p.file, 0, "", "CSV: %v", err)
			return
		}
		line, _ := r.FieldPos(0)
		if isBlank(rec) {
			continue
		}
		if !headerDone {
			headerDone = true
			if !p.readHeader(rec, line) {
				return
			}
			continue
		}
		p.readRow(rec, line)
	}
	if !headerDone {
		p.diags.Errorf(p.file, 0, "", "file has no header row (expected %s,...)", strings.Join(columnNames[:5], ","))
	}
}

func isBlank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (p *parser) readHeader(rec []string, line int) bool {
	for i := range p.cols {
		p.cols[i] = -1
	}
	p.headerWidth = len(rec)
	recognised := 0
	for i, cell := range rec {
		col, ok := headerAliases[normaliseHeader(cell)]
		if !ok {
			if strings.TrimSpace(cell) != "" {
				p.diags.Warnf(p.file, line, strings.TrimSpace(cell), "unknown column, ignored")
			}
			continue
		}
		if p.cols[col] >= 0 {
			p.diags.Errorf(p.file, line, cell, "column %q appears twice (columns %d and %d)", col, p.cols[col]+1, i+1)
			continue
		}
		p.cols[col] = i
		recognised++
	}
	if recognised == 0 {
		p.diags.Errorf(p.file, line, "", "first row is not a header: no known column names (expected %s,...); upstream would have silently used it as the header", strings.Join(columnNames[:5], ","))
		return false
	}
	ok := true
	for _, c := range requiredColumns {
		if p.cols[c] < 0 {
			p.diags.Errorf(p.file, line, c.String(), "required column %q is missing from the header", c)
			ok = false
		}
	}
	p.out.HasSQMColumn = p.cols[ColSQM] >= 0
	p.out.HasIDColumns = p.cols[ColParentNodeID] >= 0 || p.cols[ColAnchorNodeID] >= 0
	return ok
}

// checkLegacyLayout names the usual cause of shifted cells first: a row two
// cells short under a header with Parent Node ID and Anchor Node ID is a row
// of the pre-v1.5 layout, whose every later cell lands one column off.
func (p *parser) checkLegacyLayout(rec []string, line int) {
	if p.cols[ColParentNodeID] < 0 || p.cols[ColAnchorNodeID] < 0 || len(rec) != p.headerWidth-2 {
		return
	}
	if p.legacyRowLine != 0 {
		p.diags.Errorf(p.file, line, "", "header has %d columns, row has %d (pre-v1.5 layout, as on line %d)", p.headerWidth, len(rec), p.legacyRowLine)
		return
	}
	p.legacyRowLine = line
	p.diags.Errorf(p.file, line, "", "header has %d columns, row has %d; this looks like the pre-v1.5 layout without Parent Node ID and Anchor Node ID, so every cell after Parent Node is read one column off. Fix: add two empty cells after Parent Node in each row (...,%s,,,MAC,...), or remove \"Parent Node ID,Anchor Node ID\" from the header", p.headerWidth, len(rec), p.cell(rec, ColParentNode))
}

func (p *parser) cell(rec []string, c Column) string {
	i := p.cols[c]
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (p *parser) readRow(rec []string, line int) {
	p.checkLegacyLayout(rec, line)
	circuitID := p.cell(rec, ColCircuitID)
	if circuitID == "" {
		p.diags.Errorf(p.file, line, ColCircuitID.String(), "Circuit ID is empty")
	}
	dev := &Device{
		ID:      p.cell(rec, ColDeviceID),
		Name:    p.cell(rec, ColDeviceName),
		MAC:     p.cell(rec, ColMAC),
		Comment: p.cell(rec, ColComment),
		Line:    line,
	}
	dev.IPv4 = p.parseIPs(p.cell(rec, ColIPv4), line, ColIPv4, true)
	dev.IPv6 = p.parseIPs(p.cell(rec, ColIPv6), line, ColIPv6, false)
	rates := [4]float64{}
	for i, c := range []Column{ColDownloadMin, ColUploadMin, ColDownloadMax, ColUploadMax} {
		rates[i] = p.parseRate(p.cell(rec, c), line, c)
	}
	if rates[0] > rates[2] && rates[2] > 0 {
		p.diags.Errorf(p.file, line, ColDownloadMin.String(), "download min %v is greater than download max %v", rates[0], rates[2])
	}
	if rates[1] > rates[3] && rates[3] > 0 {
		p.diags.Errorf(p.file, line, ColUploadMin.String(), "upload min %v is greater than upload max %v", rates[1], rates[3])
	}
	var sqm SQM
	if p.out.HasSQMColumn {
		raw := p.cell(rec, ColSQM)
		s, ok := ParseSQM(raw)
		if !ok {
			p.diags.Errorf(p.file, line, ColSQM.String(), "%q is not a valid sqm override (use cake, fq_codel, none, or down/up such as cake/fq_codel)", raw)
		}
		sqm = s
	}
	if dev.ID == "" && len(dev.IPv4)+len(dev.IPv6) > 0 {
		p.diags.Errorf(p.file, line, ColDeviceID.String(), "Device ID is empty but the device has IP addresses")
	}
	if dev.ID != "" {
		if first, dup := p.deviceLine[dev.ID]; dup {
			p.diags.Errorf(p.file, line, ColDeviceID.String(), "duplicate Device ID %q (first on line %d)", dev.ID, first)
		} else {
			p.deviceLine[dev.ID] = line
		}
	}
	if circuitID == "" {
		return
	}
	parent, parentID, anchor := p.cell(rec, ColParentNode), p.cell(rec, ColParentNodeID), p.cell(rec, ColAnchorNodeID)
	c := p.byID[circuitID]
	if c == nil {
		c = &Circuit{
			ID: circuitID, Name: p.cell(rec, ColCircuitName),
			ParentNode: parent, ParentNodeID: parentID, AnchorNodeID: anchor,
			DownloadMin: rates[0], UploadMin: rates[1], DownloadMax: rates[2], UploadMax: rates[3],
			SQM: sqm, Line: line,
		}
		p.byID[circuitID] = c
		p.out.Circuits = append(p.out.Circuits, c)
	} else {
		p.mergeInto(c, line, parent, parentID, anchor, rates, sqm)
	}
	c.Devices = append(c.Devices, dev)
	for _, pf := range dev.IPv4 {
		p.seen = append(p.seen, seenPrefix{pf, c, line, ColIPv4})
	}
	for _, pf := range dev.IPv6 {
		p.seen = append(p.seen, seenPrefix{pf, c, line, ColIPv6})
	}
}

// mergeInto adds a later row's circuit-level fields to a circuit seen before.
func (p *parser) mergeInto(c *Circuit, line int, parent, parentID, anchor string, rates [4]float64, sqm SQM) {
	conflict := func(col Column, first, now string) {
		p.diags.Errorf(p.file, line, col.String(), "circuit %q has %s %q here but %q on line %d; all devices of a circuit must share it", c.ID, col, now, first, c.Line)
	}
	if parent != c.ParentNode {
		conflict(ColParentNode, c.ParentNode, parent)
	}
	if parentID != "" && c.ParentNodeID != "" && parentID != c.ParentNodeID {
		conflict(ColParentNodeID, c.ParentNodeID, parentID)
	}
	if anchor != "" && c.AnchorNodeID != "" && anchor != c.AnchorNodeID {
		conflict(ColAnchorNodeID, c.AnchorNodeID, anchor)
	}
	if c.ParentNodeID == "" {
		c.ParentNodeID = parentID
	}
	if c.AnchorNodeID == "" {
		c.AnchorNodeID = anchor
	}
	if rates != [4]float64{c.DownloadMin, c.UploadMin, c.DownloadMax, c.UploadMax} {
		p.diags.Warnf(p.file, line, "rates", "circuit %q: rates differ from line %d; the first row's rates are used", c.ID, c.Line)
	}
	if !sqm.IsZero() {
		if c.SQM.IsZero() {
			c.SQM = sqm
		} else if sqm != c.SQM {
			p.diags.Warnf(p.file, line, ColSQM.String(), "circuit %q: sqm %q differs from %q; the first is used", c.ID, sqm, c.SQM)
		}
	}
}

func (p *parser) parseRate(s string, line int, col Column) float64 {
	if s == "" {
		p.diags.Errorf(p.file, line, col.String(), "is empty; a rate in Mbps is required")
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.diags.Errorf(p.file, line, col.String(), "%q is not a number", s)
		return 0
	}
	if v < MinRateMbps {
		p.diags.Errorf(p.file, line, col.String(), "%v Mbps is below the minimum of %v Mbps", v, MinRateMbps)
		return 0
	}
	return v
}

// parseIPs reads a comma-separated list of hosts and strict CIDR prefixes.
func (p *parser) parseIPs(cell string, line int, col Column, v4 bool) []netip.Prefix {
	cell = strings.ReplaceAll(cell, " ", "")
	if cell == "" {
		return nil
	}
	var out []netip.Prefix
	for _, entry := range strings.Split(cell, ",") {
		if entry == "" {
			continue
		}
		pf, err := ParsePrefix(entry)
		if err != nil {
			p.diags.Errorf(p.file, line, col.String(), "%q: %v", entry, err)
			continue
		}
		if v4 != pf.Addr().Is4() {
			want := "IPv6"
			if v4 {
				want = "IPv4"
			}
			p.diags.Errorf(p.file, line, col.String(), "%q is not an %s address", entry, want)
			continue
		}
		out = append(out, pf)
	}
	return out
}

// ParsePrefix reads a host address or a CIDR prefix. Hosts become full-length
// prefixes; prefixes with host bits set are refused because the operator
// probably typed the wrong thing.
func ParsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, errors.New("not a valid CIDR prefix")
		}
		if pf.Addr().Zone() != "" {
			return netip.Prefix{}, errors.New("zones are not allowed")
		}
		if pf.Addr().Is4In6() {
			return netip.Prefix{}, errors.New("IPv4-mapped IPv6; write the IPv4 address in the IPv4 column")
		}
		if pf.Masked() != pf {
			return netip.Prefix{}, fmt.Errorf("host bits set (did you mean %s?)", pf.Masked())
		}
		return pf, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, errors.New("not a valid IP address")
	}
	if a.Zone() != "" {
		return netip.Prefix{}, errors.New("zones are not allowed")
	}
	if a.Is4In6() {
		return netip.Prefix{}, errors.New("IPv4-mapped IPv6; write the IPv4 address in the IPv4 column")
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

package sonar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// AP is an access point found in Sonar's inventory, to be asked for its stations.
type AP struct {
	ItemID string
	IP     string // management address
	LTU    bool   // an LTU model (else AirMax)
}

// Stations is what an AP reported.
type Stations struct {
	Name string   // sysName; "" when unknown
	MACs []string // associated station MACs
}

// Discoverer asks an AP which stations are associated with it. Tests fake it;
// SNMPWalk is the real one.
type Discoverer interface {
	Stations(ctx context.Context, ap AP) (Stations, error)
}

// Station table OIDs (Ubiquiti MIBs) and sysName.
const (
	OIDAirMaxStations = ".1.3.6.1.4.1.41112.1.4.7.1.1.1"
	OIDLTUStations    = ".1.3.6.1.4.1.41112.1.10.1.4.1.11"
	OIDSysName        = ".1.3.6.1.2.1.1.5.0"
)

// SNMPWalk runs the net-snmp snmpwalk tool (SNMP v1).
type SNMPWalk struct {
	Path      string // "" = snmpwalk from PATH
	Community string
	Timeout   time.Duration // per walk; 0 = 10 s
}

func (s SNMPWalk) path() string {
	if s.Path != "" {
		return s.Path
	}
	return "snmpwalk"
}

// Check reports whether the tool can be run.
func (s SNMPWalk) Check() error {
	if _, err := exec.LookPath(s.path()); err != nil {
		return fmt.Errorf("SNMP AP discovery needs %s (package snmp); install it or set sonar_integration.snmp_discovery = false: %w", s.path(), err)
	}
	return nil
}

func (s SNMPWalk) walk(ctx context.Context, ip, oid string) (string, error) {
	t := s.Timeout
	if t <= 0 {
		t = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, s.path(), "-v1", "-c", s.Community, "-t", "2", "-r", "1", ip, oid)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(strings.ReplaceAll(msg, s.Community, "[redacted]"))
	}
	return out.String(), nil
}

// Stations implements Discoverer.
func (s SNMPWalk) Stations(ctx context.Context, ap AP) (Stations, error) {
	oid := OIDAirMaxStations
	if ap.LTU {
		oid = OIDLTUStations
	}
	out, err := s.walk(ctx, ap.IP, oid)
	if err != nil {
		return Stations{}, err
	}
	st := Stations{MACs: ParseStationMACs(out)}
	if name, err := s.walk(ctx, ap.IP, OIDSysName); err == nil {
		st.Name = parseSysName(name)
	}
	return st, nil
}

// ParseStationMACs reads snmpwalk output: per line, the text after the first
// ':' is the value; a Hex-STRING "00 11 22 33 44 55" becomes 00:11:22:33:44:55.
func ParseStationMACs(out string) []string {
	var macs []string
	for _, line := range strings.Split(out, "\n") {
		_, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" || strings.HasPrefix(v, "No Such") || strings.Contains(v, "No more variables") {
			continue
		}
		if m := NormalizeMAC(strings.Join(strings.Fields(strings.Trim(v, `"`)), ":")); m != "" {
			macs = append(macs, m)
		}
	}
	return macs
}

func parseSysName(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	_, v, ok := strings.Cut(line, ":")
	if !ok {
		return ""
	}
	return strings.Trim(strings.TrimSpace(v), `"`)
}

// NormalizeMAC returns aa:bb:cc:dd:ee:ff for any common spelling
// (colons, dashes, dots, spaces, no separators; any case), or "".
func NormalizeMAC(s string) string {
	var hex []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			hex = append(hex, c)
		case c >= 'A' && c <= 'F':
			hex = append(hex, c+'a'-'A')
		case c == ':' || c == '-' || c == '.' || c == ' ':
		default:
			return ""
		}
	}
	if len(hex) != 12 {
		return ""
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.Write(hex[i : i+2])
	}
	return b.String()
}

// Package radius turns RADIUS accounting into dynamic circuits: a listener
// that accepts Accounting-Requests only from configured clients with a
// valid authenticator, the sessions they describe, and the circuits those
// sessions become when they are overlaid on ShapedDevices.csv.
package radius

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/rfc3162"
	"layeh.com/radius/rfc4818"
	"layeh.com/radius/vendors/mikrotik"
	"layeh.com/radius/vendors/wispr"
)

// Kind is what an accounting request reports.
type Kind int

const (
	Start Kind = iota + 1
	Interim
	Stop
	// AccountingOn/Off: the NAS (re)started or is shutting down; every
	// session it reported before is gone.
	AccountingOn
	AccountingOff
)

func (k Kind) String() string {
	switch k {
	case Start:
		return "start"
	case Interim:
		return "interim-update"
	case Stop:
		return "stop"
	case AccountingOn:
		return "accounting-on"
	case AccountingOff:
		return "accounting-off"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Rates are a session's plan as the NAS sent it, in Mbps.
type Rates struct {
	DownloadMbps float64 `json:"download_mbps"`
	UploadMbps   float64 `json:"upload_mbps"`
}

// Event is one decoded Accounting-Request.
type Event struct {
	Kind      Kind
	Client    string // the configured client it came from
	NAS       string // NAS-Identifier, else NAS-IP-Address, else the client name
	SessionID string // Acct-Session-Id
	Username  string // User-Name, verbatim
	// MAC is Calling-Station-Id normalised to aa:bb:cc:dd:ee:ff ("" when
	// it is not a MAC address).
	MAC   string
	Addrs []netip.Prefix // Framed-IP-Address, Framed-IPv6-Prefix, Delegated-IPv6-Prefix
	Rates *Rates         // from rate attributes; nil when the packet has none
	// Interim is Acct-Interim-Interval (0 = not sent).
	Interim time.Duration
}

// ErrNotAccounting: the packet is not an Accounting-Request.
var ErrNotAccounting = errors.New("not an Accounting-Request")

// ParseEvent decodes an authenticated Accounting-Request.
func ParseEvent(p *radius.Packet, client string) (Event, error) {
	if p.Code != radius.CodeAccountingRequest {
		return Event{}, fmt.Errorf("%w (code %v)", ErrNotAccounting, p.Code)
	}
	ev := Event{Client: client, SessionID: rfc2866.AcctSessionID_GetString(p), Username: rfc2865.UserName_GetString(p)}
	switch st := rfc2866.AcctStatusType_Get(p); st {
	case rfc2866.AcctStatusType_Value_Start:
		ev.Kind = Start
	case rfc2866.AcctStatusType_Value_InterimUpdate:
		ev.Kind = Interim
	case rfc2866.AcctStatusType_Value_Stop:
		ev.Kind = Stop
	case rfc2866.AcctStatusType_Value_AccountingOn:
		ev.Kind = AccountingOn
	case rfc2866.AcctStatusType_Value_AccountingOff:
		ev.Kind = AccountingOff
	default:
		return Event{}, fmt.Errorf("Acct-Status-Type %d not handled", st)
	}
	ev.NAS = rfc2865.NASIdentifier_GetString(p)
	if ev.NAS == "" {
		if ip := rfc2865.NASIPAddress_Get(p); ip != nil {
			ev.NAS = ip.String()
		} else {
			ev.NAS = client
		}
	}
	if ev.Kind == AccountingOn || ev.Kind == AccountingOff {
		return ev, nil
	}
	if ev.SessionID == "" {
		return Event{}, errors.New("Acct-Session-Id missing")
	}
	ev.MAC = NormalizeMAC(rfc2865.CallingStationID_GetString(p))
	if ip := rfc2865.FramedIPAddress_Get(p); ip != nil {
		if a, ok := netip.AddrFromSlice(ip); ok && !a.IsUnspecified() {
			a = a.Unmap()
			ev.Addrs = append(ev.Addrs, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	for _, n := range []*net.IPNet{rfc3162.FramedIPv6Prefix_Get(p), rfc4818.DelegatedIPv6Prefix_Get(p)} {
		if n == nil {
			continue
		}
		if pf, ok := ipNetPrefix(n); ok {
			ev.Addrs = append(ev.Addrs, pf)
		}
	}
	if secs := rfc2869.AcctInterimInterval_Get(p); secs > 0 {
		ev.Interim = time.Duration(secs) * time.Second
	}
	r, err := packetRates(p)
	if err != nil {
		return Event{}, err
	}
	ev.Rates = r
	return ev, nil
}

func ipNetPrefix(n *net.IPNet) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	if a.Is4In6() {
		a = a.Unmap()
		ones -= 96
	}
	if ones < 0 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, ones).Masked(), true
}

// packetRates reads the rate attributes: Mikrotik-Rate-Limit first, then
// WISPr-Bandwidth-Max-Down/Up. Both directions are needed.
func packetRates(p *radius.Packet) (*Rates, error) {
	if s := mikrotik.MikrotikRateLimit_GetString(p); s != "" {
		r, err := ParseMikrotikRateLimit(s)
		if err != nil {
			return nil, fmt.Errorf("Mikrotik-Rate-Limit: %w", err)
		}
		return r, nil
	}
	down, up := wispr.WISPrBandwidthMaxDown_Get(p), wispr.WISPrBandwidthMaxUp_Get(p)
	if down > 0 && up > 0 {
		return &Rates{DownloadMbps: float64(down) / 1e6, UploadMbps: float64(up) / 1e6}, nil
	}
	return nil, nil
}

// ParseMikrotikRateLimit reads the first pair of "rx/tx [burst ...]". The
// names are the router's view: rx is what it receives from the subscriber
// (upload), tx what it sends (download). A single value is both.
func ParseMikrotikRateLimit(s string) (*Rates, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	rx, tx, found := strings.Cut(first, "/")
	if !found {
		tx = rx
	}
	up, err := parseBits(rx)
	if err != nil {
		return nil, fmt.Errorf("%q: rx: %w", s, err)
	}
	down, err := parseBits(tx)
	if err != nil {
		return nil, fmt.Errorf("%q: tx: %w", s, err)
	}
	if up <= 0 || down <= 0 {
		return nil, fmt.Errorf("%q: rates must be greater than 0", s)
	}
	return &Rates{DownloadMbps: down / 1e6, UploadMbps: up / 1e6}, nil
}

// parseBits reads 512k, 10M, 1G or a plain number of bits per second.
func parseBits(s string) (float64, error) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult, s = 1e6, s[:len(s)-1]
	case strings.HasSuffix(s, "G"), strings.HasSuffix(s, "g"):
		mult, s = 1e9, s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a rate", s)
	}
	return v * mult, nil
}

// NormalizeMAC returns a MAC in lower-case colon form, or "" when s is not
// one (accepts aa:bb.., aa-bb.., aabb.ccdd.eeff and aabbccddeeff).
func NormalizeMAC(s string) string {
	s = strings.TrimSpace(s)
	if hw, err := net.ParseMAC(s); err == nil && len(hw) == 6 {
		return hw.String()
	}
	if len(s) == 12 {
		if hw, err := net.ParseMAC(s[0:4] + "." + s[4:8] + "." + s[8:12]); err == nil && len(hw) == 6 {
			return hw.String()
		}
	}
	return ""
}

package graph

import (
	"fmt"
	"math"
	"strings"

	"github.com/libreqos-go/lqos/internal/config"
)

// Compile modes.
const (
	ModeFlat   = "flat"
	ModeAPOnly = "ap_only"
	ModeAPSite = "ap_site"
	ModeFull   = "full"
)

// Suspended-subscriber strategies.
const (
	// SuspendNone shapes suspended subscribers at their plan rates.
	SuspendNone = "none"
	// SuspendIgnore leaves suspended subscribers out of ShapedDevices.csv.
	SuspendIgnore = "ignore"
	// SuspendSlow shapes them at Options.SlowMbps (default DefaultSlowMbps).
	SuspendSlow = "slow"
	// SuspendBlock shapes them at BlockMbps, the smallest rate the shaper accepts.
	SuspendBlock = "block"
)

// DefaultSlowMbps is the "slow" rate: enough for a payment/captive portal page.
// There is no lqos.conf key for it yet.
const DefaultSlowMbps = 0.256

// BlockMbps is the "block" rate: the minimum rate ShapedDevices.csv accepts.
const BlockMbps = 0.1

// Options controls Compile. OptionsFromConfig fills it from lqos.conf.
type Options struct {
	Source string // integration name, for messages
	Mode   string // flat, ap_only, ap_site, full

	ExcludeSites  []string // node names dropped with their subtree
	PromoteToRoot []string // node names moved to the top level
	ExceptionCPEs []config.ExceptionCPE
	Filter        *IPFilter

	CircuitNameAsAddress bool

	Suspended string  // none, ignore, slow, block
	SlowMbps  float64 // rate for "slow"

	// Default node capacity (queues.generated_pn_*_mbps).
	DefaultDownloadMbps, DefaultUploadMbps float64
	// Caps for top-level nodes: download by queues.downlink_bandwidth_mbps,
	// upload by queues.uplink_bandwidth_mbps (upstream used the uplink for both).
	CapDownloadMbps, CapUploadMbps float64
}

// NormalizeMode maps a configured compile mode to one this package knows.
// "full2" is an alias of "full"; "" yields def.
func NormalizeMode(mode, def string) (string, error) {
	m := strings.ToLower(strings.TrimSpace(mode))
	switch m {
	case "":
		return def, nil
	case "full2":
		return ModeFull, nil
	case ModeFlat, ModeAPOnly, ModeAPSite, ModeFull:
		return m, nil
	}
	return "", fmt.Errorf("unknown compile mode %q (use flat, ap_only, ap_site or full)", mode)
}

// NormalizeSuspended maps a configured suspended strategy; "" means none.
func NormalizeSuspended(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", SuspendNone:
		return SuspendNone, nil
	case SuspendIgnore, SuspendSlow, SuspendBlock:
		return v, nil
	}
	return "", fmt.Errorf("uisp_integration.suspended_strategy: unknown value %q (use none, ignore, slow or block)", s)
}

// OptionsFromConfig builds the shared options. mode is the already resolved
// compile mode. The shared keys live where upstream keeps them: exclude_sites,
// exception_cpes and suspended_strategy in [uisp_integration] (upstream's
// Python integrations read them from there as well).
//
// Addresses are pruned by ip_ranges.ignore_subnets for every integration;
// ip_ranges.allow_subnets is enforced for UISP only, as upstream does (with
// the stock allow list, enforcing it everywhere would drop every public-IP
// subscriber of a billing import).
func OptionsFromConfig(cfg *config.Config, source, mode string) (Options, error) {
	var allow []string
	if strings.EqualFold(source, "UISP") {
		allow = cfg.IPRanges.AllowSubnets
	}
	f, err := NewIPFilter(allow, cfg.IPRanges.IgnoreSubnets)
	if err != nil {
		return Options{}, err
	}
	susp, err := NormalizeSuspended(cfg.UISP.SuspendedStrategy)
	if err != nil {
		return Options{}, err
	}
	return Options{
		Source:               source,
		Mode:                 mode,
		ExcludeSites:         cfg.UISP.ExcludeSites,
		PromoteToRoot:        cfg.IntegrationCommon.PromoteToRoot,
		ExceptionCPEs:        cfg.UISP.ExceptionCPEs,
		Filter:               f,
		CircuitNameAsAddress: cfg.IntegrationCommon.CircuitNameAsAddress,
		Suspended:            susp,
		SlowMbps:             DefaultSlowMbps,
		DefaultDownloadMbps:  float64(cfg.Queues.GeneratedPNDownloadMbps),
		DefaultUploadMbps:    float64(cfg.Queues.GeneratedPNUploadMbps),
		CapDownloadMbps:      float64(cfg.Queues.DownlinkBandwidthMbps),
		CapUploadMbps:        float64(cfg.Queues.UplinkBandwidthMbps),
	}, nil
}

// RatePolicy is the shared plan-rate formula of the billing integrations
// (Splynx, Netzur, VISP): max = max(plan × overhead, plan × client
// multiplier), min = max × commit. Upstream hard-coded the commit as 0.98; we
// use uisp_integration.commit_bandwidth_multiplier (whose default is 0.98).
type RatePolicy struct {
	Overhead         float64 // uisp_integration.bandwidth_overhead_factor
	ClientMultiplier float64 // integration_common.client_bandwidth_multiplier
	Commit           float64 // uisp_integration.commit_bandwidth_multiplier
	Floor            float64 // smallest rate written; 1.0 as upstream
}

// RatePolicyFromConfig reads the three factors; zero or negative values fall back to 1.
func RatePolicyFromConfig(cfg *config.Config) RatePolicy {
	pos := func(v float64) float64 {
		if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return 1
		}
		return v
	}
	commit := pos(cfg.UISP.CommitBandwidthMultiplier)
	if commit > 1 {
		commit = 1
	}
	return RatePolicy{
		Overhead:         pos(cfg.UISP.BandwidthOverheadFactor),
		ClientMultiplier: pos(cfg.IntegrationCommon.ClientBandwidthMultiplier),
		Commit:           commit,
		Floor:            1,
	}
}

// Plan turns plan rates (Mbps) into circuit rates.
func (p RatePolicy) Plan(down, up float64) Rates {
	one := func(plan float64) (lo, hi float64) {
		if plan <= 0 || math.IsNaN(plan) || math.IsInf(plan, 0) {
			plan = 0
		}
		eff := math.Max(plan*p.Overhead, plan*p.ClientMultiplier)
		hi = math.Max(p.Floor, Round2(eff))
		lo = math.Max(p.Floor, Round2(hi*p.Commit))
		return lo, hi
	}
	var r Rates
	r.DownloadMin, r.DownloadMax = one(down)
	r.UploadMin, r.UploadMax = one(up)
	return r
}

// Round2 rounds to two decimals.
func Round2(v float64) float64 { return math.Round(v*100) / 100 }

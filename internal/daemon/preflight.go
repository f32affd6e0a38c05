package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Finding codes: each is also the urgent issue code raised for it, so the
// operator sees the same word in the journal, `lqos status` and the UI.
const (
	CodeInterfaceMissing = "LQOSD_INTERFACE_MISSING"
	CodeInterfaceDown    = "LQOSD_INTERFACE_DOWN"
	CodeSingleQueue      = "LQOSD_INTERFACE_SINGLE_QUEUE"
	CodeBPFFSMounted     = "LQOSD_BPFFS_MOUNTED"
	CodeQdiscMissing     = "LQOSD_QDISC_MISSING"
	CodeShapingDisabled  = "LQOSD_SHAPING_DISABLED"
	CodeStartupApply     = "LQOSD_STARTUP_APPLY_FAILED"
	CodeConfigWarning    = "LQOSD_CONFIG_WARNING"
	// CodeFeatureMissing: the kernel lacks an optional data path feature
	// and lqosd runs the variant that does without (subject: the feature,
	// or feature:interface).
	CodeFeatureMissing = "LQOSD_FEATURE_MISSING"
)

// A finding's severity is the severity of the urgent issue it is raised as
// (info findings are only logged): one type, urgent.Severity, with the names
// the preflight checks use.
const (
	SevInfo = urgent.Info
	SevWarn = urgent.Warning
	// SevDegraded: lqosd keeps running but cannot do part of its job.
	SevDegraded = urgent.Error
)

// Finding is one preflight result worth telling the operator about.
type Finding struct {
	Code     string
	Severity urgent.Severity
	Message  string
	// Interface or qdisc kind concerned, if any.
	Subject string
}

// Preflight is the outcome of the checks that run before the data path is
// loaded.
type Preflight struct {
	Findings []Finding
	// MissingIfaces: interfaces that do not exist (data path not attached).
	MissingIfaces []string
	// Qdiscs: kind -> available, for the kinds the configuration needs.
	Qdiscs map[string]bool
}

func (p *Preflight) add(f Finding) { p.Findings = append(p.Findings, f) }

// Has reports whether a finding with code exists.
func (p *Preflight) Has(code string) bool {
	return slices.ContainsFunc(p.Findings, func(f Finding) bool { return f.Code == code })
}

// Log writes every finding at a level matching its severity.
func (p *Preflight) Log(log *slog.Logger) {
	for _, f := range p.Findings {
		lvl := slog.LevelInfo
		switch f.Severity {
		case SevWarn:
			lvl = slog.LevelWarn
		case SevDegraded:
			lvl = slog.LevelError
		}
		log.Log(context.Background(), lvl, f.Message, "code", f.Code, "subject", f.Subject)
	}
	if len(p.Findings) == 0 {
		log.Info("preflight checks passed")
	}
}

// shapingInterfaces lists the interfaces the configuration shapes on.
func shapingInterfaces(cfg *config.Config) []string {
	if cfg.Bridge != nil {
		return []string{cfg.Bridge.ToInternet, cfg.Bridge.ToNetwork}
	}
	return []string{cfg.SingleInterface.Interface}
}

// checkInterfaces looks up every shaping interface in the current network
// namespace: missing is degraded (nothing to attach to), down and single TX
// queue are warnings (XDP attaches to a down link; one queue works, but all
// shaping then runs on one CPU).
func checkInterfaces(p *Preflight, ifaces []string) {
	for _, name := range ifaces {
		l, err := netlink.LinkByName(name)
		if err != nil {
			p.MissingIfaces = append(p.MissingIfaces, name)
			p.add(Finding{Code: CodeInterfaceMissing, Severity: SevDegraded, Subject: name,
				Message: fmt.Sprintf("interface %q does not exist (check bridge.to_internet / bridge.to_network or single_interface.interface in the config); shaping is disabled until it exists (lqosd attaches as soon as it appears)", name)})
			continue
		}
		a := l.Attrs()
		if a.Flags&unix.IFF_UP == 0 || a.OperState == netlink.OperDown {
			p.add(Finding{Code: CodeInterfaceDown, Severity: SevWarn, Subject: name,
				Message: fmt.Sprintf("interface %q is down (admin %s, oper %s); lqosd attaches anyway, traffic flows once it is up (`ip link set %s up`)", name, upDown(a.Flags&unix.IFF_UP != 0), a.OperState, name)})
		}
		if a.NumTxQueues <= 1 {
			p.add(Finding{Code: CodeSingleQueue, Severity: SevWarn, Subject: name,
				Message: fmt.Sprintf("interface %q has %d TX queue(s); LibreQoS spreads shaping over one queue per CPU, so all shaping will run on one CPU (use a multi-queue NIC or driver setting)", name, a.NumTxQueues)})
		}
	}
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// bpffsMagic is BPF_FS_MAGIC from linux/magic.h.
const bpffsMagic = 0xcafe4a11

func isBPFFS(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && uint32(st.Type) == bpffsMagic
}

// ensureBPFFS makes sure root is a bpffs mount, mounting one there if not
// (systemd distributions mount /sys/fs/bpf; minimal systems and containers
// often do not). It returns whether it mounted.
func ensureBPFFS(root string) (mounted bool, err error) {
	if isBPFFS(root) {
		return false, nil
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return false, fmt.Errorf("bpffs: create mount point %s: %w", root, err)
	}
	if err := unix.Mount("bpf", root, "bpf", 0, "mode=0700"); err != nil {
		return false, fmt.Errorf("bpffs: %s is not a bpf filesystem and mounting one there failed: %w (mount it with `mount -t bpf bpf %s`)", root, err, root)
	}
	if !isBPFFS(root) {
		return true, fmt.Errorf("bpffs: mounted bpf at %s but it does not report as bpffs", root)
	}
	return true, nil
}

// checkPinDir makes sure the pin directory is inside a bpffs.
func checkPinDir(pinDir string) error {
	if err := os.MkdirAll(pinDir, 0o700); err != nil {
		return fmt.Errorf("pin directory %s: %w", pinDir, err)
	}
	if !isBPFFS(pinDir) {
		return fmt.Errorf("pin directory %s is not on a bpf filesystem (pass --bpffs with the mount point that contains it)", pinDir)
	}
	return nil
}

// neededQdiscs and probeQdiscs are shared with the scheduler and libreqos
// (package shaper), so every applier falls back the same way.
func neededQdiscs(cfg *config.Config) []string { return shaper.NeededQdiscs(cfg) }

func probeQdiscs(kinds []string) (map[string]bool, error) { return shaper.ProbeQdiscs(kinds) }

// checkQdiscs probes the needed kinds and records findings.
func checkQdiscs(p *Preflight, cfg *config.Config, refuse bool) error {
	kinds := neededQdiscs(cfg)
	have, err := probeQdiscs(kinds)
	if err != nil {
		return err
	}
	p.Qdiscs = have
	for _, k := range kinds {
		if have[k] {
			continue
		}
		msg := fmt.Sprintf("the kernel has no %q qdisc (sch_%s)", k, k)
		sev := SevDegraded
		switch {
		case k == "mq" || k == "htb":
			msg += "; queues cannot be built, so lqosd will not apply shaping plans (mappings and statistics still work)"
		case refuse:
			msg += "; --missing-qdisc=refuse: lqosd will not apply shaping plans until the kernel has it"
		default:
			sev = SevWarn
			msg += fmt.Sprintf("; circuits that would use %s get a bfifo leaf holding 30 ms at their ceil instead (HTB still enforces every rate, without per-flow fairness)", k)
		}
		p.add(Finding{Code: CodeQdiscMissing, Severity: sev, Subject: k, Message: msg})
	}
	return nil
}

// pinDirUnder joins the default pin directory name to a bpffs root.
func pinDirUnder(root string) string { return filepath.Join(root, "lqos") }

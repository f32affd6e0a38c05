package shaper

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// What happens when the kernel lacks a leaf qdisc kind the configuration
// asks for is decided here, so lqosd, the scheduler and libreqos (which
// apply without lqosd while it is away) behave the same.

// Missing-qdisc policies.
const (
	// MissingFallback applies plans with a pfifo leaf in place of a missing
	// leaf kind: HTB still enforces every rate.
	MissingFallback = "fallback"
	// MissingRefuse refuses plans while a needed kind is missing.
	MissingRefuse = "refuse"
)

// NeededQdiscs returns the qdisc kinds the configuration uses: the tree
// (mq, htb), the default leaf and fq_codel (picked for fast circuits).
func NeededQdiscs(cfg *config.Config) []string {
	kinds := []string{"mq", "htb"}
	if f := strings.Fields(cfg.Queues.DefaultSQM); len(f) > 0 && f[0] != "none" {
		kinds = append(kinds, f[0])
	}
	kinds = append(kinds, "fq_codel")
	slices.Sort(kinds)
	return slices.Compact(kinds)
}

// ProbeQdiscs reports which kinds the kernel knows, by adding each as the
// root qdisc of the loopback device of a throwaway network namespace (so no
// real interface is touched). The kernel answers ENOENT ("Specified qdisc
// kind is unknown") for a missing kind; any other answer (even EINVAL for
// missing options) means the kind exists.
func ProbeQdiscs(kinds []string) (map[string]bool, error) {
	type result struct {
		m   map[string]bool
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// The thread is left locked on purpose: it ends with the goroutine
		// instead of returning to the pool inside the scratch namespace.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ch <- result{err: fmt.Errorf("qdisc probe: new network namespace: %w", err)}
			return
		}
		h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
		if err != nil {
			ch <- result{err: fmt.Errorf("qdisc probe: netlink: %w", err)}
			return
		}
		defer h.Close()
		lo, err := h.LinkByName("lo")
		if err != nil {
			ch <- result{err: fmt.Errorf("qdisc probe: loopback: %w", err)}
			return
		}
		out := map[string]bool{}
		for _, k := range kinds {
			q := &netlink.GenericQdisc{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: lo.Attrs().Index, Parent: netlink.HANDLE_ROOT, Handle: netlink.MakeHandle(0x7ff0, 0)}, QdiscType: k}
			var err error
			if k == "htb" {
				err = h.QdiscReplace(netlink.NewHtb(q.QdiscAttrs))
			} else {
				err = h.QdiscReplace(q)
			}
			out[k] = !errors.Is(err, unix.ENOENT)
			if err == nil {
				_ = h.QdiscDel(q)
			}
		}
		ch <- result{m: out}
	}()
	r := <-ch
	return r.m, r.err
}

// QdiscRefusal says why plans must not be applied with the kinds the kernel
// has (have from ProbeQdiscs; nil = unknown, assume present), "" when they
// may be.
func QdiscRefusal(have map[string]bool, policy string) string {
	if have == nil {
		return ""
	}
	for _, k := range []string{"mq", "htb"} {
		if ok, probed := have[k]; probed && !ok {
			return fmt.Sprintf("kernel lacks the %s qdisc", k)
		}
	}
	if policy == MissingRefuse {
		kinds := make([]string, 0, len(have))
		for k := range have {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			if !have[k] {
				return fmt.Sprintf("kernel lacks the %s qdisc and --missing-qdisc=refuse", k)
			}
		}
	}
	return ""
}

// FallbackConfig is the configuration handed to the planner: with the
// fallback policy, leaves of kinds the kernel lacks become bounded bfifos
// (plan.FallbackLeaf), whether they come from default_sqm, the fast-queue
// rule or a circuit's sqm column. The notes say what was replaced.
func FallbackConfig(cfg *config.Config, have map[string]bool, policy string) (*config.Config, []string) {
	if have == nil || policy != MissingFallback {
		return cfg, nil
	}
	var missing []string
	for _, k := range []string{"cake", "fq_codel"} {
		if ok, probed := have[k]; probed && !ok {
			missing = append(missing, k)
		}
	}
	if f := strings.Fields(cfg.Queues.DefaultSQM); len(f) > 0 && !slices.Contains(missing, f[0]) {
		if ok, probed := have[f[0]]; probed && !ok {
			missing = append(missing, f[0])
		}
	}
	if len(missing) == 0 {
		return cfg, nil
	}
	c := *cfg
	c.Queues.MissingLeafKinds = missing
	note := fmt.Sprintf("leaf qdiscs %s replaced by bfifo (kernel lacks sch_%s): each holds %v at its class's ceil, at least %d full frames; HTB still enforces every rate, without per-flow fairness",
		strings.Join(missing, ", "), strings.Join(missing, ", sch_"), plan.FallbackQueueDelay, plan.FallbackMinFrames)
	return &c, []string{note}
}

// ProbedConfig probes the kinds cfg needs and applies the policy: the
// configuration to plan with and its notes, or an error when plans must be
// refused. A failed probe assumes the kinds exist (as lqosd does).
func ProbedConfig(cfg *config.Config, policy string) (*config.Config, []string, error) {
	have, err := ProbeQdiscs(NeededQdiscs(cfg))
	if err != nil {
		return cfg, []string{fmt.Sprintf("could not probe qdisc kinds (%v); assuming they exist", err)}, nil
	}
	if why := QdiscRefusal(have, policy); why != "" {
		return nil, nil, fmt.Errorf("not applying: %s", why)
	}
	c, notes := FallbackConfig(cfg, have, policy)
	return c, notes, nil
}

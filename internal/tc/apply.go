package tc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// Options tune Apply.
type Options struct {
	// Logger receives one line per phase (and per op at debug level); nil = slog.Default().
	Logger *slog.Logger
	// NoRollback leaves a partially applied tree in place on failure.
	NoRollback bool
	// DryRun plans the requests without sending them.
	DryRun bool
	// MemoryWarnOnly downgrades a failed memory preflight to a warning
	// (lazy queues: most leaf qdiscs will not exist at once).
	MemoryWarnOnly bool
	// MemInfoPath is read for the memory preflight; "" = /proc/meminfo.
	// An unreadable file skips the memory check (as upstream does).
	MemInfoPath string
}

// Result reports what Apply did.
type Result struct {
	Planned    []Op          // requests planned against the live dump
	Done       int           // requests that succeeded
	RolledBack bool          // a failure was undone
	Rebuilds   []string      // root or per-queue qdiscs rebuilt, with the reason
	Before     *Live         // the dump taken before applying
	DumpTime   time.Duration // time to read the live tree
	ApplyTime  time.Duration // time spent sending requests
}

// ApplyError names the object the kernel refused.
type ApplyError struct {
	Op  Op
	Err error
}

func (e *ApplyError) Error() string {
	verb := map[OpKind]string{
		OpReplaceRoot: "add root", OpDeleteRoot: "delete root", OpReplaceQdisc: "add qdisc",
		OpDeleteClass: "delete class", OpAddClass: "add class", OpChangeClass: "change class",
		OpReplaceLeaf: "add leaf", OpDeleteLeaf: "delete leaf", OpParkQueue: "park queue",
	}[e.Op.Kind]
	what := verb
	if e.Op.QdiscKind != "" && e.Op.Kind != OpDeleteClass && e.Op.Kind != OpAddClass && e.Op.Kind != OpChangeClass {
		what += " " + e.Op.QdiscKind
	}
	msg := fmt.Sprintf("%s: %s: %v", e.Op.Owner, what, e.Err)
	creates := e.Op.Kind == OpReplaceLeaf || e.Op.Kind == OpReplaceQdisc || e.Op.Kind == OpReplaceRoot
	text := strings.ToLower(e.Err.Error())
	if creates && errors.Is(e.Err, unix.ENOENT) && (strings.Contains(text, "kind is unknown") || !strings.Contains(text, ": ")) {
		msg += fmt.Sprintf(" (kernel lacks sch_%s)", e.Op.QdiscKind)
	}
	return msg
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply makes the kernel tree on the plan's interfaces equal to the plan,
// sending only the requests needed (none when they already agree). The live
// tree is dumped first; if any request fails the dump is restored, so the
// previously applied tree stays in place, and the error names the object.
func Apply(ctx context.Context, h *Handle, t *plan.Tree, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	want, err := fromTree(t)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	start := time.Now()
	before, err := Dump(h, want.ifaces)
	if err != nil {
		return nil, fmt.Errorf("tc apply: read live tree: %w", err)
	}
	res.Before, res.DumpTime = before, time.Since(start)
	res.Planned = diff(before, want)
	log.Info("tc apply planned", "interfaces", want.ifaces, "requests", len(res.Planned), "dump", res.DumpTime)
	if len(res.Planned) == 0 {
		return res, nil
	}
	for _, o := range res.Planned {
		switch o.Kind {
		case OpReplaceRoot, OpDeleteRoot, OpReplaceQdisc, OpParkQueue:
			// Everything under this qdisc is rebuilt; say why.
			res.Rebuilds = append(res.Rebuilds, o.String())
		}
	}
	if len(res.Rebuilds) > 0 {
		log.Warn("tc apply: rebuilding queues that cannot change live", "why", res.Rebuilds)
	}
	memPath := opts.MemInfoPath
	if memPath == "" {
		memPath = "/proc/meminfo"
	}
	var mem *MemInfo
	if m, err := ReadMemInfo(memPath); err == nil {
		mem = &m
	} else {
		log.Warn("tc apply: memory preflight skipped", "err", err)
	}
	if err := preflight(want, res.Planned, mem); err != nil {
		var pe *PreflightError
		if !(opts.MemoryWarnOnly && errors.As(err, &pe) && pe.Code == "TC_MEMORY") {
			return res, err
		}
		log.Warn("tc apply: memory preflight failed; continuing (lazy queues)", "err", err)
	}
	if opts.DryRun {
		return res, nil
	}
	start = time.Now()
	res.Done, err = h.runBatched(ctx, res.Planned, log)
	res.ApplyTime = time.Since(start)
	if err == nil {
		log.Info("tc apply done", "requests", res.Done, "took", res.ApplyTime)
		return res, nil
	}
	if opts.NoRollback {
		return res, err
	}
	log.Warn("tc apply failed; restoring the previous tree", "err", err, "done", res.Done)
	if rerr := Restore(context.WithoutCancel(ctx), h, before, log); rerr != nil {
		return res, errors.Join(err, fmt.Errorf("tc apply: roll-back failed, tree is partial: %w", rerr))
	}
	res.RolledBack = true
	return res, err
}

// Restore makes the live tree equal to an earlier dump.
func Restore(ctx context.Context, h *Handle, snapshot *Live, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	now, err := Dump(h, snapshot.Interfaces)
	if err != nil {
		return err
	}
	ops := diff(now, fromLive(snapshot))
	_, err = h.runBatched(ctx, ops, log)
	return err
}

// runBatched sends ops many to a sendmsg (see sendBatch). On a refusal the
// requests after the refused one in its batch may have been applied as well,
// so callers restore from a dump rather than undo a prefix.
// At debug level requests go one at a time, so each logged request is the
// one the kernel is handling (and a refusal names exactly what went before).
func (h *Handle) runBatched(ctx context.Context, ops []Op, log *slog.Logger) (int, error) {
	if log.Enabled(ctx, slog.LevelDebug) {
		return h.run(ctx, ops, log)
	}
	idx := map[string]int{}
	const chunk = 4096 // requests built at a time; also where a cancel is noticed
	reqs := make([]*nl.NetlinkRequest, 0, min(chunk, len(ops)))
	for start := 0; start < len(ops); start += chunk {
		if err := ctx.Err(); err != nil {
			return start, fmt.Errorf("tc apply: stopped after %d of %d requests: %w", start, len(ops), err)
		}
		end := min(start+chunk, len(ops))
		reqs = reqs[:0]
		for i := start; i < end; i++ {
			o := &ops[i]
			ifi, ok := idx[o.Interface]
			if !ok {
				var err error
				if ifi, err = h.ifindex(o.Interface); err != nil {
					return i, &ApplyError{Op: *o, Err: err}
				}
				idx[o.Interface] = ifi
			}
			req, err := opMessage(o, ifi)
			if err != nil {
				return i, &ApplyError{Op: *o, Err: err}
			}
			reqs = append(reqs, req)
		}
		n, err := h.sendBatch(reqs)
		if err != nil {
			return start + n, &ApplyError{Op: ops[start+n], Err: err}
		}
	}
	return len(ops), nil
}

func (h *Handle) run(ctx context.Context, ops []Op, log *slog.Logger) (int, error) {
	idx := map[string]int{}
	debug := log.Enabled(ctx, slog.LevelDebug)
	for i := range ops {
		o := &ops[i]
		if err := ctx.Err(); err != nil {
			return i, fmt.Errorf("tc apply: stopped after %d of %d requests: %w", i, len(ops), err)
		}
		ifi, ok := idx[o.Interface]
		if !ok {
			var err error
			if ifi, err = h.ifindex(o.Interface); err != nil {
				return i, &ApplyError{Op: *o, Err: err}
			}
			idx[o.Interface] = ifi
		}
		if debug {
			log.Debug("tc request", "op", o.String())
		}
		if err := h.exec(o, ifi); err != nil {
			return i, &ApplyError{Op: *o, Err: err}
		}
	}
	return len(ops), nil
}

// Package tc applies a planned queue tree (package plan) to the kernel over
// rtnetlink, reads the live tree back, compares the two, and renders the same
// tree as a `tc -batch` file.
//
//   - Handle: one route socket in one network namespace (NewHandle(ns)); it
//     counts every state-changing request (Ops) and dump (Dumps).
//   - Apply(ctx, h, tree, opts): validates and encodes the whole plan first
//     (bad input fails before the kernel is touched), dumps the live tree,
//     plans only the requests needed (none when equal), checks the qdisc
//     budget and memory floor, sends them, and on any failure restores the
//     dump taken before (caddy style). Kernel errors name the object:
//     "circuit 12 (class 1:5) on eth1: add leaf cake: no such file or
//     directory: ... (kernel lacks sch_cake)".
//   - Applier: remembers the last applied tree so later changes need no dump
//     and no full re-encode (one request for one circuit); structural changes
//     (moves, removing a class with children, leaf handles changing hands,
//     other qdiscs) fall back to Apply. Drift() and Repair() read the kernel.
//   - Dump / Compare / CompareLive: the live tree with handles, rates,
//     parents, kinds and stats (cake leaves also per tin: DecodeCakeStats),
//     and its differences from a plan or snapshot. Leaf options match when
//     every option sent is in the kernel's reply with the value the kernel
//     keeps (fq_codel keeps times in 1024 ns units: 5ms reads back 4999us).
//   - EncodeCake / EncodeFqCodel / EncodeFifo: tc-style argument lists to
//     TCA_OPTIONS bytes (golden tests in testdata/).
//
// Request plan order: roots, per-queue HTB qdiscs, class deletions (deepest
// first), then per class in plan order its add/change and its leaf. HTB and
// mq cannot be changed in place, and a leaf of another kind under the same
// handle cannot either, so those are deleted and re-created; so is an
// fq_codel leaf whose options set flows (the kernel refuses any change
// carrying it). A class moving to another parent is deleted and re-added
// (HTB cannot re-parent).
//
// Rebuild window (measured by TestRebuildWindowKeepsTrafficFlowing and
// BenchmarkRebuildWindow with a 1 packet/ms flow): a per-queue HTB that must
// be re-created is parked on pfifo_fast, re-created empty, then refilled.
// Until a circuit's class is back its packets pass unshaped (pfifo_fast, the
// new HTB's direct queue, then its default class), none is lost. Loss comes
// only from the two grafts under mq: mq_graft runs dev_deactivate on the whole
// device (every TX queue on noop for a grace period, every queue's backlog
// reset), so each rebuild drops what is sent or queued on any queue of the
// interface at those two moments (0-6 packets per rebuild at 1 packet/ms).
// Two grafts is the minimum while the handle stays the same (HTB has no
// change operation). The refill is kernel-bound and quadratic in the classes
// of that HTB: every new class makes the kernel walk all of them to re-bind
// filters (tc_bind_tclass), so 1k circuits on the queue take ~0.1 s, 2.5k
// ~0.35 s and 10k 5-7 s on a 2-core VM; spreading circuits over queues keeps
// it short.
package tc

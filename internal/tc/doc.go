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
//     parents, kinds and stats, and its differences from a plan or snapshot.
//   - EncodeCake / EncodeFqCodel / EncodeFifo: tc-style argument lists to
//     TCA_OPTIONS bytes (golden tests in testdata/).
//
// Request plan order: roots, per-queue HTB qdiscs, class deletions (deepest
// first), then per class in plan order its add/change and its leaf. HTB and
// mq cannot be changed in place, and a leaf of another kind under the same
// handle cannot either, so those are deleted and re-created. A class moving
// to another parent is deleted and re-added (HTB cannot re-parent).
package tc

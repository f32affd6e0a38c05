// Package plan turns validated inputs (lqos.conf, ShapedDevices.csv,
// network.json) into the queue tree: which HTB classes and leaf qdiscs exist on
// which interface, with which rates and handles, and which IP prefixes map to
// which class and CPU. It is pure computation: no kernel, no files except the
// explicit state/structure writers. Package tc applies a Tree to the kernel.
//
// # Algorithm (Build)
//
//  1. Queues. TXQueues (detected by the caller) is the per-direction queue
//     count N in bridge mode; on a stick it is halved and the upload side uses
//     majors N+1..2N ("stick offset"). Queue q has HTB major q (q+N for upload
//     on a stick) and CPU q-1: the data path relies on major = CPU + 1.
//  2. Nodes. Virtual nodes are removed and their children promoted
//     (topology.Physical). At most 6 node levels are kept: anything deeper is
//     attached to its level-5 ancestor (rates are still computed along the
//     original chain). N generated parent nodes Generated_PN_1..N are added at
//     the top level; a childless top-level network.json node of such a name
//     (upstream's flat/binpacking output) is replaced by the generated node,
//     one beyond N stays an ordinary node, and one with children or below
//     the top level is an error.
//  3. Circuits attach by Parent Node name or alias, else by Parent Node ID
//     (when the two name different nodes the named one wins, as upstream); a
//     name Generated_PN_k attaches to that generated node; a circuit
//     naming a node that does not exist is not shaped and is reported
//     (reason unknown_parent; invalid_rates guards inputs that bypassed the
//     CSV reader, and a repeated circuit ID is an error). Circuits without a parent (all circuits in a
//     flat network) go to the generated nodes.
//  4. Placement. Top-level nodes are sorted by name and dealt round robin over
//     the queues; unparented circuits are dealt round robin in CSV order over
//     the generated nodes. With use_binpacking, top-level nodes are wrapped in
//     CPU bin nodes CpueQueue0..N-1 chosen by the stable greedy planner
//     (StableGreedy: keep previous bins unless a move evens the load by more
//     than 3% of the total weight, at most max(1, min(32, 1%)) moves per run,
//     one hour cooldown), and unparented circuits are spread over generated
//     nodes by the same planner (one move per run). Generated_PN_k is pinned
//     to bin (k-1) mod N.
//  5. Rates (Mbps, floats). A node's ceil is its own value (0 = inherit)
//     capped by its parent's ceil (top level: downlink_bandwidth_mbps for
//     download, uplink_bandwidth_mbps for upload); its rate is capped by its
//     parent's rate and kept below the ceil (ceil-1, or ceil-0.01 under
//     1 Mbps). An explicit downloadBandwidthMbpsMin seeds the rate. A
//     circuit's ceil is capped by its node's, its min by its ceil. Then, per
//     node and per direction, the guarantees of its children (sub-nodes and
//     circuits together) are fitted into the node's own (see below). HTB
//     rate = min, ceil = max, in exact bit/s (at least 10 kbit/s); quantum = max(1522, trunc(ceil Mbps) * 125000 / r2q) with r2q
//     from the direction's link capacity, so every quantum is <= 60 kB.
//  6. Leaf qdiscs per circuit and direction: the sqm override (cake, fq_codel,
//     none, or down/up), else fq_codel at or above fast_queues_fq_codel, else
//     default_sqm; CAKE on circuits of 4 Mbps or less gets a longer rtt.
//  7. Identities (see below), then the Tree: per interface an mq root 7fff:,
//     per queue an HTB q: (default 2) with root class q:1 (rate = ceil = link)
//     and default class q:2 (a quarter of the link, ceil link-1, default leaf
//     with handle 0x2000+2q+1), then node classes (top-level ones under q:,
//     beside q:1, as upstream) and circuit classes with their leafs; then one
//     Mapping per IP prefix. In observe mode the Tree keeps only the mq roots
//     and no mappings, but everything is still planned for
//     queuingStructure.json.
//
// # Fitting guarantees (oversubscription)
//
// HTB lets a class below its rate send without asking its parent, so
// children whose rates add up to more than their parent's rate break the
// parent's limits. Parents first, for every node and direction: when the
// children's minimums (in the bytes/s HTB keeps) add up to more than the
// node's rate, each child gets floor(min * rate / sum) bytes/s. Children that
// would drop below 10 kbit/s are held there and the others share what is
// left; if even the floors do not fit, all get the floor. A child never gets
// more than it asked for, so never more than its ceil, and a direction that
// fits is untouched. Each fitted node and direction is listed in
// Plan.Oversubscribed and as a warning. Top-level nodes (and the sites of a
// CPU bin) share a CPU queue, not a parent class, and are not fitted to each
// other. Nodes flattened by the depth limit inherit from their original
// parent's unfitted rate and are fitted with their class parent's children.
// One more circuit on an oversubscribed node therefore lowers each sibling's
// guarantee by about that circuit's share, in that direction only.
//
// queues.upstream_oversubscription restores upstream's rule: node rates are
// not fitted, and when a node's circuit mins do not fit its rate in either
// direction, all its circuits get 1 Mbps in both directions, and 10 kbit/s
// when even that does not fit.
//
// # Stable identities
//
// Upstream recomputes every class minor on each run, so adding one circuit
// renumbers the rest of its queue and the apply step sees migrations or a full
// reload. We keep an Identities state (JSON, keyed by circuit ID and by node
// id, or name when a node has no id) recording each object's queue, minor,
// parent and leaf handle. On the next run:
//
//   - an object keeps its minor when its queue and parent are unchanged;
//   - a circuit keeps its leaf qdisc handle while it keeps its class;
//   - minors (and leaf handles) held last run by objects that were removed or
//     moved are not given to anyone else in this run, so a class ID never
//     changes owner within one apply; they are free again the run after;
//   - new objects take the lowest free minor of their queue (>= 3);
//   - placements stick too: a top-level node keeps its queue and an unparented
//     circuit its generated node; only new ones are dealt, each to the queue
//     (or generated node) holding the fewest, which equals upstream's round
//     robin when there is no history. When the queue count changes the
//     placements are dealt afresh (so added CPUs get work); objects that land
//     on their old queue under their old parent still keep their minors.
//
// A queue with no history at all is numbered with upstream's layout (nodes
// first with a spare minor after each parent, then circuits node by node with
// 8 spare minors after each node), so a first run matches upstream's numbers.
// Adding one circuit therefore adds exactly one class per direction and
// changes no other class's identity (on an oversubscribed node its siblings'
// rates move, see above).
// Moving a circuit to a node on another queue gives it a new class there.
//
// # Deliberate differences from upstream
//
//   - Download is capped by downlink_bandwidth_mbps and upload by
//     uplink_bandwidth_mbps (upstream's planner caps both with uplink).
//   - Node rates stay floats (upstream truncates 0.5 Mbps to 0).
//   - Rates are exact bit/s; RenderTC prints kbit or bit (upstream rounds to
//     100 Mbit above 1 Gbit and to 0.1 Mbit below).
//   - sqm is honoured only from a named sqm column (package devices).
//   - Identities are stable across runs (above); placements are sticky.
//   - Node identity prefers the node's stable id over its name.
//   - No leaf qdisc under each queue's root class q:1: the kernel destroys it
//     as soon as q:2 turns q:1 into an inner class, so the MQ setup is 4 tc
//     lines per queue instead of 5.
//   - CPU bin classes (binpacking) run at the link capacity, not at
//     generated_pn_*, which would cap a whole CPU's sites when lower.
//   - Unparented circuits under binpacking use the stable greedy planner
//     (upstream: plain greedy each run), so they do not reshuffle.
//   - Kept from upstream on purpose: top-level classes hang off q: (siblings
//     of q:1, which decides how they borrow), circuits naming an unknown
//     parent are not shaped but reported, and no upload leaf qdisc on a
//     stick (both directions share one interface's 65,534 qdisc handles).
//   - Guarantees that do not fit their parent are scaled in proportion, per
//     direction, at every level (above), instead of all becoming 1 Mbps.
//
// Circuit leaf handles are one major per circuit (0x9000 upward, then
// 1..0x8fff), used on both interfaces. Beyond ~65,000 circuits per interface
// the handle space is exhausted: those circuits get LeafHandle 0, no leaf
// qdisc of their own in the tree (HTB's built-in fifo shapes them; the kernel
// cannot hold more handles on one interface) and Build warns.
package plan

package plan

import (
	"strconv"
	"strings"
)

// RenderTC prints the tree as `tc -batch` lines (no leading "tc"), in apply
// order: per interface the qdiscs (mq root, then one HTB per queue), then the
// classes, each leaf qdisc right after its class. Handles are explicit and
// rates exact (kbit when divisible by 1000, else bit), so feeding the lines
// to `tc -batch` builds exactly the planned tree. Prefix "tc " for a shell.
func RenderTC(t *Tree) []string {
	if t == nil {
		return nil
	}
	out := make([]string, 0, len(t.Qdiscs)+2*len(t.Classes))
	var sb strings.Builder
	for _, ifc := range t.Interfaces {
		for _, q := range t.Qdiscs {
			if q.Interface != ifc {
				continue
			}
			sb.Reset()
			sb.WriteString("qdisc add dev ")
			sb.WriteString(ifc)
			if q.Parent == RootParent {
				sb.WriteString(" root")
			} else {
				sb.WriteString(" parent ")
				sb.WriteString(q.Parent.String())
			}
			sb.WriteString(" handle ")
			sb.WriteString(qdiscHandle(q.Handle))
			sb.WriteByte(' ')
			sb.WriteString(q.Kind)
			if q.Kind == "htb" {
				if q.HTBDefault != 0 {
					sb.WriteString(" default ")
					sb.WriteString(strconv.FormatUint(uint64(q.HTBDefault), 16))
				}
				if q.HTBR2Q != 0 {
					sb.WriteString(" r2q ")
					sb.WriteString(strconv.FormatUint(uint64(q.HTBR2Q), 10))
				}
			}
			out = append(out, sb.String())
		}
		for i := range t.Classes {
			c := &t.Classes[i]
			if c.Interface != ifc {
				continue
			}
			out = append(out, classLine(&sb, c))
			if !c.Leaf.IsZero() {
				out = append(out, leafLine(&sb, c))
			}
		}
	}
	return out
}

// qdiscHandle prints a qdisc handle as tc wants it: "7fff:".
func qdiscHandle(h Handle) string { return strconv.FormatUint(uint64(h.Major()), 16) + ":" }

func classLine(sb *strings.Builder, c *Class) string {
	sb.Reset()
	sb.WriteString("class add dev ")
	sb.WriteString(c.Interface)
	sb.WriteString(" parent ")
	if c.Parent.Minor() == 0 {
		sb.WriteString(qdiscHandle(c.Parent))
	} else {
		sb.WriteString(c.Parent.String())
	}
	sb.WriteString(" classid ")
	sb.WriteString(c.ID.String())
	sb.WriteString(" htb rate ")
	sb.WriteString(FormatRate(c.RateBps))
	sb.WriteString(" ceil ")
	sb.WriteString(FormatRate(c.CeilBps))
	if c.Prio != 0 {
		sb.WriteString(" prio ")
		sb.WriteString(strconv.FormatUint(uint64(c.Prio), 10))
	}
	if c.Quantum != 0 {
		sb.WriteString(" quantum ")
		sb.WriteString(strconv.FormatUint(uint64(c.Quantum), 10))
	}
	return sb.String()
}

func leafLine(sb *strings.Builder, c *Class) string {
	sb.Reset()
	sb.WriteString("qdisc add dev ")
	sb.WriteString(c.Interface)
	sb.WriteString(" parent ")
	sb.WriteString(c.ID.String())
	if c.LeafHandle != 0 {
		sb.WriteString(" handle ")
		sb.WriteString(qdiscHandle(c.LeafHandle))
	}
	sb.WriteByte(' ')
	sb.WriteString(c.Leaf.Kind)
	for _, a := range c.Leaf.Args {
		sb.WriteByte(' ')
		sb.WriteString(a)
	}
	return sb.String()
}

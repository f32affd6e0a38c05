package plan

import (
	"strconv"

	"github.com/libreqos-go/lqos/internal/tchandle"
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
	buf := make([]byte, 0, 256)
	for _, ifc := range t.Interfaces {
		for _, q := range t.Qdiscs {
			if q.Interface != ifc {
				continue
			}
			b := append(buf[:0], "qdisc add dev "...)
			b = append(b, ifc...)
			if q.Parent == tchandle.Root {
				b = append(b, " root"...)
			} else {
				b = append(b, " parent "...)
				b = q.Parent.Append(b)
			}
			b = append(b, " handle "...)
			b = q.Handle.AppendQdisc(b)
			b = append(b, ' ')
			b = append(b, q.Kind...)
			if q.Kind == "htb" {
				if q.HTBDefault != 0 {
					b = append(b, " default "...)
					b = strconv.AppendUint(b, uint64(q.HTBDefault), 16)
				}
				if q.HTBR2Q != 0 {
					b = append(b, " r2q "...)
					b = strconv.AppendUint(b, uint64(q.HTBR2Q), 10)
				}
			}
			out = append(out, string(b))
			buf = b
		}
		for i := range t.Classes {
			c := &t.Classes[i]
			if c.Interface != ifc {
				continue
			}
			buf = appendClass(buf[:0], c)
			out = append(out, string(buf))
			if !c.Leaf.IsZero() {
				buf = appendLeaf(buf[:0], c)
				out = append(out, string(buf))
			}
		}
	}
	return out
}

// qdiscHandle prints a qdisc handle as tc wants it: "7fff:".
func qdiscHandle(h tchandle.Handle) string { return string(h.AppendQdisc(nil)) }

func appendRate(b []byte, bps uint64) []byte {
	if bps%1000 == 0 {
		return append(strconv.AppendUint(b, bps/1000, 10), "kbit"...)
	}
	return append(strconv.AppendUint(b, bps, 10), "bit"...)
}

func appendClass(b []byte, c *Class) []byte {
	b = append(b, "class add dev "...)
	b = append(b, c.Interface...)
	b = append(b, " parent "...)
	if c.Parent.Minor() == 0 {
		b = c.Parent.AppendQdisc(b)
	} else {
		b = c.Parent.Append(b)
	}
	b = append(b, " classid "...)
	b = c.ID.Append(b)
	b = append(b, " htb rate "...)
	b = appendRate(b, c.RateBps)
	b = append(b, " ceil "...)
	b = appendRate(b, c.CeilBps)
	if c.Prio != 0 {
		b = append(b, " prio "...)
		b = strconv.AppendUint(b, uint64(c.Prio), 10)
	}
	if c.Quantum != 0 {
		b = append(b, " quantum "...)
		b = strconv.AppendUint(b, uint64(c.Quantum), 10)
	}
	return b
}

func appendLeaf(b []byte, c *Class) []byte {
	b = append(b, "qdisc add dev "...)
	b = append(b, c.Interface...)
	b = append(b, " parent "...)
	b = c.ID.Append(b)
	if c.LeafHandle != 0 {
		b = append(b, " handle "...)
		b = c.LeafHandle.AppendQdisc(b)
	}
	b = append(b, ' ')
	b = append(b, c.Leaf.Kind...)
	for _, a := range c.Leaf.Args {
		b = append(b, ' ')
		b = append(b, a...)
	}
	return b
}

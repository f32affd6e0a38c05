package configedit

import (
	"fmt"
	"strings"

	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/topology"
)

// LayoutNode is one node of network.json as the layout editor edits it.
type LayoutNode struct {
	Name            string        `json:"name"`
	ID              string        `json:"id,omitempty"`
	DisplayName     string        `json:"display_name,omitempty"`
	ActiveAttach    string        `json:"active_attachment_name,omitempty"`
	Type            string        `json:"type,omitempty"`
	Virtual         bool          `json:"virtual,omitempty"`
	DownloadMbps    float64       `json:"download_mbps"`
	UploadMbps      float64       `json:"upload_mbps"`
	DownloadMinMbps float64       `json:"download_min_mbps,omitempty"`
	UploadMinMbps   float64       `json:"upload_min_mbps,omitempty"`
	Latitude        *float64      `json:"latitude"`
	Longitude       *float64      `json:"longitude"`
	Children        []*LayoutNode `json:"children"`
}

// NetworkTree reads network.json text as editor nodes.
func NetworkTree(data []byte) ([]*LayoutNode, diag.List) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return []*LayoutNode{}, diag.List{}
	}
	nw, l := topology.Parse(NetworkFile, data)
	if nw == nil || l.HasErrors() {
		return nil, l
	}
	var conv func([]*topology.Node) []*LayoutNode
	conv = func(ns []*topology.Node) []*LayoutNode {
		out := make([]*LayoutNode, 0, len(ns))
		for _, n := range ns {
			out = append(out, &LayoutNode{Name: n.Name, ID: n.ID, DisplayName: n.DisplayName, ActiveAttach: n.ActiveAttachmentName,
				Type: n.Type, Virtual: n.Virtual, DownloadMbps: n.DownloadMbps, UploadMbps: n.UploadMbps,
				DownloadMinMbps: n.DownloadMinMbps, UploadMinMbps: n.UploadMinMbps, Latitude: n.Latitude, Longitude: n.Longitude,
				Children: conv(n.Children)})
		}
		return out
	}
	return conv(nw.Roots), l
}

// EncodeTree writes editor nodes as network.json text. Names must be
// non-empty and unique over the whole tree (they are the JSON keys and
// what ShapedDevices.csv refers to).
func EncodeTree(roots []*LayoutNode) ([]byte, []diag.Problem) {
	var probs []diag.Problem
	seen := map[string]bool{}
	var conv func([]*LayoutNode, *topology.Node, int) []*topology.Node
	conv = func(ts []*LayoutNode, parent *topology.Node, depth int) []*topology.Node {
		out := make([]*topology.Node, 0, len(ts))
		for _, t := range ts {
			if t == nil {
				continue
			}
			name := strings.TrimSpace(t.Name)
			switch {
			case name == "":
				probs = append(probs, diag.Problem{Severity: diag.Error, File: NetworkFile, Field: t.Name, Message: "a node needs a name"})
			case seen[name]:
				probs = append(probs, diag.Problem{Severity: diag.Error, File: NetworkFile, Field: name, Message: fmt.Sprintf("node name %q is used twice; names must be unique", name)})
			case depth > 64:
				probs = append(probs, diag.Problem{Severity: diag.Error, File: NetworkFile, Field: name, Message: "the tree is deeper than 64 levels"})
				continue
			}
			seen[name] = true
			n := &topology.Node{Name: name, ID: t.ID, DisplayName: t.DisplayName, ActiveAttachmentName: t.ActiveAttach, Type: t.Type,
				Virtual: t.Virtual, DownloadMbps: t.DownloadMbps, UploadMbps: t.UploadMbps, DownloadMinMbps: t.DownloadMinMbps,
				UploadMinMbps: t.UploadMinMbps, Latitude: t.Latitude, Longitude: t.Longitude, Parent: parent}
			n.Children = conv(t.Children, n, depth+1)
			out = append(out, n)
		}
		return out
	}
	nw := &topology.Network{Roots: conv(roots, nil, 0)}
	return nw.Encode(), probs
}

// NodeAtLine maps network.json line numbers of data to node names, so a
// problem naming a line can be shown next to its node.
func NodeAtLine(data []byte) map[int]string {
	nw, _ := topology.Parse(NetworkFile, data)
	out := map[int]string{}
	if nw == nil {
		return out
	}
	nw.Walk(func(n *topology.Node) bool {
		out[n.Line] = n.Name
		return true
	})
	return out
}

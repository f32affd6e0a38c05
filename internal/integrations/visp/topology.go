package visp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// topology places circuits under the upstream equipment VISP's IRM knows.
type topology struct {
	g          *graph.Graph
	assemblies []equipment
	byID       map[int64]equipment
	made       map[int64]string // equipment id -> graph id
}

func newTopology(d *Data, g *graph.Graph) *topology {
	t := &topology{g: g, assemblies: d.Assemblies, byID: map[int64]equipment{}, made: map[int64]string{}}
	for _, e := range d.Equipment {
		if id := int64(e.ID.V); id > 0 {
			if _, dup := t.byID[id]; !dup {
				t.byID[id] = e
			}
		}
	}
	return t
}

// equipmentData reads equipment_data, which VISP sends as an object or as a
// string holding one. Values are compared as text.
func equipmentData(raw json.RawMessage) map[string]string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		raw = []byte(s)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strings.TrimSpace(fmt.Sprint(v))
	}
	return out
}

var macKeys = []string{"Fiber MAC", "mac_address", "Ethernet MAC", "WAN MAC", "MAC Addr", "radio_mac"}

// score ranks a CPE assembly as the customer's attachment point.
func score(e equipment, name string, preferred map[int64]bool, macs map[string]bool) int {
	s := 0
	data := equipmentData(e.EquipmentData)
	if e.ParentID.V > 0 {
		s += 100
	}
	if name != "" && e.LocationName.String() == name {
		s += 40
	}
	if preferred[int64(e.ID.V)] {
		s += 20
	}
	for _, k := range macKeys {
		if m := NormalizeMAC(data[k]); m != "" && macs[m] {
			s += 15
			break
		}
	}
	if data["Fiber MAC"] != "" {
		s += 10
	}
	if data["VLAN"] != "" || data["VLAN-1"] != "" {
		s += 5
	}
	if strings.EqualFold(data["Router Mode"], "true") {
		s -= 20
	}
	if strings.Contains(strings.ToLower(e.Description.String()), "router") {
		s -= 10
	}
	return s
}

// parentFor returns the graph id of the equipment serving a customer, "" if unknown.
func (t *topology) parentFor(customer int64, name string, eqIDs []int64, macs []string) string {
	preferred := map[int64]bool{}
	for _, id := range eqIDs {
		preferred[id] = true
	}
	macSet := map[string]bool{}
	for _, m := range macs {
		macSet[m] = true
	}
	var cands []equipment
	for _, a := range t.assemblies {
		if preferred[int64(a.ID.V)] {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 && name != "" {
		for _, a := range t.assemblies {
			if a.LocationName.String() == name {
				cands = append(cands, a)
			}
		}
	}
	best, bestScore := equipment{}, -1<<31
	for _, c := range cands {
		s := score(c, name, preferred, macSet)
		if s > bestScore || (s == bestScore && c.ID.V > best.ID.V) {
			best, bestScore = c, s
		}
	}
	if bestScore == -1<<31 || best.ParentID.V <= 0 {
		return ""
	}
	return t.ensure(int64(best.ParentID.V), map[int64]bool{})
}

// ensure creates the node for an equipment id and its upstream chain.
func (t *topology) ensure(id int64, seen map[int64]bool) string {
	if gid, ok := t.made[id]; ok {
		return gid
	}
	e, ok := t.byID[id]
	if !ok || seen[id] {
		return ""
	}
	seen[id] = true
	parent := ""
	if p := int64(e.ParentID.V); p > 0 && p != id {
		parent = t.ensure(p, seen)
	}
	if parent == "" {
		parent = t.site(e)
	}
	gid := "visp_eq_" + strconv.FormatInt(id, 10)
	name := e.Description.String()
	if name == "" {
		name = e.Name.String()
	}
	if name == "" {
		name = "VISP " + strconv.FormatInt(id, 10)
	}
	t.g.Add(graph.Node{ID: gid, Name: name, ParentID: parent, Kind: graph.KindAP, NetworkID: "visp:eq:" + strconv.FormatInt(id, 10)})
	t.made[id] = gid
	return gid
}

// site returns the site node for an equipment's location, creating it.
func (t *topology) site(e equipment) string {
	loc, name := e.LocationID.ID(), e.LocationName.String()
	var gid, nid string
	switch {
	case loc != "":
		gid, nid = "visp_site_"+loc, "visp:site:"+loc
	case name != "":
		gid, nid = "visp_site_name_"+graph.Slug(name), "visp:site:"+name
	default:
		return ""
	}
	if name == "" {
		name = "VISP site " + loc
	}
	if !t.g.Has(gid) {
		t.g.Add(graph.Node{ID: gid, Name: name, Kind: graph.KindSite, NetworkID: nid})
	}
	return gid
}

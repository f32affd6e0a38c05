package topology

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Encode writes the network as network.json text, keeping node order.
func (nw *Network) Encode() []byte {
	var b bytes.Buffer
	writeNodes(&b, nw.Roots, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func writeNodes(b *bytes.Buffer, nodes []*Node, depth int) {
	if len(nodes) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteString("{\n")
	for i, n := range nodes {
		indent(b, depth+1)
		writeString(b, n.Name)
		b.WriteString(": {\n")
		fields := []func(){}
		num := func(k string, v float64) {
			fields = append(fields, func() {
				writeString(b, k)
				b.WriteString(": ")
				b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
			})
		}
		str := func(k, v string) {
			if v == "" {
				return
			}
			fields = append(fields, func() { writeString(b, k); b.WriteString(": "); writeString(b, v) })
		}
		num("downloadBandwidthMbps", n.DownloadMbps)
		num("uploadBandwidthMbps", n.UploadMbps)
		if n.DownloadMinMbps > 0 {
			num("downloadBandwidthMbpsMin", n.DownloadMinMbps)
		}
		if n.UploadMinMbps > 0 {
			num("uploadBandwidthMbpsMin", n.UploadMinMbps)
		}
		str("type", n.Type)
		str("id", n.ID)
		str("name", n.DisplayName)
		str("active_attachment_name", n.ActiveAttachmentName)
		if n.Virtual {
			fields = append(fields, func() { b.WriteString(`"virtual": true`) })
		}
		if n.Latitude != nil {
			num("latitude", *n.Latitude)
		}
		if n.Longitude != nil {
			num("longitude", *n.Longitude)
		}
		fields = append(fields, func() {
			b.WriteString(`"children": `)
			writeNodes(b, n.Children, depth+2)
		})
		for j, f := range fields {
			indent(b, depth+2)
			f()
			if j < len(fields)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth+1)
		b.WriteByte('}')
		if i < len(nodes)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	indent(b, depth)
	b.WriteByte('}')
}

func indent(b *bytes.Buffer, n int) {
	for range n {
		b.WriteString("  ")
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

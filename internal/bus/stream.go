package bus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Bulk mappings (MapIPs) travel as a stream: the client writes one mapping
// after another into the request body and the server decodes them one at a
// time with encoding/json, so neither side holds the whole JSON document.

// streamMinMappings is the batch size from which the client streams; a
// smaller batch is sent with its length, which the memory budget prefers.
const streamMinMappings = 1024

// streams tells the client whether to stream this request's body.
func (r *MapIPs) streams() bool { return len(r.Mappings) >= streamMinMappings }

// encodeStream writes {"mappings":[...]} one mapping at a time.
func (r *MapIPs) encodeStream(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	b := make([]byte, 0, 512)
	bw.WriteString(`{"mappings":[`)
	for i := range r.Mappings {
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		if _, err := bw.Write(appendMapping(b, &r.Mappings[i])); err != nil {
			return err
		}
	}
	bw.WriteString("]}")
	return bw.Flush()
}

// decodeStream reads {"mappings":[...]} one mapping at a time; any other
// key is an error. Errors name the mapping's index.
func (r *MapIPs) decodeStream(dec *json.Decoder) error {
	return decodeObject(dec, func(key string) error {
		if key != "mappings" {
			return fmt.Errorf("json: unknown field %q", key)
		}
		var err error
		r.Mappings, err = decodeMappings(dec, r.Mappings[:0])
		return err
	})
}

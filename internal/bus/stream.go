package bus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/libreqos-go/lqos/internal/plan"
)

// Bulk mappings (MapIPs) travel as a stream: the client writes one mapping
// after another into the request body and the server decodes them one at a
// time, so neither side holds the whole JSON document.

// streamMinMappings is the batch size from which the client streams; a
// smaller batch is sent with its length, which the memory budget prefers.
const streamMinMappings = 1024

// streams tells the client whether to stream this request's body.
func (r *MapIPs) streams() bool { return len(r.Mappings) >= streamMinMappings }

// encodeStream writes {"mappings":[...]} one mapping at a time.
func (r *MapIPs) encodeStream(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	b := make([]byte, 0, 512)
	bw.WriteString(streamHead)
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

// streamHead opens the body as encodeStream (and json.Marshal) write it.
const streamHead = `{"mappings":[`

// streamWindow is the most of one mapping (with its comma) the fast reader
// looks at; a longer one is read by encoding/json.
const streamWindow = 4096

// decodeStream reads {"mappings":[...]} one mapping at a time; any other
// key is an error. Errors name the mapping's index. It returns the decoder
// positioned after the object, for the caller's trailing-data check.
//
// encoding/json would scan each mapping twice (json.Decoder's scan for the
// value's end, then the decode), so the mappings in the canonical form the
// client writes are read straight from the buffered body, each in one pass
// (cursor.mapping). At the first byte that is not in that form (other
// spacing, escapes, other number forms, a long mapping, the closing
// bracket) encoding/json takes over for the rest of the body, so what is
// accepted and the errors are those of encoding/json: it continues from a
// decoder primed with the already-read head (and one placeholder element
// if mappings were read), with error offsets made relative to the body.
func (r *MapIPs) decodeStream(body io.Reader) (*json.Decoder, error) {
	br := bufio.NewReaderSize(&stickyReader{r: body}, 64<<10)
	ms := r.Mappings[:0]
	consumed := 0
	if head, _ := br.Peek(len(streamHead)); string(head) == streamHead {
		br.Discard(len(head))
		consumed = len(head)
		for {
			win, _ := br.Peek(streamWindow)
			c := cursor{b: win}
			if len(ms) > 0 && !c.lit(',') {
				break
			}
			ms = append(ms, plan.Mapping{})
			if !c.mapping(&ms[len(ms)-1]) || c.i == len(win) {
				// Not canonical, or it may go on past the window (the
				// byte after it must be seen): encoding/json decides.
				ms = ms[:len(ms)-1]
				break
			}
			br.Discard(c.i)
			consumed += c.i
		}
	}
	prime := ""
	switch {
	case len(ms) > 0:
		prime = streamHead + "{}" // the placeholder stands for ms
	case consumed > 0:
		prime = streamHead
	}
	shift := int64(consumed - len(prime))
	dec := json.NewDecoder(io.MultiReader(strings.NewReader(prime), br))
	dec.DisallowUnknownFields()
	r.Mappings = ms
	first := prime != ""
	err := decodeObject(dec, func(key string) error {
		if key != "mappings" {
			return fmt.Errorf("json: unknown field %q", key)
		}
		var err error
		if first { // continue after what was read
			first = false
			r.Mappings, err = decodeMappings(dec, r.Mappings, len(r.Mappings) > 0)
		} else {
			r.Mappings, err = decodeMappings(dec, r.Mappings[:0], false)
		}
		return err
	})
	if se, ok := err.(*json.SyntaxError); ok && shift != 0 {
		// The decoder's own syntax errors count from its input; those
		// within one mapping (in an indexError) count from the mapping.
		c := *se
		c.Offset += shift
		err = &c
	}
	return dec, err
}

// stickyReader returns its reader's first error for good: a read error met
// while the fast reader peeks (a timeout, the size limit, a cut body) is
// the error encoding/json meets when it takes over.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}

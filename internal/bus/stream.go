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
// value's end, then the decode), so a body in the canonical form the client
// writes is read straight from its buffer, each mapping in one pass
// (cursor.mapping). At the first byte that is not in that form (other
// spacing, escapes, other number forms, a long mapping, anything after the
// closing bracket) encoding/json takes over for the rest of the body, so
// what is accepted and the errors are those of encoding/json. It continues
// from a decoder primed with what stands for the part already read: the
// head, then as many spaces as there were commas and spaces between the
// mappings, then one placeholder mapping as long as all of them (spaces
// inside). json.Decoder counts its error offsets partly by the values it
// scanned and partly by its input, and both counts come out as for the
// whole body.
func (r *MapIPs) decodeStream(body io.Reader) (*json.Decoder, error) {
	br := bufio.NewReaderSize(&stickyReader{r: body}, 64<<10)
	ms := r.Mappings[:0]
	consumed, inMappings := 0, 0
	if head, _ := br.Peek(len(streamHead)); string(head) == streamHead {
		br.Discard(len(head))
		consumed = len(head)
		for {
			win, err := br.Peek(streamWindow)
			c := cursor{b: win}
			if len(ms) > 0 && string(win) == "]}" && err == io.EOF {
				// The end of a canonical body, and nothing after it.
				br.Discard(len(win))
				r.Mappings = ms
				return json.NewDecoder(br), nil
			}
			if len(ms) > 0 && !c.lit(',') {
				break
			}
			c.ws()
			start := c.i
			ms = append(ms, plan.Mapping{})
			if !c.mapping(&ms[len(ms)-1]) || c.i == len(win) {
				// Not canonical, or it may go on past the window (the
				// byte after it must be seen): encoding/json decides.
				ms = ms[:len(ms)-1]
				break
			}
			br.Discard(c.i)
			consumed += c.i
			inMappings += c.i - start
		}
	}
	var prime io.Reader = strings.NewReader("")
	switch {
	case len(ms) > 0:
		prime = io.MultiReader(strings.NewReader(streamHead), spaces(consumed-len(streamHead)-inMappings),
			strings.NewReader("{"), spaces(inMappings-2), strings.NewReader("}"))
	case consumed > 0:
		prime = strings.NewReader(streamHead)
	}
	dec := json.NewDecoder(io.MultiReader(prime, br))
	dec.DisallowUnknownFields()
	r.Mappings = ms
	first := consumed > 0
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
	return dec, err
}

// spaces reads as n spaces.
func spaces(n int) io.Reader { return io.LimitReader(spaceReader{}, int64(n)) }

type spaceReader struct{}

func (spaceReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
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

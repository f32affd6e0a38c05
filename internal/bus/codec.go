package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxBatch bounds the number of requests in one frame.
const MaxBatch = 4096

// Wire envelopes. A request frame body is
//
//	{"requests":[{"id":1,"type":"ping"},{"id":2,"type":"map_ips","body":{...}}]}
//
// and the matching response frame body is
//
//	{"responses":[{"id":1,"type":"pong","body":{...}},{"id":2,"type":"error","body":{"code":...,"message":...}}]}
type (
	wireRequest struct {
		ID   uint64          `json:"id"`
		Type string          `json:"type"`
		Body json.RawMessage `json:"body,omitempty"`
	}
	wireRequestBatch struct {
		Requests []wireRequest `json:"requests"`
	}
	wireResponse struct {
		ID   uint64          `json:"id"`
		Type string          `json:"type"`
		Body json.RawMessage `json:"body,omitempty"`
	}
	wireResponseBatch struct {
		Responses []wireResponse `json:"responses"`
	}
)

// DecodedRequest is one request of a decoded batch. Exactly one of Req and
// Err is set; Err is the error response to send for this id.
type DecodedRequest struct {
	ID   uint64
	Type string
	Req  Request
	Err  *Error
}

// strictUnmarshal decodes data into v rejecting unknown fields and trailing
// data, and turns JSON errors into messages naming the field.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %s: cannot use JSON %s as %s", te.Field, te.Value, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if err == io.EOF {
		return errors.New("invalid JSON: empty")
	}
	if err == io.ErrUnexpectedEOF {
		return errors.New("invalid JSON: truncated")
	}
	return err
}

// DecodeRequests decodes a request frame body. A non-nil *Error means the
// whole frame is unusable (answer it with id 0); otherwise every element has
// either a decoded, validated request or its own error.
func DecodeRequests(body []byte) ([]DecodedRequest, *Error) {
	var b wireRequestBatch
	if ws, ok := fastEnvelope(body, "requests"); ok {
		b.Requests = ws
	} else if err := strictUnmarshal(body, &b); err != nil {
		return nil, Errorf(CodeBadFrame, "request batch: %v", err)
	}
	if len(b.Requests) == 0 {
		return nil, Errorf(CodeBadFrame, "request batch: field requests: empty or missing")
	}
	if len(b.Requests) > MaxBatch {
		return nil, Errorf(CodeBadFrame, "request batch: %d requests, limit %d", len(b.Requests), MaxBatch)
	}
	out := make([]DecodedRequest, len(b.Requests))
	var seen map[uint64]struct{}
	if len(b.Requests) > 16 {
		seen = make(map[uint64]struct{}, len(b.Requests))
	}
	for i, w := range b.Requests {
		d := &out[i]
		d.ID, d.Type = w.ID, w.Type
		fail := func(code, format string, args ...any) {
			where := fmt.Sprintf("requests[%d] (id %d, type %q): ", i, w.ID, w.Type)
			d.Err = Errorf(code, where+format, args...)
		}
		if w.ID == 0 {
			fail(CodeBadRequest, "field id: must be non-zero")
			continue
		}
		if duplicateID(b.Requests[:i], seen, w.ID) {
			fail(CodeBadRequest, "field id: duplicate in this batch")
			continue
		}
		mk, ok := requestTypes[w.Type]
		if !ok {
			fail(CodeUnknownType, "unknown request type")
			continue
		}
		req := mk()
		switch fd, isFast := req.(fastDecoder); {
		case isFast && fd.decodeFast(w.Body):
			// canonical bulk body decoded without reflection
		case len(w.Body) == 0 || bytes.Equal(w.Body, []byte("null")) || bytes.Equal(w.Body, []byte("{}")):
			// zero value (Ping and other field-less requests)
		default:
			req = mk() // the fast decoder may have left partial state
			if err := strictUnmarshal(w.Body, req); err != nil {
				fail(CodeBadRequest, "body: %v", err)
				continue
			}
		}
		if v, ok := req.(validator); ok {
			if err := v.Validate(); err != nil {
				fail(CodeInvalidArgument, "%v", err)
				continue
			}
		}
		d.Req = req
	}
	return out, nil
}

// duplicateID reports whether id occurs in earlier (small batches, linear
// scan) or in seen (large batches; id is then recorded in seen).
func duplicateID(earlier []wireRequest, seen map[uint64]struct{}, id uint64) bool {
	if seen == nil {
		for _, e := range earlier {
			if e.ID == id {
				return true
			}
		}
		return false
	}
	if _, dup := seen[id]; dup {
		return true
	}
	seen[id] = struct{}{}
	return false
}

// EncodeRequests encodes a request batch with the given ids.
func EncodeRequests(ids []uint64, reqs []Request) ([]byte, error) {
	if len(ids) != len(reqs) {
		return nil, errors.New("bus: ids and requests differ in length")
	}
	// The envelope is built by hand: json.Marshal would re-scan and compact
	// every (possibly multi-megabyte) body.
	b := append(make([]byte, 0, 64*len(reqs)), `{"requests":[`...)
	for i, r := range reqs {
		if r == nil {
			return nil, fmt.Errorf("bus: request %d is nil", i)
		}
		if f, ok := r.(fastEncoder); ok {
			// Bulk bodies are appended in place instead of copied.
			b = appendElementHead(b, i, ids[i], r.RequestType())
			b = append(f.appendJSON(b), '}')
			continue
		}
		body, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("bus: encode %s: %w", r.RequestType(), err)
		}
		b = appendElement(b, i, ids[i], r.RequestType(), body)
	}
	return append(b, "]}"...), nil
}

// appendElement appends one {"id":..,"type":..,"body":..} element.
func appendElement(b []byte, i int, id uint64, typ string, body []byte) []byte {
	b = appendElementHead(b, i, id, typ)
	b = append(b, body...)
	return append(b, '}')
}

// appendElementHead appends an element up to and including "body":.
func appendElementHead(b []byte, i int, id uint64, typ string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, typ)
	return append(b, `,"body":`...)
}

// EncodeResponses encodes a response batch.
func EncodeResponses(ids []uint64, resps []Response) ([]byte, error) {
	b := append(make([]byte, 0, 64*len(resps)), `{"responses":[`...)
	for i, r := range resps {
		if f, ok := r.(fastEncoder); ok {
			b = appendElementHead(b, i, ids[i], r.ResponseType())
			b = append(f.appendJSON(b), '}')
			continue
		}
		body, err := json.Marshal(r)
		if err != nil {
			e := Errorf(CodeInternal, "encode %s response: %v", r.ResponseType(), err)
			r, body = e, mustJSON(e)
		}
		b = appendElement(b, i, ids[i], r.ResponseType(), body)
	}
	return append(b, "]}"...), nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only used for types that always marshal
	}
	return b
}

// DecodedResponse is one response of a batch.
type DecodedResponse struct {
	ID   uint64
	Resp Response
}

// DecodeResponses decodes a response frame body. Unknown response types and
// undecodable bodies become *Error values, so one bad element does not hide
// the others.
func DecodeResponses(body []byte) ([]DecodedResponse, error) {
	var b wireResponseBatch
	if ws, ok := fastEnvelope(body, "responses"); ok {
		for _, w := range ws {
			b.Responses = append(b.Responses, wireResponse(w))
		}
	} else if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("bus: response batch: %w", jsonError(err))
	}
	out := make([]DecodedResponse, len(b.Responses))
	for i, w := range b.Responses {
		out[i].ID = w.ID
		mk, ok := responseTypes[w.Type]
		if !ok {
			out[i].Resp = Errorf(CodeUnknownType, "unknown response type %q", w.Type)
			continue
		}
		r := mk()
		if fd, ok := r.(fastDecoder); ok && fd.decodeFast(w.Body) {
			out[i].Resp = r
			continue
		}
		r = mk()
		if len(w.Body) > 0 {
			// Lenient on purpose: a newer daemon may add fields.
			if err := json.Unmarshal(w.Body, r); err != nil {
				out[i].Resp = Errorf(CodeBadRequest, "decode %s response: %v", w.Type, jsonError(err))
				continue
			}
		}
		out[i].Resp = r
	}
	return out, nil
}

package bus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Frame layout (all integers big-endian):
//
//	offset 0  4 bytes  magic "LQBS"
//	offset 4  u16      protocol version (ProtocolVersion)
//	offset 6  u16      flags, must be 0 (reserved)
//	offset 8  u32      body length in bytes
//	offset 12 body     JSON (see codec.go)
const (
	// ProtocolVersion is bumped on any incompatible wire change.
	ProtocolVersion = 1
	// HeaderSize is the fixed frame header size.
	HeaderSize = 12
	// DefaultMaxFrameSize bounds a request frame body accepted by the
	// server (and, by default, a request the client is willing to send).
	DefaultMaxFrameSize = 16 << 20
	// DefaultMaxResponseSize bounds a response frame body accepted by the
	// client (listing a large mapping table can exceed 16 MiB).
	DefaultMaxResponseSize = 128 << 20
)

var magic = [4]byte{'L', 'Q', 'B', 'S'}

// Frame decoding errors. A server answers each with an error response and
// closes the connection, since the stream cannot be resynchronised.
var (
	ErrBadMagic           = errors.New("bad frame magic (not an lqos bus peer?)")
	ErrUnsupportedVersion = errors.New("unsupported protocol version")
	ErrBadFlags           = errors.New("reserved frame flags set")
	ErrFrameTooLarge      = errors.New("frame too large")
	ErrEmptyFrame         = errors.New("empty frame body")
)

// header is a decoded frame header.
type header struct {
	version uint16
	flags   uint16
	length  uint32
}

func putHeader(b []byte, n int) {
	copy(b[0:4], magic[:])
	binary.BigEndian.PutUint16(b[4:6], ProtocolVersion)
	binary.BigEndian.PutUint16(b[6:8], 0)
	binary.BigEndian.PutUint32(b[8:12], uint32(n))
}

// parseHeader validates a frame header against maxSize.
func parseHeader(b []byte, maxSize int) (header, error) {
	if len(b) < HeaderSize {
		return header{}, io.ErrUnexpectedEOF
	}
	if !bytes.Equal(b[0:4], magic[:]) {
		return header{}, fmt.Errorf("%w: % x", ErrBadMagic, b[0:4])
	}
	h := header{
		version: binary.BigEndian.Uint16(b[4:6]),
		flags:   binary.BigEndian.Uint16(b[6:8]),
		length:  binary.BigEndian.Uint32(b[8:12]),
	}
	if h.version != ProtocolVersion {
		return h, fmt.Errorf("%w: peer speaks %d, this side %d", ErrUnsupportedVersion, h.version, ProtocolVersion)
	}
	if h.flags != 0 {
		return h, fmt.Errorf("%w: %#04x", ErrBadFlags, h.flags)
	}
	if h.length == 0 {
		return h, ErrEmptyFrame
	}
	if uint64(h.length) > uint64(maxSize) {
		return h, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, h.length, maxSize)
	}
	return h, nil
}

// DecodeFrame decodes one frame from the start of b and returns its body and
// the remaining bytes. It never allocates more than len(b) and rejects bodies
// over maxSize before looking at them. If b holds only part of a frame it
// returns io.ErrUnexpectedEOF.
func DecodeFrame(b []byte, maxSize int) (body, rest []byte, err error) {
	h, err := parseHeader(b, maxSize)
	if err != nil {
		return nil, b, err
	}
	end := HeaderSize + int(h.length)
	if len(b) < end {
		return nil, b, io.ErrUnexpectedEOF
	}
	return b[HeaderSize:end], b[end:], nil
}

// AppendFrame appends a frame carrying body to dst.
func AppendFrame(dst, body []byte) []byte {
	var h [HeaderSize]byte
	putHeader(h[:], len(body))
	return append(append(dst, h[:]...), body...)
}

// ReadFrame reads one frame body from r. The size limit is checked before
// any body memory is allocated, and a large body is only allocated once its
// first 64 KiB have arrived, so a lying header alone cannot make the reader
// allocate maxSize.
func ReadFrame(r io.Reader, maxSize int) ([]byte, error) {
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return nil, err
	}
	h, err := parseHeader(hb[:], maxSize)
	if err != nil {
		return nil, err
	}
	return readBody(r, int(h.length))
}

// readBody reads an n-byte frame body. The first 64 KiB must arrive before
// the whole body is allocated, so a header announcing 16 MiB must be backed
// by real data before that much memory is committed. After that, one exact
// allocation (no regrowth copies).
func readBody(r io.Reader, n int) ([]byte, error) {
	const chunk = 64 << 10
	head := make([]byte, min(n, chunk))
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, unexpected(err)
	}
	if n == len(head) {
		return head, nil
	}
	body := make([]byte, n)
	copy(body, head)
	if _, err := io.ReadFull(r, body[len(head):]); err != nil {
		return nil, unexpected(err)
	}
	return body, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writeFrame writes a frame. Small frames are assembled in *scratch (reused
// by the caller, who serialises writes) and sent with one write; large ones
// go out as header plus body without copying the body.
func writeFrame(w io.Writer, scratch *[]byte, body []byte) error {
	var h [HeaderSize]byte
	putHeader(h[:], len(body))
	if len(body) <= 64<<10 {
		buf := append(append((*scratch)[:0], h[:]...), body...)
		*scratch = buf
		_, err := w.Write(buf)
		return err
	}
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

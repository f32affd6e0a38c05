package stats

// Ring is a fixed-size ring buffer that keeps the latest values. Not safe
// for concurrent use on its own; the Collector guards it.
type Ring[T any] struct {
	buf  []T
	next int
	full bool
}

// NewRing returns a ring holding up to n values (n >= 1).
func NewRing[T any](n int) *Ring[T] {
	return &Ring[T]{buf: make([]T, max(n, 1))}
}

// Push adds v, dropping the oldest value when full.
func (r *Ring[T]) Push(v T) {
	r.buf[r.next] = v
	r.next++
	if r.next == len(r.buf) {
		r.next = 0
		r.full = true
	}
}

// Len is the number of values held.
func (r *Ring[T]) Len() int {
	if r.full {
		return len(r.buf)
	}
	return r.next
}

// Snapshot copies the values, oldest first.
func (r *Ring[T]) Snapshot() []T {
	if !r.full {
		return append([]T(nil), r.buf[:r.next]...)
	}
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// Last returns the newest value.
func (r *Ring[T]) Last() (T, bool) {
	var zero T
	if r.Len() == 0 {
		return zero, false
	}
	i := r.next - 1
	if i < 0 {
		i = len(r.buf) - 1
	}
	return r.buf[i], true
}

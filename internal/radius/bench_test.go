package radius

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"layeh.com/radius/rfc2866"
)

// BenchmarkStarts sends Accounting-Request Starts for distinct sessions
// over loopback UDP to a real listener recording real sessions, keeping a
// window of requests in flight as a busy BNG does, and reports Starts per
// second and how many went unanswered (lost).
func BenchmarkStarts(b *testing.B) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sessions := NewSessions(15*time.Minute, 2*time.Minute, nil)
	srv := &Server{Clients: []Client{{Name: "nas", Sources: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Secret: secret}},
		Handle: func(ev Event) { sessions.Apply(ev) }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, pc)
	conn, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	// Pre-encode the requests so the benchmark measures the listener.
	reqs := make([][]byte, b.N)
	for i := range reqs {
		p := acct{status: rfc2866.AcctStatusType_Value_Start, session: fmt.Sprintf("s%d", i), user: fmt.Sprintf("u%d", i),
			ip: fmt.Sprintf("100.%d.%d.%d", 64+i>>16&63, i>>8&255, i&255), rate: "10M/50M"}.packet(b)
		p.Identifier = byte(i)
		reqs[i] = mustEncode(b, p)
	}
	// A window of requests in flight: the reader hands a slot back for
	// every answer, so the sender never overruns the listener.
	const window = 64
	slots := make(chan struct{}, window)
	answered := make(chan int, 1)
	go func() {
		buf := make([]byte, 4096)
		n := 0
		for n < b.N {
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := conn.Read(buf); err != nil {
				break // a lost request: its slot never comes back
			}
			n++
			<-slots
		}
		answered <- n
	}()
	b.ResetTimer()
	start := time.Now()
	for i := range reqs {
		select {
		case slots <- struct{}{}:
		case n := <-answered:
			b.Fatalf("%d of %d answered before the window stalled", n, b.N)
		}
		if _, err := conn.Write(reqs[i]); err != nil {
			b.Fatal(err)
		}
	}
	got := <-answered
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(got)/elapsed.Seconds(), "starts/s")
	b.ReportMetric(float64(b.N-got), "lost")
	if sessions.Len() != got {
		b.Errorf("%d sessions recorded for %d answers", sessions.Len(), got)
	}
}

package bus

import "testing"

// BenchmarkEncodeMapIPs100k / BenchmarkDecodeMapIPs100k isolate the codec
// cost of a 100k-mapping request from the socket.
func BenchmarkEncodeMapIPs100k(b *testing.B) {
	req := []Request{&MapIPs{Mappings: mappings(100_000)}}
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := EncodeRequests([]uint64{1}, req); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkDecodeMapIPs100k(b *testing.B) {
	body, err := EncodeRequests([]uint64{1}, []Request{&MapIPs{Mappings: mappings(100_000)}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, ferr := DecodeRequests(body); ferr != nil {
			b.Fatal(ferr)
		}
	}
	reportCPU(b, cpu0)
}

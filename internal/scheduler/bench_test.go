package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchInputs writes a ShapedDevices.csv with n circuits under AP_A.
func benchInputs(b *testing.B, n int) string {
	dir := b.TempDir()
	var sb strings.Builder
	sb.WriteString("Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n")
	for i := range n {
		fmt.Fprintf(&sb, "c%d,Circuit %d,d%d,Device %d,AP_A,,100.%d.%d.%d,,10,5,100,20,\n", i, i, i, i, 64+i>>16, (i>>8)&255, i&255)
	}
	os.WriteFile(filepath.Join(dir, FileShapedDevices), []byte(sb.String()), 0o644)
	net, _ := os.ReadFile("testdata/network.json")
	os.WriteFile(filepath.Join(dir, FileNetwork), net, 0o644)
	return dir
}

// BenchmarkPoll is the cost of one idle poll (nothing changed).
func BenchmarkPoll(b *testing.B) {
	dir := benchInputs(b, 10000)
	for b.Loop() {
		fingerprint(dir)
	}
}

// BenchmarkReadInputs10k reads and hashes 10k circuits (a detected change).
func BenchmarkReadInputs10k(b *testing.B) {
	dir := benchInputs(b, 10000)
	for b.Loop() {
		if _, err := ReadInputs(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate10k validates 10k circuits as before every apply.
func BenchmarkValidate10k(b *testing.B) {
	in, err := ReadInputs(benchInputs(b, 10000))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := (InputsValidator{}).Validate(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

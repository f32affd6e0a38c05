// Command gentypes writes the TypeScript declarations of the web UI's API
// types (run by go generate in internal/webui).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/libreqos-go/lqos/internal/webui"
)

func main() {
	out := flag.String("o", "", "output file")
	flag.Parse()
	var b bytes.Buffer
	if err := webui.WriteTypeScript(&b); err != nil {
		fmt.Fprintln(os.Stderr, "gentypes:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gentypes:", err)
		os.Exit(1)
	}
}

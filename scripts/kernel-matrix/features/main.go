// Command features prints the optional data-path features this kernel
// offers, as the data path's own probe finds them: one line of
// "name=yes|no" pairs, then one line per missing feature with the reason.
package main

import (
	"fmt"

	"github.com/libreqos-go/lqos/internal/datapath"
)

func main() {
	fs := datapath.ProbeFeatures()
	fmt.Println(fs.String())
	for _, f := range fs.MissingList() {
		fmt.Printf("missing %s: %s\n", f, fs.Missing[f])
	}
}

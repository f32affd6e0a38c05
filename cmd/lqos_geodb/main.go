// Command lqos_geodb makes the IP data directory lqosd reads (make geo):
// the ASN database converted from the pinned open CSV and the city
// databases, with their licences.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/libreqos-go/lqos/internal/geoip/geobuild"
)

func main() {
	from := flag.String("from", "web/node_modules", "npm packages directory (npm ci in web/)")
	out := flag.String("out", "bin/geo", "output directory (install copies it to /usr/share/lqos/geo)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "lqos_geodb: unexpected argument", flag.Arg(0))
		os.Exit(2)
	}
	if err := geobuild.Build(*from, *out); err != nil {
		fmt.Fprintln(os.Stderr, "lqos_geodb:", err)
		os.Exit(1)
	}
	fmt.Println("IP data written to", *out)
}

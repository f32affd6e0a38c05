// Package web holds the built front end (dist/, produced by `npm run build`
// in this directory) so Go binaries can embed it without needing node.
package web

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist returns the built assets rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// Only possible if the embed directive above is changed.
		panic(err)
	}
	return sub
}

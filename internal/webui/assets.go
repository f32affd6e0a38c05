package webui

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// hashedAsset matches the content-hashed names web/build.mjs gives every
// file under assets/ ("tree-4CTG3PFR.js", "chunk-ABCD1234.js").
var hashedAsset = regexp.MustCompile(`-[A-Z0-9]{8}\.[a-z0-9]+$`)

// handleAssetFiles serves files under assets/ of the embedded build (no
// directory listings). A name with a content hash never changes meaning,
// so the browser may keep it for a year without asking again; other files
// must be revalidated.
func (s *Server) handleAssetFiles(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if !strings.HasPrefix(name, "assets/") {
		http.NotFound(w, r)
		return
	}
	st, err := fs.Stat(s.assets, name)
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	if hashedAsset.MatchString(name) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if gz := s.gzipped(name); gz != nil && acceptsGzip(r) {
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		if r.Method != http.MethodHead {
			w.Write(gz)
		}
		return
	}
	http.ServeFileFS(w, r, s.assets, name)
}

package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/overrides"
	"github.com/libreqos-go/lqos/internal/topology"
)

// The operator/integration input files the scheduler watches and applies.
const (
	FileShapedDevices = "ShapedDevices.csv"
	FileNetwork       = "network.json"
	FileOverrides     = "lqos_overrides.json"
)

// InputFiles lists them in hashing order.
var InputFiles = []string{FileShapedDevices, FileNetwork, FileOverrides}

// Inputs is one snapshot of the input files: what was validated is exactly
// what is handed to the QueueRefresher.
type Inputs struct {
	Dir string
	// Files holds the content of the files that exist.
	Files map[string][]byte
	// Hash is a content hash over all files (absent ones included as such).
	Hash string
	// Parsed is whatever the Validator produced (e.g. the loaded inputs), for
	// the QueueRefresher.
	Parsed any
	// fp is the fingerprint of the content read (see fingerprint).
	fp string
}

// Has reports whether a file exists in the snapshot.
func (in *Inputs) Has(name string) bool { _, ok := in.Files[name]; return ok }

// Validator checks a snapshot before it may be applied. An error means the
// snapshot must not reach the QueueRefresher; it should list every problem
// with file, line and field.
type Validator interface {
	Validate(ctx context.Context, in *Inputs) (warnings []string, err error)
}

// QueueRefresher builds or updates the queues from validated inputs. It
// takes the apply lock itself (or hands the apply to lqosd, which takes it).
type QueueRefresher interface {
	Refresh(ctx context.Context, r RefreshRequest) error
}

// RefreshRequest is one refresh.
type RefreshRequest struct {
	Inputs *Inputs
	// Full asks for a complete setup (start-up); otherwise only the
	// difference may be applied.
	Full bool
	// Waiting, if set, is told once when the apply has to wait for another
	// one (the apply lock is held), so the scheduler can show it.
	Waiting func(*lock.BusyError)
}

// fingerprint is the change detector of the poll: a SHA-256 over the
// content of every input file (an absent or unreadable one marked as
// such). Content, not modification times: a file rewritten within the
// file system's timestamp granularity, or copied with its times kept
// (cp -p, rsync -t), is still seen as changed, and one merely touched is
// not.
func fingerprint(dir string) string {
	h := sha256.New()
	for _, n := range InputFiles {
		data, err := os.ReadFile(filepath.Join(dir, n))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(h, "%s absent\n", n)
		case err != nil:
			fmt.Fprintf(h, "%s unreadable: %v\n", n, err)
		default:
			fmt.Fprintf(h, "%s %d\n", n, len(data))
			h.Write(data)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ReadInputs reads the input files of dir. A missing file is not an error
// (the caller decides what is required); any other read error is.
func ReadInputs(dir string) (*Inputs, error) {
	in := &Inputs{Dir: dir, Files: map[string][]byte{}}
	h := sha256.New()
	for _, n := range InputFiles {
		p := filepath.Join(dir, n)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(h, "%s absent\n", n)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		in.Files[n] = data
		fmt.Fprintf(h, "%s %d\n", n, len(data))
		h.Write(data)
	}
	in.Hash = hex.EncodeToString(h.Sum(nil))
	// The same digest as fingerprint's over what was read: a poll sees a
	// change exactly when the content differs from this snapshot.
	in.fp = in.Hash
	return in, nil
}

// restore puts the files of snapshot to back on disk atomically, removing
// files that did not exist in it. Used to undo an integration's rejected or
// partial output.
func restore(to *Inputs) error {
	var errs []error
	for _, n := range InputFiles {
		p := filepath.Join(to.Dir, n)
		data, ok := to.Files[n]
		if !ok {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		if cur, err := os.ReadFile(p); err == nil && string(cur) == string(data) {
			continue
		}
		if err := writeAtomic(p, data); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeAtomic replaces p (keeping its permissions), so readers see the old
// or the new content, never a mix.
func writeAtomic(p string, data []byte) error {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(p); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := atomicfile.Write(p, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// InputsValidator checks a snapshot exactly as libreqos and lqosd do
// (internal/inputs: every file, the overrides applied, the cross-file
// checks), but on the bytes of the snapshot, so what was checked is what
// is applied. Parsed is set to *inputs.Inputs.
type InputsValidator struct {
	// Config is attached to the result (may be nil in tests).
	Config *config.Config
}

// Validate implements Validator.
func (v InputsValidator) Validate(_ context.Context, in *Inputs) ([]string, error) {
	var l diag.List
	path := func(n string) string { return filepath.Join(in.Dir, n) }
	var sd *devices.File
	if data, ok := in.Files[FileShapedDevices]; ok {
		var dl diag.List
		sd, dl = devices.Parse(path(FileShapedDevices), data)
		l.Merge(dl)
	} else {
		sd = &devices.File{Path: path(FileShapedDevices)}
		l.Errorf(FileShapedDevices, 0, "", "missing in %s", in.Dir)
	}
	var nw *topology.Network
	if data, ok := in.Files[FileNetwork]; ok {
		var nl diag.List
		nw, nl = topology.Parse(path(FileNetwork), data)
		l.Merge(nl)
	} else {
		nw = &topology.Network{Path: path(FileNetwork)}
		l.Errorf(FileNetwork, 0, "", "missing in %s (use {} for a flat network)", in.Dir)
	}
	ov := &overrides.File{}
	if data, ok := in.Files[FileOverrides]; ok {
		var ol diag.List
		ov, ol = overrides.Parse(path(FileOverrides), data)
		l.Merge(ol)
	}
	res := &inputs.Inputs{Config: v.Config, Devices: sd, Network: nw, Overrides: ov}
	if !l.HasErrors() {
		l.Merge(ov.Apply(sd, nw))
		l.Merge(res.CrossCheck())
	}
	l.Sort()
	var warns []string
	for _, p := range l.Warnings() {
		warns = append(warns, p.String())
	}
	if err := l.Err(); err != nil {
		return warns, err
	}
	in.Parsed = res
	return warns, nil
}

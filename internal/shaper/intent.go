package shaper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/plan"
)

// The record (the applied tree with its IP mappings, and the class
// identities) is written before the kernel is touched: it states the intent.
// When it cannot be written (a full or read-only state directory) nothing is
// applied, so the kernel, the mappings and the record never disagree. When
// the kernel or the mappings then fail, both are put back to the previous
// record and the previous record is restored. lqosd's drift check repairs
// the kernel and the mappings towards whatever the record says, so even a
// crash half-way through converges on the intended tree.

// ErrStateWrite is matched (errors.Is) by a refresh that applied nothing
// because the state directory could not be written. Retrying once the cause
// is gone is safe.
var ErrStateWrite = errors.New("state directory not writable")

// WriteFunc replaces a file atomically (atomicfile.Write by default).
type WriteFunc func(path string, data []byte, perm fs.FileMode) error

// SetWriteFile replaces how the engine writes state files (tests inject a
// writer that fails as a full disk does).
func (e *Engine) SetWriteFile(w WriteFunc) { e.writeFile = w }

func (e *Engine) write(path string, data []byte) error {
	if e.writeFile != nil {
		return e.writeFile(path, data, 0o600)
	}
	return atomicfile.Write(path, data, 0o600)
}

// savedFile is a state file's content before this run (nil: it did not exist).
type savedFile struct {
	path string
	data []byte
}

func readSaved(path string) (savedFile, error) {
	data, err := atomicfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return savedFile{path: path}, nil
	}
	return savedFile{path: path, data: data}, err
}

// writeIntent records the tree about to be applied and the identities it
// uses, returning the previous files so a failed apply can restore them.
func (e *Engine) writeIntent(ids *plan.Identities, t *plan.Tree) ([]savedFile, error) {
	if err := os.MkdirAll(e.statePath("shaping"), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v; nothing was applied", ErrStateWrite, err)
	}
	idData, err := plan.MarshalIdentities(ids)
	if err != nil {
		return nil, err
	}
	treeData, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var undo []savedFile
	for _, f := range []struct {
		path string
		data []byte
	}{{e.IdentitiesPath(), idData}, {e.appliedTreePath(), treeData}} {
		old, err := readSaved(f.path)
		if err != nil {
			e.restore(undo)
			return nil, fmt.Errorf("%w: read %s: %v; nothing was applied", ErrStateWrite, f.path, err)
		}
		if err := e.write(f.path, f.data); err != nil {
			e.restore(undo)
			return nil, fmt.Errorf("%w: record %s before applying: %v; nothing was applied", ErrStateWrite, f.path, err)
		}
		undo = append(undo, old)
	}
	return undo, nil
}

// restore puts the saved files back.
func (e *Engine) restore(saved []savedFile) error {
	var errs []error
	for _, f := range saved {
		if f.data == nil {
			if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		if err := e.write(f.path, f.data); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// applyState says how far a refresh got, for the roll-back.
type applyState struct {
	prev           *plan.Tree
	undo           []savedFile
	kernelChanged  bool // a kernel apply succeeded
	mappingsChange bool // the mapping store was asked to change
}

// rollBack returns the kernel, the mappings and the record to the previous
// record. Without a previous record (the first apply) the intent is kept:
// the drift check then completes it rather than leaving half a tree.
func (e *Engine) rollBack(ctx context.Context, st *applyState, cause error) error {
	if st.prev == nil {
		e.log.Error("first apply failed; the record keeps the intended tree so lqosd's drift check completes it", "err", cause)
		return cause
	}
	var errs []error
	if st.mappingsChange && e.mappings != nil {
		if err := e.mappings.ReplaceAll(ctx, st.prev.Mappings); err != nil {
			errs = append(errs, fmt.Errorf("restore IP mappings: %w", err))
		}
	}
	if st.kernelChanged {
		if _, err := e.kernel.Apply(ctx, st.prev, e.log); err != nil {
			errs = append(errs, fmt.Errorf("restore the previous tree: %w", err))
		}
	}
	if len(errs) > 0 {
		// Keep the intent: the drift check converges on it, mappings included.
		e.log.Error("rolling back a failed apply failed; the record keeps the intended tree for the drift check", "err", errors.Join(errs...))
		return fmt.Errorf("%w (rolling back also failed: %w)", cause, errors.Join(errs...))
	}
	if err := e.restore(st.undo); err != nil {
		e.log.Error("previous tree restored in the kernel, but not in the record; the drift check will re-apply the intended tree", "err", err)
		return fmt.Errorf("%w (restoring the record: %v)", cause, err)
	}
	return fmt.Errorf("%w (previous tree and mappings restored)", cause)
}

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

// savedFile is a state file's content before this run (nil: it did not
// exist). For the journal, journal is set and size is the length to cut it
// back to (-1: remove it).
type savedFile struct {
	path    string
	data    []byte
	journal bool
	size    int64
}

func readSaved(path string) (savedFile, error) {
	data, err := atomicfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return savedFile{path: path}, nil
	}
	return savedFile{path: path, data: data}, err
}

// writeIntent records the tree about to be applied and the identities it
// uses, returning what a failed apply must put back. A change the journal
// can carry is appended to it; otherwise (and when the journal has grown
// large) both base files are rewritten and the journal removed.
func (e *Engine) writeIntent(ids *plan.Identities, t *plan.Tree) ([]savedFile, error) {
	if err := os.MkdirAll(e.statePath("shaping"), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %v; nothing was applied", ErrStateWrite, err)
	}
	r := e.cachedRecord()
	if r != nil && (!r.journalOK || r.journal.Size < max(r.baseSize/4, 64<<10)) {
		if entry, ok := diffRecord(r, ids, t); ok {
			before, err := e.appendJournal(r, entry)
			if err != nil {
				e.forgetRecord()
				return nil, fmt.Errorf("%w: record %s before applying: %v; nothing was applied", ErrStateWrite, e.journalPath(), err)
			}
			e.rememberRecord(ids, t)
			return []savedFile{{path: e.journalPath(), journal: true, size: before}}, nil
		}
	}
	return e.writeBase(ids, t)
}

// writeBase rewrites both base files and removes the journal.
func (e *Engine) writeBase(ids *plan.Identities, t *plan.Tree) ([]savedFile, error) {
	idData, err := plan.MarshalIdentities(ids)
	if err != nil {
		return nil, err
	}
	treeData, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	// What to put back: the files as they are, or, when a journal holds
	// changes on top of them, the record they make together.
	var olds []savedFile
	var oldJournal bool
	if entries, err := readJournal(e.journalPath(), e.appliedTreePath(), e.IdentitiesPath()); err == nil && len(entries) > 0 {
		ot, oids, terr, ierr := e.loadRecord()
		if terr == nil && ierr == nil && ot != nil {
			od, err1 := plan.MarshalIdentities(oids)
			tdata, err2 := json.Marshal(ot)
			if err1 == nil && err2 == nil {
				olds = []savedFile{{path: e.IdentitiesPath(), data: od}, {path: e.appliedTreePath(), data: tdata}}
				oldJournal = true
			}
		}
	}
	var undo []savedFile
	for i, f := range []struct {
		path string
		data []byte
	}{{e.IdentitiesPath(), idData}, {e.appliedTreePath(), treeData}} {
		var old savedFile
		if oldJournal {
			old = olds[i]
		} else if old, err = readSaved(f.path); err != nil {
			e.restore(undo)
			return nil, fmt.Errorf("%w: read %s: %v; nothing was applied", ErrStateWrite, f.path, err)
		}
		if err := e.write(f.path, f.data); err != nil {
			if oldJournal {
				undo = olds // the journal is void once one base file changed
			}
			e.restore(undo)
			return nil, fmt.Errorf("%w: record %s before applying: %v; nothing was applied", ErrStateWrite, f.path, err)
		}
		undo = append(undo, old)
	}
	// The new base files void the journal; remove it.
	if err := truncateJournal(e.journalPath(), -1); err != nil {
		e.log.Warn("could not remove the record journal (the new base files void it)", "err", err)
	}
	e.rememberRecord(ids, t)
	return undo, nil
}

// restore puts the saved files back.
func (e *Engine) restore(saved []savedFile) error {
	e.forgetRecord()
	var errs []error
	for _, f := range saved {
		if f.journal {
			if err := e.truncateJournalVia(f.path, f.size); err != nil {
				errs = append(errs, err)
			}
			continue
		}
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

// truncateJournalVia cuts the journal back, through the injected writer
// when there is one (so it sees every state write).
func (e *Engine) truncateJournalVia(path string, n int64) error {
	if e.writeFile == nil || n < 0 {
		return truncateJournal(path, n)
	}
	data, err := atomicfile.ReadFile(path)
	if err != nil {
		return err
	}
	return e.writeFile(path, data[:min(int64(len(data)), n)], 0o600)
}

// Package atomicfile replaces files so that readers, and a crash at any
// moment, see either the old content or the new one, never a mix.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to a temporary file next to path with mode perm,
// flushes it to disk, renames it over path and flushes the directory (best
// effort: the rename is already visible to readers). A symlink at path is
// replaced, never followed: the temporary file is created exclusively
// (O_EXCL) and rename(2) acts on the link itself.
func Write(path string, data []byte, perm fs.FileMode) (err error) {
	return write(path, data, perm, true)
}

// Replace is Write without flushing to disk: readers still see the old
// content or the new one, but a crash may leave the file empty or old. For
// files that are regenerated from the record anyway (views for the UI and
// the operator), where a flush per write costs more than it is worth.
func Replace(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, false)
}

func write(path string, data []byte, perm fs.FileMode, sync bool) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if sync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// initramfs collects the files of a newc cpio archive (the format the kernel
// unpacks into its rootfs) and writes it gzip-compressed.
type initramfs struct {
	entries map[string]cpioEntry
}

type cpioEntry struct {
	mode   uint32 // file type and permission bits
	data   []byte // file contents, or the target of a symlink
	source string // host file read at write time instead of data
}

const (
	modeDir     = 0o040000
	modeFile    = 0o100000
	modeSymlink = 0o120000
)

func newInitramfs() *initramfs { return &initramfs{entries: map[string]cpioEntry{}} }

// dir adds a directory and its parents.
func (r *initramfs) dir(p string) {
	p = strings.Trim(path.Clean(p), "/")
	for p != "." && p != "" {
		if _, ok := r.entries[p]; !ok {
			r.entries[p] = cpioEntry{mode: modeDir | 0o755}
		}
		p = path.Dir(p)
	}
}

// file adds a file with the given contents.
func (r *initramfs) file(p string, perm uint32, data []byte) {
	p = strings.Trim(path.Clean(p), "/")
	r.dir(path.Dir(p))
	r.entries[p] = cpioEntry{mode: modeFile | perm, data: data}
}

// copyFile adds the host file src at p (read when the archive is written).
func (r *initramfs) copyFile(p, src string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	p = strings.Trim(path.Clean(p), "/")
	r.dir(path.Dir(p))
	r.entries[p] = cpioEntry{mode: modeFile | uint32(st.Mode().Perm()), source: src}
	return nil
}

// symlink adds p pointing at target.
func (r *initramfs) symlink(p, target string) {
	p = strings.Trim(path.Clean(p), "/")
	r.dir(path.Dir(p))
	r.entries[p] = cpioEntry{mode: modeSymlink | 0o777, data: []byte(target)}
}

// has reports whether p is already in the archive.
func (r *initramfs) has(p string) bool {
	_, ok := r.entries[strings.Trim(path.Clean(p), "/")]
	return ok
}

// writeTo writes the gzip-compressed archive; parents sort before children.
func (r *initramfs) writeTo(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(r.entries))
	for n := range r.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	ino := uint32(1)
	for _, n := range names {
		e := r.entries[n]
		data := e.data
		if e.source != "" {
			if data, err = os.ReadFile(e.source); err != nil {
				return err
			}
		}
		if err := writeCpioRecord(zw, ino, n, e.mode, data); err != nil {
			return err
		}
		ino++
	}
	if err := writeCpioRecord(zw, 0, "TRAILER!!!", 0, nil); err != nil {
		return err
	}
	return zw.Close()
}

func writeCpioRecord(w io.Writer, ino uint32, name string, mode uint32, data []byte) error {
	nlink := 1
	if mode&0o170000 == modeDir {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	buf := append([]byte(hdr), name...)
	buf = append(buf, 0)
	buf = append(buf, make([]byte, pad4(len(buf)))...)
	buf = append(buf, data...)
	buf = append(buf, make([]byte, pad4(len(data)))...)
	_, err := w.Write(buf)
	return err
}

func pad4(n int) int { return (4 - n%4) % 4 }

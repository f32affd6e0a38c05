package integrations

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/libreqos-go/lqos/internal/devices"
)

// Output file names inside the target directory (lqos_directory).
const (
	NetworkFile = "network.json"
	DevicesFile = "ShapedDevices.csv"
)

// Plausibility decides whether an import may replace the previous files.
//
// The rule: an import with zero circuits never replaces a file that had
// circuits; and when the previous file had at least MinPrevious circuits, an
// import that loses more than MaxDrop of them (0.5 = more than half) is
// refused. Small installations (fewer than MinPrevious circuits) may change
// freely. A refused import leaves the last good files untouched; the
// operator can re-run with Force after checking the CRM.
type Plausibility struct {
	MinPrevious int
	MaxDrop     float64
}

// DefaultPlausibility refuses losing more than half of 10 or more circuits.
var DefaultPlausibility = Plausibility{MinPrevious: 10, MaxDrop: 0.5}

// ErrImplausible marks an import refused by the plausibility rule.
var ErrImplausible = errors.New("implausible import")

// Check returns an error wrapping ErrImplausible when next circuits should
// not replace prev circuits.
func (p Plausibility) Check(source string, prev, next int) error {
	if prev > 0 && next == 0 {
		return fmt.Errorf("%w: %s returned 0 circuits but the current %s has %d; keeping the last good files (check the integration's credentials and filters, or force the write)", ErrImplausible, source, DevicesFile, prev)
	}
	if prev >= p.MinPrevious && prev > 0 {
		drop := float64(prev-next) / float64(prev)
		if drop > p.MaxDrop {
			return fmt.Errorf("%w: %s returned %d circuits but the current %s has %d (a drop of %.0f%%, more than the allowed %.0f%%); keeping the last good files (force the write if this is intended)",
				ErrImplausible, source, next, DevicesFile, prev, math.Round(drop*100), p.MaxDrop*100)
		}
	}
	return nil
}

// WriteOptions tunes Write.
type WriteOptions struct {
	// Previous is the file being replaced; nil = read <dir>/ShapedDevices.csv.
	Previous *devices.File
	// Force skips the plausibility rule (never the validation).
	Force bool
	// Policy is the plausibility rule; zero value = DefaultPlausibility.
	Policy Plausibility
}

// WriteOutputs writes network.json and ShapedDevices.csv for a complete
// import into dir, refusing implausible imports. previous may be nil.
func WriteOutputs(dir string, res *Result, previous *devices.File) error {
	return Write(dir, res, WriteOptions{Previous: previous})
}

// Write validates res (both files must parse with the shaper's readers and
// every circuit parent must exist), applies the plausibility rule, then
// replaces each file atomically (temporary file in dir, fsync, rename).
// network.json is replaced first so the new circuits' parents exist when
// the new ShapedDevices.csv appears. On any error nothing is replaced.
func Write(dir string, res *Result, o WriteOptions) error {
	if res == nil || res.Network == nil {
		return errors.New("write outputs: no import result")
	}
	if err := res.Validate(); err != nil {
		return fmt.Errorf("%s import not written: %w", res.Source, err)
	}
	if !o.Force {
		prev := o.Previous
		if prev == nil {
			path := filepath.Join(dir, DevicesFile)
			if data, err := os.ReadFile(path); err == nil {
				prev, _ = devices.Parse(path, data)
			} else if !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%s import not written: reading the current %s: %w", res.Source, DevicesFile, err)
			}
		}
		pol := o.Policy
		if pol == (Plausibility{}) {
			pol = DefaultPlausibility
		}
		prevCount := 0
		if prev != nil {
			prevCount = len(prev.Circuits)
		}
		if err := pol.Check(res.Source, prevCount, len(res.Circuits)); err != nil {
			return err
		}
	}
	netTmp, err := writeTemp(dir, NetworkFile, res.NetworkJSON())
	if err != nil {
		return fmt.Errorf("%s import not written: %w", res.Source, err)
	}
	csvTmp, err := writeTemp(dir, DevicesFile, res.ShapedDevicesCSV())
	if err != nil {
		os.Remove(netTmp)
		return fmt.Errorf("%s import not written: %w", res.Source, err)
	}
	if err := os.Rename(netTmp, filepath.Join(dir, NetworkFile)); err != nil {
		os.Remove(netTmp)
		os.Remove(csvTmp)
		return fmt.Errorf("%s import not written: %w", res.Source, err)
	}
	if err := os.Rename(csvTmp, filepath.Join(dir, DevicesFile)); err != nil {
		os.Remove(csvTmp)
		return fmt.Errorf("%s import: network.json was replaced but %s was not: %w", res.Source, DevicesFile, err)
	}
	syncDir(dir)
	return nil
}

func writeTemp(dir, name string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	return tmp, nil
}

// syncDir makes the renames durable; failure only weakens crash safety.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

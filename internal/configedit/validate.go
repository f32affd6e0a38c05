package configedit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/overrides"
)

// check runs `libreqos validate`'s checks (lqos.conf, the inputs, their
// cross-checks and the planner) with candidate contents in place of some
// files. Candidates are written next to the originals (a hidden file beside
// lqos.conf, a hidden staging directory inside lqos_directory holding copies
// of the other inputs), so relative paths mean what they will mean once
// saved; all of them are removed before returning.
func (s *Store) check(candidates map[string][]byte) (diag.List, error) {
	cfgPath := s.ConfigPath
	if data, ok := candidates[ConfigFile]; ok {
		f, err := os.CreateTemp(filepath.Dir(s.ConfigPath), ".lqos.conf.candidate*")
		if err != nil {
			return diag.List{}, err
		}
		defer os.Remove(f.Name())
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return diag.List{}, werr
		}
		cfgPath = f.Name()
	}
	cfg, l := inputs.LoadConfig(cfgPath)
	renameFile(&l, filepath.Base(cfgPath), ConfigFile)
	splitConfigErrors(&l)
	if cfg == nil {
		return l, nil
	}
	_, net := candidates[NetworkFile]
	_, dev := candidates[DevicesFile]
	if net || dev {
		stage, err := os.MkdirTemp(cfg.LqosDirectory, ".lqos-edit-*")
		if err != nil {
			return diag.List{}, fmt.Errorf("staging the candidate in %s: %w", cfg.LqosDirectory, err)
		}
		defer os.RemoveAll(stage)
		for _, name := range []string{NetworkFile, DevicesFile, overrides.FileName} {
			data, ok := candidates[name]
			if !ok {
				b, err := os.ReadFile(filepath.Join(cfg.LqosDirectory, name))
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					return diag.List{}, err
				}
				data = b
			}
			if err := os.WriteFile(filepath.Join(stage, name), data, 0o600); err != nil {
				return diag.List{}, err
			}
		}
		cfg.LqosDirectory = stage
	}
	_, il := apply.Validate(cfg, s.Queues)
	l.Merge(il)
	l.Sort()
	return l, nil
}

func renameFile(l *diag.List, from, to string) {
	for i := range l.Problems {
		if l.Problems[i].File == from {
			l.Problems[i].File = to
		}
		l.Problems[i].Message = strings.ReplaceAll(l.Problems[i].Message, from, to)
	}
}

// keyPrefix is a TOML key at the start of one of config's messages
// ("queues.default_sqm: must not be empty", "ip_ranges.allow_subnets[2]: ...").
var keyPrefix = regexp.MustCompile(`^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)(\[\d+\])?: `)

// splitConfigErrors turns lqos.conf's joined error (one message, one line
// per problem) into one problem per line, each with the key it names as
// Field, so the editor can show it next to that field.
func splitConfigErrors(l *diag.List) {
	var out []diag.Problem
	for _, p := range l.Problems {
		if p.File != ConfigFile || p.Severity != diag.Error || p.Field != "" {
			out = append(out, p)
			continue
		}
		msg := strings.TrimPrefix(p.Message, "config ")
		if i := strings.Index(msg, ConfigFile+": "); i >= 0 && i < 200 {
			msg = msg[i+len(ConfigFile)+2:]
		}
		for _, line := range strings.Split(msg, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			q := p
			q.Message = line
			if m := keyPrefix.FindStringSubmatch(line); m != nil {
				q.Field = m[1]
				q.Message = strings.TrimSpace(line[len(m[0]):])
				if m[2] != "" {
					q.Message = m[2] + ": " + q.Message
				}
			}
			out = append(out, q)
		}
	}
	l.Problems = out
}

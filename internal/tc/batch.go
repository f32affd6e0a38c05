package tc

import (
	"strings"

	"github.com/libreqos-go/lqos/internal/plan"
)

// RenderBatch renders the tree as a `tc -batch` file (the upstream way:
// `tc -force -batch FILE`). The lines come from plan.RenderTC so there is one
// renderer; the tree is validated first so a bad plan fails the same way as
// Apply.
func RenderBatch(t *plan.Tree) (string, error) {
	if _, err := fromTree(t); err != nil {
		return "", err
	}
	lines := plan.RenderTC(t)
	return strings.Join(lines, "\n") + "\n", nil
}

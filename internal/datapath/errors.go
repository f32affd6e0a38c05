package datapath

import "fmt"

// CapacityError reports a batch that would overflow the mapping table.
type CapacityError struct {
	Have, Adding, Capacity int
}

func (e *CapacityError) Error() string {
	return fmt.Sprintf("mapping table full: %d present + %d new > capacity %d", e.Have, e.Adding, e.Capacity)
}

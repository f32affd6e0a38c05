package metrics

import (
	"time"

	"github.com/libreqos-go/lqos/internal/backoff"
)

// Backoff is the schedule of InfluxDB write retries.
type Backoff = backoff.Exponential

// DefaultBackoff waits 1 s, 2 s, 4 s ... up to a minute.
var DefaultBackoff = Backoff{Initial: time.Second, Max: time.Minute, Factor: 2}

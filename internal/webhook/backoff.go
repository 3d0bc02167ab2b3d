package webhook

import (
	"math/rand/v2"
	"time"
)

// The retry schedule: BaseBackoff after the first failed attempt, doubling each time, never
// more than MaxBackoff: 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min, then hourly.
const (
	BaseBackoff = 30 * time.Second
	MaxBackoff  = time.Hour
)

// Backoff is how long to wait before the next attempt after attempt failed attempts (1 for the
// first failure; less than 1 counts as 1). A random part of up to a quarter is taken off, so
// deliveries that failed together (a receiver or relay down for everyone) do not all come
// back in the same second; the result lies in (¾·d, d] for the nominal d above.
func Backoff(attempt int) time.Duration {
	attempt = max(attempt, 1)
	d := MaxBackoff
	// 30 s << 7 is already past the cap; stopping there also keeps the shift from overflowing.
	if attempt < 8 {
		d = min(BaseBackoff<<(attempt-1), MaxBackoff)
	}
	return d - rand.N(d/4)
}

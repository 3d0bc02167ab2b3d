package webhook

import (
	"math"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	tests := []struct {
		attempt int
		nominal time.Duration
	}{
		{math.MinInt, 30 * time.Second},
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{4, 4 * time.Minute},
		{5, 8 * time.Minute},
		{6, 16 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{9, time.Hour},
		{64, time.Hour},
		{math.MaxInt, time.Hour},
	}
	const samples = 200
	for _, tt := range tests {
		lo, hi := tt.nominal*3/4, tt.nominal
		seen := map[time.Duration]bool{}
		for range samples {
			d := Backoff(tt.attempt)
			if d <= lo || d > hi {
				t.Fatalf("Backoff(%d) = %v, want in (%v, %v]", tt.attempt, d, lo, hi)
			}
			seen[d] = true
		}
		// Jitter spreads retries: 200 draws from a range of minutes in nanoseconds repeating
		// themselves would mean there is none.
		if len(seen) < samples/2 {
			t.Errorf("Backoff(%d) gave only %d distinct values in %d draws", tt.attempt, len(seen), samples)
		}
	}
}

func TestBackoffGrows(t *testing.T) {
	// Even the shortest wait of an attempt is longer than the longest of two attempts before,
	// up to the cap: the growth is not lost in the jitter.
	for a := 3; a <= 8; a++ {
		if min, prevMax := Backoff(a), BaseBackoff<<(a-3); min <= prevMax {
			t.Errorf("Backoff(%d) = %v, not above Backoff(%d)'s maximum %v", a, min, a-2, prevMax)
		}
	}
}

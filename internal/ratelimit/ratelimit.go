// Package ratelimit holds a per-client token bucket, kept in memory on each node.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter is a per-client token bucket (unauthenticated reports, sign-in attempts). It is
// kept per node: behind a load balancer the effective limit is the per-node limit times the
// number of nodes, which still stops floods from one client.
type Limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	clients map[string]*bucket
	now     func() time.Time
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New allows perMinute events per key on average, in bursts of up to burst.
func New(perMinute, burst int, now func() time.Time) *Limiter {
	return &Limiter{rate: float64(perMinute) / 60, burst: float64(burst), clients: map[string]*bucket{}, now: now}
}

// Allow takes a token for key, reporting false when the client must wait.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		// Forget idle clients so the map cannot grow without bound.
		for k, b := range l.clients {
			if now.Sub(b.last) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	b, ok := l.clients[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.clients[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

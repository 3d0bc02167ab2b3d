// Package scheduler runs Vigil's background work on every node: queueing escalations as
// clocks cross their thresholds and delivering the outbox. Nodes coordinate only through
// the database (row locks, SKIP LOCKED claims, unique keys), so any number may run.
package scheduler

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/vigil-ir/vigil/internal/service"
)

// Options tune the loop.
type Options struct {
	Every  time.Duration // how often to look; escalations go out within about this long of falling due
	Batch  int           // clocks or deliveries per pass
	Logger *slog.Logger
}

// Backoff waits 30 s after the first failure, doubling up to an hour, with jitter so that
// nodes retrying the same endpoint do not do it in step.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second << min(attempt-1, 7)
	if d > time.Hour {
		d = time.Hour
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)))
}

// Run loops until ctx ends.
func Run(ctx context.Context, svc *service.Service, d service.Deliverer, o Options) {
	if o.Every <= 0 {
		o.Every = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = service.EscalateBatch
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(o.Every)
	defer t.Stop()
	for {
		Pass(ctx, svc, d, o)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass does one round: queue what has fallen due (repeating while a full batch came back),
// then deliver.
func Pass(ctx context.Context, svc *service.Service, d service.Deliverer, o Options) {
	for {
		n, err := svc.EscalatePass(ctx, o.Batch)
		if err != nil {
			if ctx.Err() == nil {
				o.Logger.Error("queueing escalations", "err", err)
			}
			break
		}
		if n == 0 {
			break
		}
	}
	for {
		n, err := svc.DeliverPass(ctx, d, 20, Backoff)
		if err != nil {
			if ctx.Err() == nil {
				o.Logger.Error("delivering escalations", "err", err)
			}
			return
		}
		if n == 0 {
			return
		}
	}
}

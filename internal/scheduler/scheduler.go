// Package scheduler runs Vigil's background work on every node: queueing escalations as
// clocks cross their thresholds and delivering the outbox. Nodes coordinate only through
// the database (row locks, SKIP LOCKED claims, unique keys), so any number may run.
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/webhook"
)

// Options tune the loop.
type Options struct {
	Every  time.Duration // how often to look; escalations go out within about this long of falling due
	Batch  int           // clocks or deliveries per pass
	Logger *slog.Logger
}

// Run loops until ctx ends.
func Run(ctx context.Context, svc *service.Service, d service.Deliverer, o Options) {
	o = o.withDefaults()
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

func (o Options) withDefaults() Options {
	if o.Every <= 0 {
		o.Every = time.Second
	}
	if o.Batch <= 0 {
		o.Batch = service.EscalateBatch
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Pass does one round: queue what has fallen due (repeating while a full batch came back),
// then deliver.
func Pass(ctx context.Context, svc *service.Service, d service.Deliverer, o Options) {
	o = o.withDefaults()
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
		n, err := svc.DeliverPass(ctx, d, 20, webhook.Backoff)
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

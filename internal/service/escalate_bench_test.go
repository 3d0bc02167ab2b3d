package service_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// BenchmarkEscalatePass measures a scheduler pass with 100,000 running clocks (issue target:
// ≤ 100 ms). "idle" is the usual case (nothing due); "batch-due" queues a full batch.
//
//	go test ./internal/service -run '^$' -bench EscalatePass -benchtime 20x
//
// VIGIL_BENCH_CLOCKS changes the number of clocks; add VIGIL_TEST_POSTGRES_URL for PostgreSQL.
func BenchmarkEscalatePass(b *testing.B) {
	n := 100_000
	if s := os.Getenv("VIGIL_BENCH_CLOCKS"); s != "" {
		fmt.Sscan(s, &n)
	}
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b, engine)
			aware := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
			c := &clock{aware}
			svc, err := service.New(ctx, st, service.Options{Now: c.now})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.AddUser(ctx, svc.System(), service.NewUser{Email: "dpo@example.org", Name: "D", Password: "Correct-Horse-Battery-9", Roles: []auth.Role{auth.RoleDPO}}); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			var wg sync.WaitGroup
			var failed sync.Once
			var firstErr error
			work := make(chan int)
			for w := 0; w < 64; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range work {
						// Spread awareness over the 30 days before "now" so thresholds fall at different times.
						a := aware.Add(-time.Duration(i%43200) * time.Minute)
						if _, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{Title: domain.Opt[string]{Set: true, Value: "bench"},
							Nature: domain.Opt[string]{Set: true, Value: "bench"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
							AwareAt: domain.Opt[*time.Time]{Set: true, Value: &a}}); err != nil {
							failed.Do(func() { firstErr = err })
						}
					}
				}()
			}
			for i := 0; i < n; i++ {
				work <- i
			}
			close(work)
			wg.Wait()
			if firstErr != nil {
				b.Fatal(firstErr)
			}
			b.Logf("%d incidents with running clocks created in %v", n, time.Since(start))

			b.Run("idle", func(b *testing.B) {
				c.t = aware.Add(-30 * 24 * time.Hour) // before any threshold
				for b.Loop() {
					if _, err := svc.EscalatePass(ctx, service.EscalateBatch); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("batch-due", func(b *testing.B) {
				c.t = aware.Add(60 * 24 * time.Hour) // everything due
				for b.Loop() {
					q, err := svc.EscalatePass(ctx, service.EscalateBatch)
					if err != nil {
						b.Fatal(err)
					}
					if q == 0 {
						b.Fatal("nothing left to escalate: raise VIGIL_BENCH_CLOCKS")
					}
				}
			})
		})
	}
}

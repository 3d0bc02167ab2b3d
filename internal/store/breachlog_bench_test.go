package store_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// BenchmarkBreachLogExport exports a breach log of 100,000 breaches, each with an
// assessment, a decision and a notification, as CSV, XLSX and PDF, and reports the peak heap
// seen while it runs (sampled every 5 ms), to show memory stays bounded while rows stream, and
// the CPU time the process spent per export.
//
//	go test ./internal/store -run '^$' -bench BreachLogExport -benchtime 1x
//
// VIGIL_BENCH_BREACHES changes the number; add VIGIL_TEST_POSTGRES_URL for PostgreSQL.
// Seeding copies one real breach (made through the service) with INSERT … SELECT, because
// 400,000 service writes would take longer than the export being measured.
func BenchmarkBreachLogExport(b *testing.B) {
	n := 100_000
	if s := os.Getenv("VIGIL_BENCH_BREACHES"); s != "" {
		fmt.Sscan(s, &n)
	}
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			st := storetest.Open(b, engine)
			svc := seedBreaches(b, st, n)
			for _, format := range []string{"csv", "xlsx", "pdf"} {
				b.Run(format, func(b *testing.B) {
					b.ReportAllocs()
					var peak atomic.Uint64
					done := make(chan struct{})
					go func() {
						var ms runtime.MemStats
						t := time.NewTicker(5 * time.Millisecond)
						defer t.Stop()
						for {
							runtime.ReadMemStats(&ms)
							if ms.HeapAlloc > peak.Load() {
								peak.Store(ms.HeapAlloc)
							}
							select {
							case <-done:
								return
							case <-t.C:
							}
						}
					}()
					var out countingWriter
					cpu0 := cpuTime()
					for b.Loop() {
						out = 0
						sum, err := svc.ExportBreachLog(context.Background(), svc.System(), service.ExportRequest{Format: format}, &out)
						if err != nil {
							b.Fatal(err)
						}
						if sum.Rows != n {
							b.Fatalf("%d rows, want %d", sum.Rows, n)
						}
					}
					b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
					close(done)
					b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
					b.ReportMetric(float64(out)/(1<<20), "file-MB")
				})
			}
		})
	}
}

// cpuTime is the process's user and system time: on a shared machine the wall time of a run
// says more about the neighbours than about the export.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

func seedBreaches(b *testing.B, st *store.Store, n int) *service.Service {
	b.Helper()
	ctx := context.Background()
	aware := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	now := aware.Add(2 * time.Hour)
	svc, err := service.New(ctx, st, service.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	sys := svc.System()
	if err := svc.SetBreachSettings(ctx, sys, service.BreachSettings{}); err != nil {
		b.Fatal(err)
	}
	inc, err := svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Spreadsheet of client addresses e-mailed to the wrong firm"},
		Nature:       domain.Opt[string]{Set: true, Value: "A caseworker sent the monthly client list to a similarly named firm; the recipient confirmed deletion the next day."},
		PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}, AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware},
		DiscoveredAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
	if err != nil {
		b.Fatal(err)
	}
	facts := `{"jurisdictions":["UK"],"personal_data":"yes","subjects":{"count":340,"count_is_estimate":false},
		"data":{"categories":["basic_identifiers","contact"],"records":340},"confidentiality":{"lost":true,"exposure":"trusted_recipient",
		"recipient_confirmed_deletion":true},"mitigations":["Recipient confirmed deletion in writing","Autocomplete switched off"]}`
	if _, err := svc.SaveAssessment(ctx, sys, inc.Ref, []byte(facts), []byte(`{"worst_case":"Clients contacted by a competitor"}`), ""); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Decide(ctx, sys, inc.Ref, true, service.BreachOverride{}, ""); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.RecordNotification(ctx, sys, inc.Ref, service.NewNotification{Rule: deadline.RuleAuthority72h, Scope: "UK",
		Recipient: "ICO", Method: "online form", SentAt: aware.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	db := store.RawDB(st)
	start := time.Now()
	gen := fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) ", n-1)
	for _, q := range []string{
		gen + `INSERT INTO incidents(org_id, ref, title, nature, reporter_relationship, channel, occurred_precision, discovered_at, reported_at,
			aware_at, class, class_rank, personal_data, status, version, created_at, updated_at)
			SELECT t.org_id, 'BENCH-' || n.i, t.title, t.nature, t.reporter_relationship, t.channel, t.occurred_precision,
			t.discovered_at - n.i * CAST(60000000 AS BIGINT), t.reported_at - n.i * CAST(60000000 AS BIGINT), t.aware_at - n.i * CAST(60000000 AS BIGINT), t.class, t.class_rank,
			t.personal_data, t.status, 1, t.created_at, t.updated_at FROM n, incidents t WHERE t.id = $1`,
		`INSERT INTO breach_assessments(org_id, incident_id, version, facts, annex, decision, reason, created_by, created_at)
			SELECT a.org_id, i.id, 1, a.facts, a.annex, a.decision, a.reason, a.created_by, a.created_at
			FROM incidents i, breach_assessments a WHERE a.incident_id = $1 AND i.ref LIKE 'BENCH-%'`,
		`INSERT INTO breach_decisions(org_id, incident_id, assessment_version, accepted, notify_authority, notify_subjects, justification,
			decided_by, decided_at, approval_state)
			SELECT d.org_id, i.id, 1, d.accepted, d.notify_authority, d.notify_subjects, d.justification, d.decided_by, d.decided_at, d.approval_state
			FROM incidents i, breach_decisions d WHERE d.incident_id = $1 AND i.ref LIKE 'BENCH-%'`,
		`INSERT INTO notifications(org_id, incident_id, rule, scope, recipient, method, sent_at, reference, late_reason, recorded_by, created_at)
			SELECT x.org_id, i.id, x.rule, x.scope, x.recipient, x.method, i.aware_at + 3600000000, x.reference, x.late_reason, x.recorded_by, x.created_at
			FROM incidents i, notifications x WHERE x.incident_id = $1 AND i.ref LIKE 'BENCH-%'`,
	} {
		if _, err := db.ExecContext(ctx, q, inc.ID); err != nil {
			b.Fatalf("seeding: %v", err)
		}
	}
	if st.Dialect() == store.Postgres {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d breaches in %s", n, time.Since(start).Round(time.Millisecond))
	return svc
}

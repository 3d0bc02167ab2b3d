package service_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// recorder is the delivery boundary: it keeps what would have gone out. The SMTP and
// webhook senders have their own tests against real servers.
type recorder struct {
	mu   sync.Mutex
	got  []*store.OutboxItem
	fail int // fail this many deliveries first, as retryable
}

func (r *recorder) Deliver(_ context.Context, it *store.OutboxItem) service.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return service.Delivery{Status: 451, Err: errors.New("try later"), Retry: true}
	}
	r.got = append(r.got, it)
	return service.Delivery{Status: 250}
}

func noWait(int) time.Duration { return 0 }

func TestEscalationsAndLateNotification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		aware := time.Date(2026, 11, 20, 16, 55, 0, 0, time.UTC)
		c := &clock{aware.Add(5 * time.Minute)}
		svc := newService(t, st, c)
		for _, u := range []struct {
			email string
			role  auth.Role
		}{{"dpo@example.org", auth.RoleDPO}, {"siro@example.org", auth.RoleApprover}} {
			if _, err := svc.AddUser(ctx, svc.System(), service.NewUser{Email: u.email, Name: u.email, Password: "Correct-Horse-Battery-9", Roles: []auth.Role{u.role}}); err != nil {
				t.Fatal(err)
			}
		}
		inc, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{
			Title: domain.Opt[string]{Set: true, Value: "Misdirected e-mail"}, Nature: domain.Opt[string]{Set: true, Value: "Client list to wrong address"},
			PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
			DiscoveredAt: domain.Opt[*time.Time]{Set: true, Value: &aware}, AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		pass := func() int {
			n, err := svc.EscalatePass(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DeliverPass(ctx, rec, 100, noWait); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := pass(); n != 0 {
			t.Fatalf("escalated %d before any threshold", n)
		}
		c.t = aware.Add(36 * time.Hour) // 50 %
		if n := pass(); n != 2 || len(rec.got) != 2 {
			t.Fatalf("at 50%%: queued %d, delivered %d; want 2 (DPO and approver)", n, len(rec.got))
		}
		if n := pass(); n != 0 {
			t.Fatalf("the same threshold was queued again: %d", n)
		}
		// A retryable failure is retried, not lost.
		rec.fail = 1
		c.t = aware.Add(54 * time.Hour) // 75 %
		pass()
		pass()
		if len(rec.got) != 4 {
			t.Fatalf("after a retried failure: %d delivered, want 4", len(rec.got))
		}
		c.t = aware.Add(73 * time.Hour)
		for i := 0; i < 3; i++ {
			pass()
		}
		if len(rec.got) != 8 {
			t.Fatalf("after expiry: %d delivered, want 8 (50, 75, 90, 100 %% to two people)", len(rec.got))
		}
		cl, err := svc.Clocks(ctx, svc.System(), inc.Ref)
		if err != nil {
			t.Fatal(err)
		}
		var ico *clocks.Clock
		for _, x := range cl {
			if x.Rule == "authority-72h" {
				ico = x
			}
		}
		if ico == nil || ico.State != clocks.Missed {
			t.Fatalf("ICO clock after expiry: %+v", ico)
		}
		// Late notification without reasons is refused; with them it meets the clock, late.
		n := service.NewNotification{Rule: "authority-72h", Scope: "UK", Recipient: "ICO", Method: "online form", Reference: "IC-1234"}
		var ve *domain.ValidationError
		if _, err := svc.RecordNotification(ctx, svc.System(), inc.Ref, n); !errors.As(err, &ve) || ve.Fields[0].Field != "late_reason" {
			t.Fatalf("late notification without reasons: %v", err)
		}
		n.LateReason = "The DPO was on leave"
		if _, err := svc.RecordNotification(ctx, svc.System(), inc.Ref, n); err != nil {
			t.Fatal(err)
		}
		cl, _ = svc.Clocks(ctx, svc.System(), inc.Ref)
		for _, x := range cl {
			if x.Rule == "authority-72h" && (x.State != clocks.Met || !x.Late || x.LateReason != "The DPO was on leave") {
				t.Fatalf("clock after late notification: %+v", x)
			}
		}
		// Correcting awareness later recomputes the clock and records the change.
		later := aware.Add(24 * time.Hour)
		if _, err := svc.UpdateIncident(ctx, svc.System(), inc.Ref, domain.Patch{AwareAt: domain.Opt[*time.Time]{Set: true, Value: &later}, Reason: "aware only next day"}, 1); err != nil {
			t.Fatal(err)
		}
		events, _ := svc.IncidentEvents(ctx, svc.System(), inc.Ref)
		var changed int
		for _, e := range events {
			if e.Action == "clocks.changed" {
				changed++
			}
		}
		if changed < 2 {
			t.Fatalf("clock changes in the record of events: %d", changed)
		}
	})
}

// TestEscalationOnceAcrossNodes: several services sharing one PostgreSQL database run
// passes at once; every escalation is queued exactly once.
func TestEscalationOnceAcrossNodes(t *testing.T) {
	url := storetest.NewSchema(t)
	ctx := context.Background()
	aware := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	c := &clock{aware}
	var nodes []*service.Service
	for i := 0; i < 3; i++ {
		st, err := store.Open(ctx, store.Options{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		svc, err := service.New(ctx, st, service.Options{Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, svc)
	}
	if _, err := nodes[0].AddUser(ctx, nodes[0].System(), service.NewUser{Email: "dpo@example.org", Name: "D", Password: "Correct-Horse-Battery-9", Roles: []auth.Role{auth.RoleDPO}}); err != nil {
		t.Fatal(err)
	}
	const incidents = 40
	for i := 0; i < incidents; i++ {
		if _, err := nodes[i%3].CreateIncident(ctx, nodes[0].System(), domain.Patch{Title: domain.Opt[string]{Set: true, Value: "x"}, Nature: domain.Opt[string]{Set: true, Value: "y"},
			PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}, AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}}); err != nil {
			t.Fatal(err)
		}
	}
	c.t = aware.Add(80 * time.Hour) // every threshold of every clock has passed
	rec := &recorder{}
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func(svc *service.Service) {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				if _, err := svc.EscalatePass(ctx, 7); err != nil {
					t.Error(err)
					return
				}
				if _, err := svc.DeliverPass(ctx, rec, 5, noWait); err != nil {
					t.Error(err)
					return
				}
			}
		}(n)
	}
	wg.Wait()
	for _, n := range nodes {
		for i := 0; i < 10; i++ {
			n.EscalatePass(ctx, 100)
			n.DeliverPass(ctx, rec, 100, noWait)
		}
	}
	seen := map[string]int{}
	for _, it := range rec.got {
		seen[it.DedupeKey]++
	}
	if len(seen) != incidents*4 {
		t.Fatalf("%d distinct escalations, want %d", len(seen), incidents*4)
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s delivered %d times", k, n)
		}
	}
}

package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notify"
	"github.com/vigil-ir/vigil/internal/scheduler"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/storetest"
	"github.com/vigil-ir/vigil/internal/webhook"
)

// TestSignedWebhookAndQueuedMail: an escalation reaches a real HTTP receiver, which verifies
// its signature; with no SMTP relay configured the e-mails stay queued for retry, never lost.
func TestSignedWebhookAndQueuedMail(t *testing.T) {
	ctx := context.Background()
	const secret = "0123456789abcdef-secret"
	var mu sync.Mutex
	var got []service.Escalation
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte(secret), r.Header.Get(webhook.HeaderSignature), body, time.Now(), webhook.DefaultTolerance); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var e service.Escalation
		if err := json.Unmarshal(body, &e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	}))
	defer receiver.Close()

	st := storetest.Open(t, "sqlite")
	svc, err := service.New(ctx, st, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddUser(ctx, svc.System(), service.NewUser{Email: "dpo@example.org", Name: "D", Password: "Correct-Horse-Battery-9", Roles: []auth.Role{auth.RoleDPO}}); err != nil {
		t.Fatal(err)
	}
	cs, err := svc.ClockSettings(ctx, svc.System())
	if err != nil {
		t.Fatal(err)
	}
	cs.Webhooks = []service.Webhook{{URL: receiver.URL + "/hook", Secret: secret}}
	if err := svc.SetClockSettings(ctx, svc.System(), cs); err != nil {
		t.Fatal(err)
	}
	aware := time.Now().Add(-40 * time.Hour) // past 50 % of the 72-hour window
	inc, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Lost laptop"},
		Nature: domain.Opt[string]{Set: true, Value: "left on a train"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
		AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
	if err != nil {
		t.Fatal(err)
	}
	// A TLP:RED incident's title stays in Vigil: its reminders carry the reference only.
	red, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Minister's laptop"},
		Nature: domain.Opt[string]{Set: true, Value: "secret"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
		AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}, TLP: domain.Opt[string]{Set: true, Value: "red"}})
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Deliverer{BaseURL: "https://vigil.example.org", Location: time.UTC, HTTP: webhook.NewClient(webhook.AllowPrivate), Secret: svc.WebhookSecret}
	scheduler.Pass(ctx, svc, d, scheduler.Options{})

	mu.Lock()
	defer mu.Unlock()
	log, err := svc.Deliveries(ctx, svc.System(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range log {
		t.Logf("%s %s %s %d %q", it.Kind, it.Target, it.State, it.Attempts, it.LastError)
	}
	if len(got) != 2 {
		t.Fatalf("webhook received %+v", got)
	}
	for _, g := range got {
		switch g.Ref {
		case inc.Ref:
			if g.Threshold != 50 || g.Rule != "authority-72h" || g.Title != "Lost laptop" {
				t.Fatalf("escalation %+v", g)
			}
		case red.Ref:
			if strings.Contains(g.Title, "Minister") {
				t.Fatalf("a TLP:RED title left Vigil: %+v", g)
			}
		default:
			t.Fatalf("unexpected escalation %+v", g)
		}
	}
	var sent, queued int
	for _, it := range log {
		switch {
		case it.Kind == service.KindWebhook && it.State == "sent":
			sent++
		case it.Kind == service.KindEmail && it.State == "pending" && it.LastError != "":
			queued++
		}
	}
	if sent != 2 || queued != 2 {
		t.Fatalf("delivery log: %d webhooks sent, %d e-mails kept queued; want 2 and 2: %+v", sent, queued, log)
	}
}

// TestRetryAfterIsHonoured: a receiver that answers 503 with Retry-After is not called again
// before the time it asked for, even though the backoff schedule would retry within 30 s.
func TestRetryAfterIsHonoured(t *testing.T) {
	ctx := context.Background()
	const secret = "0123456789abcdef-secret"
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "900")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer receiver.Close()
	st := storetest.Open(t, "sqlite")
	svc, err := service.New(ctx, st, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := svc.ClockSettings(ctx, svc.System())
	if err != nil {
		t.Fatal(err)
	}
	cs.Webhooks = []service.Webhook{{URL: receiver.URL + "/hook", Secret: secret}}
	if err := svc.SetClockSettings(ctx, svc.System(), cs); err != nil {
		t.Fatal(err)
	}
	aware := time.Now().Add(-40 * time.Hour)
	if _, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Lost laptop"},
		Nature: domain.Opt[string]{Set: true, Value: "left on a train"}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
		AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}}); err != nil {
		t.Fatal(err)
	}
	d := &notify.Deliverer{BaseURL: "https://vigil.example.org", Location: time.UTC, HTTP: webhook.NewClient(webhook.AllowPrivate), Secret: svc.WebhookSecret}
	before := time.Now()
	scheduler.Pass(ctx, svc, d, scheduler.Options{})
	log, err := svc.Deliveries(ctx, svc.System(), 10)
	if err != nil {
		t.Fatal(err)
	}
	hooks := 0
	for _, it := range log {
		if it.Kind != service.KindWebhook {
			continue
		}
		hooks++
		if it.State != "pending" || it.LastStatus != http.StatusServiceUnavailable {
			t.Fatalf("webhook after a 503: %+v", it)
		}
		if wait := it.NextAttemptAt.Sub(before); wait < 15*time.Minute {
			t.Errorf("next attempt in %v; the receiver asked for 15 minutes", wait)
		}
	}
	if hooks != 1 {
		t.Fatalf("want one webhook delivery, got %d: %+v", hooks, log)
	}
}

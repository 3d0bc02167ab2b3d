package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
	vmail "github.com/vigil-ir/vigil/internal/mail"
	"github.com/vigil-ir/vigil/internal/mail/mailtest"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/notify"
	"github.com/vigil-ir/vigil/internal/scheduler"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
	"github.com/vigil-ir/vigil/internal/webhook"
)

// TestLettersByEmail: a run of letters goes through the durable outbox to a real SMTP
// server, no faster than the run's rate; each recipient gets one e-mail whose text hashes to
// the SHA-256 recorded for them; hostile recipient data arrives escaped; recording the run as
// a notification meets the clock for telling the people affected.
func TestLettersByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)
		svc, err := service.New(ctx, st, service.Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		sys := svc.System()
		if err := svc.SetNoticeSettings(ctx, sys, notice.Organisation{Controller: "Example Care Ltd", DPOName: "Dorothy Smith", DPOContact: "dpo@example.org"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetBreachSettings(ctx, sys, service.BreachSettings{SignOffRequired: false}); err != nil {
			t.Fatal(err)
		}
		aware := now.Add(-2 * time.Hour)
		inc, err := svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Stolen laptop"},
			Nature: domain.Opt[string]{Set: true, Value: "A laptop was stolen."}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
			AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
		if err != nil {
			t.Fatal(err)
		}
		facts := `{"jurisdictions":["UK"],"personal_data":"yes","subjects":{"count":3},"data":{"categories":["health","credentials"]},
			"confidentiality":{"exposure":"unknown_recipients","exfiltration":"confirmed"},"cause":{"malicious":true},"protection":{"encryption":"none"}}`
		if _, err := svc.SaveAssessment(ctx, sys, inc.Ref, []byte(facts), nil, "first"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Decide(ctx, sys, inc.Ref, true, service.BreachOverride{}, ""); err != nil {
			t.Fatal(err)
		}
		csv := "name,email,account\nAnn Example,ann@example.org,A-1\n\"<script>{{.DPOName}}</script>\",eve@example.org,A-2\nBob,bob@example.org,A-3\nGone,gone@example.org,A-4\n"
		draft, err := svc.DraftLetters(ctx, sys, inc.Ref, service.LetterRequest{Method: service.MethodEmail, PerMinute: 60, Recipients: strings.NewReader(csv),
			Content: notice.Content{WhatHappened: "A laptop was stolen from a car.", Consequences: "Someone could learn about your health.",
				WhatWeAreDoing: "We have reported it to the police."}})
		if err != nil {
			t.Fatal(err)
		}
		if draft.Run.State != store.RunDraft || draft.Run.Recipients != 4 || len(draft.Run.DocumentSHA256) != 64 {
			t.Fatalf("draft = %+v", draft.Run)
		}
		// A draft has told nobody: it cannot be recorded as a notification.
		if _, err := svc.RecordNotification(ctx, sys, inc.Ref, service.NewNotification{Rule: "subjects", Recipient: "The people affected", Method: "e-mail", LetterRun: draft.Run.ID}); err == nil {
			t.Fatal("a draft run was recorded as a notification")
		}
		if _, err := svc.StartLetters(ctx, sys, inc.Ref, draft.Run.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.StartLetters(ctx, sys, inc.Ref, draft.Run.ID); err == nil {
			t.Fatal("a run was started twice")
		}

		relay := mailtest.Start(t)
		relay.Refuse = map[string]bool{"gone@example.org": true}
		sender, err := vmail.NewSender(vmail.Config{Host: "127.0.0.1", Port: relay.Port, TLS: vmail.TLSNone, From: mail.Address{Address: "vigil@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		d := &notify.Deliverer{Mail: sender, BaseURL: "https://vigil.example.org", Location: time.UTC, HTTP: webhook.NewClient(webhook.AllowPrivate),
			Secret: svc.WebhookSecret, Now: func() time.Time { return now }}
		// 60 a minute is one a second: at the start only the first letter is due.
		scheduler.Pass(ctx, svc, d, scheduler.Options{})
		if n := len(relay.Messages()); n != 1 {
			t.Fatalf("%d letters sent at once, want 1 (the rate is 60 a minute)", n)
		}
		now = now.Add(3 * time.Second)
		scheduler.Pass(ctx, svc, d, scheduler.Options{})
		msgs := relay.Messages()
		if len(msgs) != 3 {
			t.Fatalf("%d letters accepted after three seconds, want 3 (the fourth address is refused)", len(msgs))
		}
		view, err := svc.LetterRun(ctx, sys, inc.Ref, draft.Run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if view.Counts[store.OutboxSent] != 3 || view.Counts[store.OutboxFailed] != 1 {
			t.Fatalf("counts = %v, want 3 sent and 1 failed", view.Counts)
		}
		byEmail := map[string]*store.LetterSend{}
		for _, sd := range view.Sends {
			byEmail[sd.Email] = sd
			switch {
			case sd.Email == "gone@example.org":
				if sd.State != store.OutboxFailed || !strings.Contains(sd.LastError, "550") || sd.SentAt != nil {
					t.Errorf("refused recipient: %+v", sd)
				}
			case sd.SentAt == nil:
				t.Errorf("%s: no sent time", sd.Email)
			}
		}
		for _, m := range msgs {
			sd := byEmail[m.To[0]]
			if len(m.To) != 1 || sd == nil {
				t.Fatalf("message to %v", m.To)
			}
			hdr, parts := mailtest.Parts(t, m.Data)
			subject, _ := new(mime.WordDecoder).DecodeHeader(hdr.Get("Subject"))
			sum := sha256.Sum256([]byte(subject + "\n\n" + parts["text/plain"]))
			if hex.EncodeToString(sum[:]) != sd.DocumentSHA256 {
				t.Errorf("%s: the e-mail does not hash to the recorded SHA-256", sd.Email)
			}
			if hdr.Get("X-Vigil-Kind") != "letter" || hdr.Get("X-Vigil-Incident") != inc.Ref {
				t.Errorf("%s: headers %v", sd.Email, hdr)
			}
			for _, want := range []string{"Dear " + sd.Name + ",", "A laptop was stolen from a car.", "Dorothy Smith: dpo@example.org", "Change your password"} {
				if !strings.Contains(parts["text/plain"], want) {
					t.Errorf("%s: text lacks %q:\n%s", sd.Email, want, parts["text/plain"])
				}
			}
			if sd.Email == "eve@example.org" {
				if strings.Contains(parts["text/html"], "<script>") || !strings.Contains(parts["text/html"], "&lt;script&gt;{{.DPOName}}&lt;/script&gt;") {
					t.Errorf("hostile name not escaped in HTML:\n%s", parts["text/html"])
				}
			}
		}

		rec, err := svc.RecordNotification(ctx, sys, inc.Ref, service.NewNotification{Rule: "subjects", Recipient: "The people affected", Method: "letter by e-mail", LetterRun: draft.Run.ID})
		if err != nil {
			t.Fatal(err)
		}
		// The count is the run's recipients unless the caller says how many were reached.
		if rec.PeopleCount == nil || *rec.PeopleCount != 4 || rec.DocumentSHA256 != draft.Run.DocumentSHA256 {
			t.Fatalf("notification = %+v", rec)
		}
		cl, err := svc.Clocks(ctx, sys, inc.Ref)
		if err != nil {
			t.Fatal(err)
		}
		met := false
		for _, c := range cl {
			met = met || (c.Rule == "subjects" && c.State == "met")
		}
		if !met {
			t.Fatalf("the clock for telling the people affected was not met: %+v", cl)
		}
	})
}

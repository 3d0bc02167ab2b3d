package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// TestNoticesRoundTrip: plan rows, answers, template versions, a run of recipients linked to
// the outbox, and the new notification columns survive both engines.
func TestNoticesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, _, err := st.DefaultOrg(ctx, "Test")
		if err != nil {
			t.Fatal(err)
		}
		now := domain.Instant(time.Now())
		inc := &domain.Incident{OrgID: org.ID, Title: "Letters", Nature: "n", Channel: domain.ChannelAPI, ReportedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
		insert(t, st, inc)

		people := int64(1201)
		n := &store.Notification{IncidentID: inc.ID, Recipient: "The public", Method: "public statement", SentAt: now, RecordedBy: "dpo",
			CreatedAt: now, Phase: "initial", DocumentSHA256: "ab12", PeopleCount: &people}
		run := &store.LetterRun{IncidentID: inc.ID, Method: "email", TemplateVersion: 2, Subject: "s", Body: "b", Content: "{}", PerMinute: 30,
			Recipients: 1200, State: store.RunDraft, DocumentSHA256: "cd34", CreatedBy: "dpo", CreatedAt: now}
		var sends []*store.LetterSend
		for i := range 1200 {
			sends = append(sends, &store.LetterSend{Row: i + 2, Name: fmt.Sprintf("P%d", i), Email: fmt.Sprintf("p%d@example.org", i),
				Address: []string{"1 Street", "JE2"}, Fields: `{"k":"v"}`, DocumentSHA256: fmt.Sprintf("h%d", i)})
		}
		err = st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.ReplacePlan(org.ID, inc.ID, []store.PlanRow{{Party: "police", Decision: "now", Reason: "crime", UpdatedBy: "dpo", UpdatedAt: now}}); err != nil {
				return err
			}
			if err := tx.ReplacePlan(org.ID, inc.ID, []store.PlanRow{{Party: "board", Decision: "later", Reason: "after assessment", UpdatedBy: "dpo", UpdatedAt: now}}); err != nil {
				return err
			}
			if err := tx.SetNoticeAnswers(org.ID, inc.ID, `{"measures":"x"}`, "dpo", now); err != nil {
				return err
			}
			if err := tx.SetNoticeAnswers(org.ID, inc.ID, `{"measures":"y"}`, "dpo", now); err != nil {
				return err
			}
			for range 2 {
				if err := tx.InsertLetterTemplate(org.ID, &store.LetterTemplate{Kind: "letter", Subject: "s", Body: "b", CreatedBy: "dpo", CreatedAt: now}); err != nil {
					return err
				}
			}
			if err := tx.InsertLetterRun(org.ID, run, sends); err != nil {
				return err
			}
			n.LetterRunID = &run.ID
			if err := tx.InsertNotification(org.ID, n); err != nil {
				return err
			}
			prefix := fmt.Sprintf("letter/%d/", run.ID)
			first, err := tx.LetterSendsTx(run.ID)
			if err != nil {
				return err
			}
			if _, err := tx.Enqueue(&store.OutboxItem{OrgID: org.ID, DedupeKey: prefix + fmt.Sprint(first[0].ID), Kind: "letter", Target: first[0].Email,
				Payload: "{}", NextAttemptAt: now, CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.SetSendOutbox(run.ID, prefix); err != nil {
				return err
			}
			run.State, run.StartedBy, run.StartedAt = store.RunSending, "approver", &now
			if err := tx.StartLetterRun(run); err != nil {
				return err
			}
			if err := tx.StartLetterRun(run); !errors.Is(err, store.ErrVersion) {
				return fmt.Errorf("second start: %v, want ErrVersion", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := st.Plan(ctx, inc.ID)
		if err != nil || len(plan) != 1 || plan["board"].Decision != "later" {
			t.Fatalf("plan = %+v, %v", plan, err)
		}
		if a, err := st.NoticeAnswers(ctx, inc.ID); err != nil || a != `{"measures":"y"}` {
			t.Fatalf("answers = %q, %v", a, err)
		}
		tpls, err := st.LetterTemplates(ctx, org.ID, "letter")
		if err != nil || len(tpls) != 2 || tpls[0].Version != 2 {
			t.Fatalf("templates = %+v, %v", tpls, err)
		}
		got, err := st.LetterRun(ctx, inc.ID, run.ID)
		if err != nil || got.State != store.RunSending || got.StartedBy != "approver" || got.Recipients != 1200 {
			t.Fatalf("run = %+v, %v", got, err)
		}
		if _, err := st.LetterRun(ctx, inc.ID+1, run.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("run of another incident: %v", err)
		}
		rs, err := st.LetterSends(ctx, run.ID)
		if err != nil || len(rs) != 1200 {
			t.Fatalf("sends = %d, %v", len(rs), err)
		}
		if rs[0].State != store.OutboxPending || rs[1].State != "" || rs[1199].Row != 1201 || len(rs[5].Address) != 2 || rs[7].DocumentSHA256 != "h7" {
			t.Fatalf("sends: first %+v second %+v last %+v", rs[0], rs[1], rs[1199])
		}
		ns, err := st.Notifications(ctx, inc.ID)
		if err != nil || len(ns) != 1 || ns[0].Phase != "initial" || ns[0].DocumentSHA256 != "ab12" || ns[0].PeopleCount == nil || *ns[0].PeopleCount != 1201 ||
			ns[0].LetterRunID == nil || *ns[0].LetterRunID != run.ID {
			t.Fatalf("notifications = %+v, %v", ns[0], err)
		}
	})
}

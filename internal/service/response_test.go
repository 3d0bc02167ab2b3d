package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// people builds a service with one user per role given and returns their principals.
func people(t *testing.T, st *store.Store, c *clock, roles map[string]auth.Role) (*service.Service, map[string]auth.Principal) {
	t.Helper()
	svc, err := service.New(context.Background(), st, service.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]auth.Principal{}
	for name, r := range roles {
		u, err := svc.AddUser(context.Background(), svc.System(), service.NewUser{Email: name + "@example.org", Name: name, Password: "Correct-Horse-Battery-9", Roles: []auth.Role{r}})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = auth.Principal{UserID: u.ID, OrgID: u.OrgID, Email: u.Email, Name: u.Name, Roles: []auth.Role{r}}
	}
	return svc, out
}

func fieldOf(err error) string {
	var ve *domain.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

// resolved records a confirmed incident and walks it to resolved.
func resolved(t *testing.T, svc *service.Service, p auth.Principal, title string) *domain.Incident {
	t.Helper()
	ctx := context.Background()
	inc, err := svc.CreateIncident(ctx, p, domain.Patch{Title: domain.Opt[string]{Set: true, Value: title}, Nature: domain.Opt[string]{Set: true, Value: "n"},
		Class: domain.Opt[domain.TriageClass]{Set: true, Value: domain.ClassIncident}})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []domain.Status{domain.StatusTriage, domain.StatusResolved} {
		if inc, err = svc.UpdateIncident(ctx, p, inc.Ref, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: to}}, inc.Version); err != nil {
			t.Fatal(err)
		}
	}
	return inc
}

func closeIt(svc *service.Service, p auth.Principal, inc *domain.Incident) (*domain.Incident, error) {
	return svc.UpdateIncident(context.Background(), p, inc.Ref, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: domain.StatusClosed}}, inc.Version)
}

var completeReview = service.ReviewInput{AssetsReviewed: true, PoliciesReviewed: true, TrainingReviewed: true, WentWell: "Quick containment", WentBadly: "Slow to report", Complete: true}

// TestCloseNeedsApprovalAndReview walks the closing rules: a close waits for another
// approver and for the lessons-learnt review, in either order, and an approval is used once.
func TestCloseNeedsApprovalAndReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc, who := people(t, st, c, map[string]auth.Role{"handler": auth.RoleHandler, "boss": auth.RoleApprover, "deputy": auth.RoleApprover, "admin": auth.RoleAdmin})
		h, boss, deputy := who["handler"], who["boss"], who["deputy"]
		if err := svc.SetApprovalSettings(ctx, who["admin"], approval.Settings{Require: map[approval.Kind]bool{approval.CloseIncident: true}}); err != nil {
			t.Fatal(err)
		}
		inc := resolved(t, svc, h, "Laptop stolen from a car")

		// Closing is held: nothing changes, a request waits, the approvers are e-mailed.
		_, err := closeIt(svc, h, inc)
		var held *service.ApprovalPending
		if !errors.As(err, &held) || held.Approval.State != "pending" || held.Approval.Kind != "close_incident" {
			t.Fatalf("close without approval: %v", err)
		}
		if got, _ := svc.Incident(ctx, h, inc.Ref); got.Status != domain.StatusResolved || got.Version != inc.Version {
			t.Fatalf("held close changed the incident: %s v%d", got.Status, got.Version)
		}
		out, err := svc.Deliveries(ctx, svc.System(), 50)
		if err != nil {
			t.Fatal(err)
		}
		mailed := map[string]bool{}
		for _, it := range out {
			if strings.Contains(it.Payload, `"event":"approval.requested"`) {
				mailed[it.Target] = true
			}
		}
		if !mailed["boss@example.org"] || !mailed["deputy@example.org"] || len(mailed) != 2 {
			t.Errorf("approval e-mails queued for %v", mailed)
		}
		if _, err := closeIt(svc, h, inc); fieldOf(err) != "status" {
			t.Fatalf("second request while one waits: %v", err)
		}
		w, err := svc.PendingApprovals(ctx, boss)
		if err != nil || len(w.Requests) != 1 || w.Requests[0].ID != held.Approval.ID || !w.CanDecide {
			t.Fatalf("approver's list: %+v %v", w, err)
		}
		if w, _ := svc.PendingApprovals(ctx, h); len(w.Requests) != 1 || w.CanDecide {
			t.Fatalf("requester's own list: %+v", w)
		}
		if _, err := svc.DecideApproval(ctx, h, held.Approval.ID, true, ""); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("handler decides: %v", err)
		}
		if _, err := svc.DecideApproval(ctx, boss, held.Approval.ID, false, ""); fieldOf(err) != "comment" {
			t.Fatalf("rejection without a comment: %v", err)
		}

		// Approved, but the review is not done: the incident waits, still resolved.
		if a, err := svc.DecideApproval(ctx, boss, held.Approval.ID, true, "Containment was effective"); err != nil || a.State != "approved" {
			t.Fatalf("approve: %+v %v", a, err)
		}
		if got, _ := svc.Incident(ctx, h, inc.Ref); got.Status != domain.StatusResolved {
			t.Fatalf("closed before the review: %s", got.Status)
		}
		// An incomplete review is refused and says what is missing; completing it closes.
		if _, err := svc.SaveReview(ctx, h, inc.Ref, service.ReviewInput{WentWell: "x", WentBadly: "y", Complete: true}); fieldOf(err) != "checklist" {
			t.Fatalf("review without the §7 checklist: %v", err)
		}
		if _, err := svc.SaveReview(ctx, h, inc.Ref, completeReview); err != nil {
			t.Fatal(err)
		}
		got, _ := svc.Incident(ctx, h, inc.Ref)
		if got.Status != domain.StatusClosed || got.ClosedAt == nil {
			t.Fatalf("approved close did not happen when the review was completed: %s", got.Status)
		}

		// Reopened and closed again: the old approval is used up, a new request is needed,
		// and its requester (an approver this time) cannot approve it.
		got, err = svc.UpdateIncident(ctx, boss, got.Ref, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: domain.StatusInvestigating}}, got.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got, err = svc.UpdateIncident(ctx, boss, got.Ref, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: domain.StatusResolved}}, got.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := closeIt(svc, boss, got); !errors.As(err, &held) {
			t.Fatalf("close after reopening was not held: %v", err)
		}
		if _, err := svc.DecideApproval(ctx, boss, held.Approval.ID, true, ""); fieldOf(err) != "approve" {
			t.Fatalf("self-approval: %v", err)
		}
		if _, err := svc.DecideApproval(ctx, deputy, held.Approval.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Incident(ctx, h, inc.Ref); got.Status != domain.StatusClosed {
			t.Fatalf("approved close with a completed review did not close at once: %s", got.Status)
		}
		events, err := svc.IncidentEvents(ctx, h, inc.Ref)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		joined := strings.Join(actions, " ")
		for _, want := range []string{"approval.requested", "approval.approved", "review.saved"} {
			if !strings.Contains(joined, want) {
				t.Errorf("record of events lacks %s: %s", want, joined)
			}
		}
	})
}

// TestReviewWaiver: without approval settings, a confirmed incident still needs its review,
// unless an approver waives it with a reason; other classes close freely.
func TestReviewWaiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc, who := people(t, st, c, map[string]auth.Role{"handler": auth.RoleHandler, "boss": auth.RoleApprover})
		inc := resolved(t, svc, who["handler"], "Phishing e-mail clicked")
		if _, err := closeIt(svc, who["handler"], inc); fieldOf(err) != "status" {
			t.Fatalf("close without a review: %v", err)
		}
		if _, err := svc.WaiveReview(ctx, who["handler"], inc.Ref, "no need"); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("handler waives: %v", err)
		}
		if _, err := svc.WaiveReview(ctx, who["boss"], inc.Ref, " "); fieldOf(err) != "waiver_reason" {
			t.Fatalf("waiver without a reason: %v", err)
		}
		if _, err := svc.WaiveReview(ctx, who["boss"], inc.Ref, "Covered by the review of INC-2026-00001"); err != nil {
			t.Fatal(err)
		}
		if got, err := closeIt(svc, who["handler"], inc); err != nil || got.Status != domain.StatusClosed {
			t.Fatalf("close after waiver: %v", err)
		}
		other, err := svc.CreateIncident(ctx, who["handler"], domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Tailgating"}, Nature: domain.Opt[string]{Set: true, Value: "n"},
			Class: domain.Opt[domain.TriageClass]{Set: true, Value: domain.ClassEvent}})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []domain.Status{domain.StatusTriage, domain.StatusResolved, domain.StatusClosed} {
			if other, err = svc.UpdateIncident(ctx, who["handler"], other.Ref, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: to}}, other.Version); err != nil {
				t.Fatalf("an event needs no review to close: %v", err)
			}
		}
	})
}

// TestActions: overdue is open and past due; the owner's list and the per-incident counts
// follow; bad input names its fields.
func TestActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc, who := people(t, st, c, map[string]auth.Role{"handler": auth.RoleHandler, "dpo": auth.RoleDPO, "reader": auth.RoleAuditor})
		h := who["handler"]
		inc := resolved(t, svc, h, "Ransomware on the file server")
		yesterday := c.t.Add(-24 * time.Hour)
		tomorrow := c.t.Add(24 * time.Hour)
		late, err := svc.AddAction(ctx, h, inc.Ref, service.ActionInput{Kind: "containment", Title: "Isolate the server", Owner: "dpo@example.org", DueAt: &yesterday})
		if err != nil || !late.Overdue || late.Status != "open" {
			t.Fatalf("late action: %+v %v", late, err)
		}
		if _, err := svc.AddAction(ctx, h, inc.Ref, service.ActionInput{Kind: "recovery", Title: "Restore from backup", Owner: "dpo@example.org", DueAt: &tomorrow}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.AddAction(ctx, h, inc.Ref, service.ActionInput{Kind: "mitigation", Title: " ", Owner: "nobody@example.org", Effectiveness: "great"})
		var ve *domain.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("bad action accepted: %v", err)
		}
		fields := map[string]bool{}
		for _, f := range ve.Fields {
			fields[f.Field] = true
		}
		for _, f := range []string{"kind", "title", "owner", "effectiveness"} {
			if !fields[f] {
				t.Errorf("no error on %s: %v", f, ve)
			}
		}
		if _, err := svc.AddAction(ctx, who["reader"], inc.Ref, service.ActionInput{Kind: "containment", Title: "x"}); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("auditor adds an action: %v", err)
		}
		mine, err := svc.MyActions(ctx, who["dpo"])
		if err != nil || len(mine) != 2 || mine[0].ID != late.ID || !mine[0].Overdue || mine[1].Overdue {
			t.Fatalf("DPO's actions, earliest due first: %+v %v", mine, err)
		}
		counts, err := svc.OverdueActions(ctx, []*domain.Incident{inc})
		if err != nil || counts[inc.ID] != 1 {
			t.Fatalf("overdue counts %v %v", counts, err)
		}
		done, err := svc.UpdateAction(ctx, h, inc.Ref, late.ID, service.ActionInput{Kind: "containment", Title: "Isolate the server", Owner: "dpo@example.org",
			DueAt: &yesterday, Status: "done", Evidence: "Switch port disabled", Effectiveness: "partly", EffectivenessNote: "Spread to one share first"})
		if err != nil || done.Overdue || done.DoneAt == nil || done.Effectiveness != "partly" {
			t.Fatalf("done action: %+v %v", done, err)
		}
		if counts, _ := svc.OverdueActions(ctx, []*domain.Incident{inc}); counts[inc.ID] != 0 {
			t.Fatalf("a done action is still overdue: %v", counts)
		}
		if mine, _ := svc.MyActions(ctx, who["dpo"]); len(mine) != 1 {
			t.Fatalf("a done action is still in the owner's list: %d", len(mine))
		}
	})
}

// TestPeopleMattersStayRestricted: only the people-matters role and approvers read or write
// the section; its text never reaches the record of events that every reader sees.
func TestPeopleMattersStayRestricted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc, who := people(t, st, c, map[string]auth.Role{"handler": auth.RoleHandler, "hr": auth.RolePeople, "boss": auth.RoleApprover,
			"deputy": auth.RoleApprover, "dpo": auth.RoleDPO, "auditor": auth.RoleAuditor, "admin": auth.RoleAdmin})
		inc := resolved(t, svc, who["handler"], "Customer records browsed without reason")
		const secret = "Disciplinary meeting with J. Smith on Friday"
		if _, err := svc.SavePeopleMatters(ctx, who["hr"], inc.Ref, "Counselling offered", secret, "Cover arranged"); err != nil {
			t.Fatal(err)
		}
		sus, err := svc.RequestApproval(ctx, who["hr"], inc.Ref, approval.SuspendStaff, "Suspend J. Smith pending investigation")
		if err != nil {
			t.Fatal(err)
		}
		for name, allowed := range map[string]bool{"hr": true, "boss": true, "handler": false, "dpo": false, "auditor": false, "admin": false} {
			list, err := svc.PeopleMatters(ctx, who[name], inc.Ref)
			if allowed && (err != nil || len(list) == 0 || list[len(list)-1].Conduct != secret) {
				t.Errorf("%s reads people matters: %v", name, err)
			}
			if !allowed && !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("%s reads people matters: %v, want forbidden", name, err)
			}
			_, err = svc.SavePeopleMatters(ctx, who[name], inc.Ref, "x", "", "")
			if allowed != (err == nil) {
				t.Errorf("%s writes people matters: %v", name, err)
			}
			apps, err := svc.IncidentApprovals(ctx, who[name], inc.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if allowed != (len(apps) == 1) {
				t.Errorf("%s sees %d approval requests; the suspension is people matters", name, len(apps))
			}
			if _, err := svc.Approval(ctx, who[name], sus.ID); allowed != (err == nil) {
				t.Errorf("%s reads the suspension request: %v", name, err)
			}
			events, err := svc.IncidentEvents(ctx, who[name], inc.Ref)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				for _, leak := range []string{secret, "Counselling", "Suspend J. Smith", "suspend_staff"} {
					if strings.Contains(string(e.Data), leak) {
						t.Errorf("%s: entry %s carries %q", name, e.Action, leak)
					}
				}
			}
		}
		if _, err := svc.RequestApproval(ctx, who["handler"], inc.Ref, approval.SuspendStaff, "Suspend someone"); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("handler asks for a suspension: %v", err)
		}
		if _, err := svc.DecideApproval(ctx, who["hr"], sus.ID, true, ""); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("the people role decides its own suspension request: %v", err)
		}
		if a, err := svc.DecideApproval(ctx, who["boss"], sus.ID, true, "Agreed"); err != nil || a.State != "approved" {
			t.Errorf("approver decides the suspension: %v", err)
		}
	})
}

// TestPlaybookInstantiation: classifying an incident gives it the matching playbook's
// checklist at the version in force then, and it keeps that version when the playbook changes.
func TestPlaybookInstantiation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc, who := people(t, st, c, map[string]auth.Role{"handler": auth.RoleHandler, "admin": auth.RoleAdmin})
		h := who["handler"]
		classify := func(title string) *domain.Incident {
			inc, err := svc.CreateIncident(ctx, h, domain.Patch{Title: domain.Opt[string]{Set: true, Value: title}, Nature: domain.Opt[string]{Set: true, Value: "n"}})
			if err != nil {
				t.Fatal(err)
			}
			if tasks, _ := svc.PlaybookTasks(ctx, h, inc.Ref); len(tasks) != 0 {
				t.Fatalf("unclassified incident has %d tasks", len(tasks))
			}
			inc, err = svc.UpdateIncident(ctx, h, inc.Ref, domain.Patch{RSITClass: domain.Opt[string]{Set: true, Value: "fraud"},
				RSITType: domain.Opt[string]{Set: true, Value: "phishing"}, ICOType: domain.Opt[string]{Set: true, Value: "phishing"}}, inc.Version)
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}
		first := classify("Invoice phishing")
		tasks, err := svc.PlaybookTasks(ctx, h, first.Ref)
		if err != nil || len(tasks) == 0 || tasks[0].Playbook != "phishing" || tasks[0].Version != 0 {
			t.Fatalf("built-in phishing checklist: %+v %v", tasks, err)
		}
		builtinCount := len(tasks)
		// Reclassifying again does not add the checklist twice.
		if _, err := svc.UpdateIncident(ctx, h, first.Ref, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Invoice phishing wave"}}, first.Version); err != nil {
			t.Fatal(err)
		}
		if again, _ := svc.PlaybookTasks(ctx, h, first.Ref); len(again) != builtinCount {
			t.Fatalf("checklist duplicated: %d tasks, want %d", len(again), builtinCount)
		}
		own := `{"id":"phishing","title":"Our phishing plan","match":{"rsit":["fraud:phishing"],"ico":[]},"tasks":[{"phase":"contain","title":"Ring the service desk"}]}`
		if _, err := svc.SavePlaybook(ctx, h, "phishing", []byte(own)); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("handler edits playbooks: %v", err)
		}
		if _, err := svc.SavePlaybook(ctx, who["admin"], "ransomware", []byte(own)); fieldOf(err) != "id" {
			t.Fatalf("id mismatch: %v", err)
		}
		pb, err := svc.SavePlaybook(ctx, who["admin"], "phishing", []byte(own))
		if err != nil || pb.Version != 1 {
			t.Fatalf("own version: %+v %v", pb, err)
		}
		second := classify("Payroll phishing")
		tasks2, _ := svc.PlaybookTasks(ctx, h, second.Ref)
		if len(tasks2) != 1 || tasks2[0].Version != 1 || tasks2[0].Title != "Ring the service desk" {
			t.Fatalf("new incident did not get the own version: %+v", tasks2)
		}
		if kept, _ := svc.PlaybookTasks(ctx, h, first.Ref); len(kept) != builtinCount || kept[0].Version != 0 {
			t.Fatalf("first incident lost the version it started with: %+v", kept)
		}
		ticked, err := svc.TickTask(ctx, h, second.Ref, tasks2[0].ID, true)
		if err != nil || !ticked.Done || ticked.DoneBy != "handler@example.org" || ticked.DoneAt == nil {
			t.Fatalf("tick: %+v %v", ticked, err)
		}
		if _, err := svc.TickTask(ctx, h, first.Ref, tasks2[0].ID, true); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("ticking another incident's task: %v", err)
		}
	})
}

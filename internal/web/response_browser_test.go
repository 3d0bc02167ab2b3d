package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/browsertest"
	"github.com/vigil-ir/vigil/internal/domain"
)

// TestResponseInBrowser walks the response of issue 8 in headless Chromium with JavaScript
// off, checking every page with axe-core: a handler records a containment action and asks to
// close; the close waits for an approver, who approves it; the handler completes the
// lessons-learnt review and the incident closes.
func TestResponseInBrowser(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	sys := e.svc.System()
	if err := e.svc.SetApprovalSettings(ctx, sys, approval.Settings{Require: map[approval.Kind]bool{approval.CloseIncident: true}}); err != nil {
		t.Fatal(err)
	}
	inc, err := e.svc.CreateIncident(ctx, sys, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Laptop stolen from a car"},
		Nature: domain.Opt[string]{Set: true, Value: "Unencrypted laptop with the client list"}, Class: domain.Opt[domain.TriageClass]{Set: true, Value: domain.ClassIncident},
		ICOType: domain.Opt[string]{Set: true, Value: "loss-or-theft-of-device"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []domain.Status{domain.StatusTriage, domain.StatusResolved} {
		if inc, err = e.svc.UpdateIncident(ctx, sys, inc.Ref, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: to}}, inc.Version); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(email string) *browsertest.Browser {
		b := browsertest.New(t, browsertest.WithoutJavaScript())
		b.Go(e.srv.URL + "/signin")
		b.Fill("#email", email)
		b.Fill("#password", password)
		b.Submit("form")
		return b
	}
	incident := e.srv.URL + "/incidents/" + inc.Ref

	h := signIn("handler@example.org")
	h.Go(incident + "/response")
	h.CheckAccessibility("response")
	if !strings.Contains(h.Text("main"), "Wipe or lock the device remotely") {
		t.Fatalf("the lost-device playbook's checklist is missing: %s", h.Text("main"))
	}
	h.Submit(`form[action$="/actions"]`) // nothing typed: the error summary
	if !strings.Contains(h.Text(".error-summary"), "Enter what the action is") {
		t.Fatalf("no error summary: %q", h.Text("main"))
	}
	h.CheckAccessibility("response-error")
	h.Check("#kind")
	h.Fill("#title", "Laptop wiped remotely")
	h.Select("#owner", "handler@example.org")
	h.Check("#status-done")
	h.Fill("#evidence", "MDM console shows wipe confirmed 10:42")
	h.Submit(`form[action$="/actions"]`)
	if body := h.Text("main"); !strings.Contains(body, "Laptop wiped remotely") || !strings.Contains(body, "The action has been saved") {
		t.Fatalf("action not shown: %s", body)
	}

	h.Go(incident)
	h.CheckAccessibility("incident-response-links")
	h.Click(`a[href$="/status?to=closed"]`)
	h.Submit(`form[action$="/status"]`)
	if body := h.Text("main"); !strings.Contains(body, "Sent for approval") {
		t.Fatalf("close was not sent for approval: %s", body)
	}
	if got := h.Text(".tag.tag--grey"); got != "Resolved" {
		t.Fatalf("status %q before approval, want Resolved", got)
	}

	a := signIn("approver@example.org")
	a.Go(e.srv.URL + "/approvals")
	a.CheckAccessibility("approvals")
	if !strings.Contains(a.Text("main"), inc.Ref) {
		t.Fatalf("approvals page does not list %s: %s", inc.Ref, a.Text("main"))
	}
	a.Check(`input[value="approve"]`)
	a.Fill(`textarea[name^="comment-"]`, "Containment was effective")
	a.Submit(`form[action^="/approvals/"]`)
	if body := a.Text("main"); !strings.Contains(body, "Your decision has been recorded") || !strings.Contains(body, "Nothing is waiting") {
		t.Fatalf("decision not recorded: %s", body)
	}

	h.Go(incident + "/review")
	h.CheckAccessibility("review")
	h.Check("#complete")
	h.Submit(`form[action$="/review"]`) // complete without the checklist: refused, nothing lost
	if !strings.Contains(h.Text(".error-summary"), "Review the information asset register") {
		t.Fatalf("incomplete review accepted: %s", h.Text("main"))
	}
	h.CheckAccessibility("review-error")
	h.Check("#assets_reviewed")
	h.Check("#policies_reviewed")
	h.Check("#training_reviewed")
	h.Fill("#training_note", "Remind staff not to leave laptops in cars")
	h.Fill("#went_well", "The laptop was wiped within the hour")
	h.Fill("#went_badly", "The laptop was not encrypted")
	h.Submit(`form[action$="/review"]`)
	h.CheckAccessibility("review-done")
	h.Go(incident)
	if got := h.Text(".tag.tag--grey"); got != "Closed" {
		t.Fatalf("status %q after the review, want Closed", got)
	}
	if !strings.Contains(h.Text(".timeline"), "closing approved by approver@example.org") {
		t.Fatalf("the record of events does not say who approved the close: %s", h.Text(".timeline"))
	}
}

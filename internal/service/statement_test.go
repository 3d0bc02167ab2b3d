package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// A public statement is recorded as published only once an approver has agreed to one,
// while the organisation requires it (the default).
func TestPublicStatementWaitsForApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc := newService(t, st, c)
		sys := svc.System()
		if _, err := svc.AddUser(ctx, sys, service.NewUser{Email: "siro@example.org", Name: "S", Password: "Correct-Horse-Battery-9", Roles: []auth.Role{auth.RoleApprover}}); err != nil {
			t.Fatal(err)
		}
		as := func(email string) auth.Principal {
			_, p, err := svc.SignIn(ctx, email, "Correct-Horse-Battery-9")
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		handler, approver := as("h@example.org"), as("siro@example.org")
		inc, err := svc.CreateIncident(ctx, handler, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Mailing list exposed"},
			Nature: domain.Opt[string]{Set: true, Value: "CC instead of BCC"}})
		if err != nil {
			t.Fatal(err)
		}
		statement := service.NewNotification{Recipient: "The public", Method: "Public statement"}
		var ve *domain.ValidationError
		if _, err := svc.RecordNotification(ctx, handler, inc.Ref, statement); !errors.As(err, &ve) || ve.Fields[0].Field != "method" {
			t.Fatalf("statement without approval: %v", err)
		}
		// Other notifications are not held.
		if _, err := svc.RecordNotification(ctx, handler, inc.Ref, service.NewNotification{Recipient: "Board", Method: "e-mail"}); err != nil {
			t.Fatalf("ordinary notification: %v", err)
		}
		req, err := svc.RequestApproval(ctx, handler, inc.Ref, approval.PublicStatement, "Statement on the website")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordNotification(ctx, handler, inc.Ref, statement); err == nil {
			t.Fatal("statement recorded while its approval was still pending")
		}
		if _, err := svc.DecideApproval(ctx, approver, req.ID, true, "Wording agreed"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordNotification(ctx, handler, inc.Ref, statement); err != nil {
			t.Fatalf("approved statement: %v", err)
		}
	})
}

// Whoever asked may withdraw a request nobody has decided; nobody else may, and a withdrawn
// request can no longer be decided or used.
func TestWithdrawApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc := newService(t, st, c)
		sys := svc.System()
		for _, u := range []struct {
			email string
			role  auth.Role
		}{{"siro@example.org", auth.RoleApprover}, {"h2@example.org", auth.RoleHandler}} {
			if _, err := svc.AddUser(ctx, sys, service.NewUser{Email: u.email, Name: u.email, Password: "Correct-Horse-Battery-9", Roles: []auth.Role{u.role}}); err != nil {
				t.Fatal(err)
			}
		}
		as := func(email string) auth.Principal {
			_, p, err := svc.SignIn(ctx, email, "Correct-Horse-Battery-9")
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		handler, other, approver := as("h@example.org"), as("h2@example.org"), as("siro@example.org")
		inc, err := svc.CreateIncident(ctx, handler, domain.Patch{Title: domain.Opt[string]{Set: true, Value: "Website defaced"},
			Nature: domain.Opt[string]{Set: true, Value: "Home page replaced"}})
		if err != nil {
			t.Fatal(err)
		}
		req, err := svc.RequestApproval(ctx, handler, inc.Ref, approval.PublicStatement, "Holding statement")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.WithdrawApproval(ctx, other, req.ID); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("another handler withdrew it: %v", err)
		}
		got, err := svc.WithdrawApproval(ctx, handler, req.ID)
		if err != nil || got.State != string(approval.Withdrawn) {
			t.Fatalf("withdraw: %+v %v", got, err)
		}
		var ve *domain.ValidationError
		if _, err := svc.WithdrawApproval(ctx, handler, req.ID); !errors.As(err, &ve) {
			t.Fatalf("second withdrawal: %v", err)
		}
		if _, err := svc.DecideApproval(ctx, approver, req.ID, true, ""); !errors.As(err, &ve) {
			t.Fatalf("deciding a withdrawn request: %v", err)
		}
		// A withdrawn request does not let the statement be recorded.
		if _, err := svc.RecordNotification(ctx, handler, inc.Ref, service.NewNotification{Recipient: "The public", Method: "public statement"}); !errors.As(err, &ve) {
			t.Fatalf("statement recorded on a withdrawn approval: %v", err)
		}
		events, err := svc.IncidentEvents(ctx, sys, inc.Ref)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range events {
			found = found || ev.Action == "approval.withdrawn"
		}
		if !found {
			t.Fatal("the withdrawal is not in the record of events")
		}
	})
}

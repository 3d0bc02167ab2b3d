package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T, st *store.Store, c *clock) *service.Service {
	t.Helper()
	svc, err := service.New(context.Background(), st, service.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddUser(context.Background(), svc.System(), service.NewUser{Email: "h@example.org", Name: "H", Password: "Correct-Horse-Battery-9", Roles: []auth.Role{auth.RoleHandler}}); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestSessionTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		svc := newService(t, st, c)
		secret, _, err := svc.SignIn(ctx, "H@example.org ", "Correct-Horse-Battery-9")
		if err != nil {
			t.Fatal(err)
		}
		// Active use keeps the session alive past the idle timeout...
		for i := 0; i < 5; i++ {
			c.t = c.t.Add(service.SessionIdle - time.Minute)
			if _, err := svc.SessionPrincipal(ctx, secret); err != nil {
				t.Fatalf("active session ended after %v: %v", c.t.Sub(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)), err)
			}
		}
		// ...but never past the absolute limit.
		c.t = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC).Add(service.SessionAbsolute + time.Minute)
		if _, err := svc.SessionPrincipal(ctx, secret); !errors.Is(err, domain.ErrUnauthorized) {
			t.Fatalf("session past its absolute limit: %v", err)
		}
		// A fresh session left idle ends.
		secret, _, err = svc.SignIn(ctx, "h@example.org", "Correct-Horse-Battery-9")
		if err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(service.SessionIdle + time.Minute)
		if _, err := svc.SessionPrincipal(ctx, secret); !errors.Is(err, domain.ErrUnauthorized) {
			t.Fatalf("idle session: %v", err)
		}
	})
}

func TestLockoutExpiresAndForgives(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	svc := newService(t, st, c)
	for i := 0; i < 4; i++ {
		if _, _, err := svc.SignIn(ctx, "h@example.org", "nope nope nope"); !errors.Is(err, service.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Old failures are forgiven after the window, so a fifth much later does not lock.
	c.t = c.t.Add(time.Hour)
	if _, _, err := svc.SignIn(ctx, "h@example.org", "nope nope nope"); !errors.Is(err, service.ErrBadCredentials) {
		t.Fatalf("after the window: %v", err)
	}
	for i := 0; i < 4; i++ {
		svc.SignIn(ctx, "h@example.org", "nope nope nope")
	}
	if _, _, err := svc.SignIn(ctx, "h@example.org", "Correct-Horse-Battery-9"); !errors.Is(err, service.ErrLocked) {
		t.Fatalf("locked: %v", err)
	}
	c.t = c.t.Add(16 * time.Minute)
	if _, _, err := svc.SignIn(ctx, "h@example.org", "Correct-Horse-Battery-9"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

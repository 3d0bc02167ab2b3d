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

// Tokens are cached briefly per node; withdrawing access must still take effect at once on
// the node that did it and within seconds on every other node.
func TestTokenWithdrawalBeatsTheCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		here := newService(t, st, c)
		there, err := service.New(ctx, st, service.Options{Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		use := func(svc *service.Service, secret string) error {
			_, err := svc.Authenticate(ctx, secret)
			return err
		}
		tok, err := here.CreateToken(ctx, here.System(), "h@example.org", "ci")
		if err != nil {
			t.Fatal(err)
		}
		for _, svc := range []*service.Service{here, there} {
			if err := use(svc, tok); err != nil {
				t.Fatalf("fresh token refused: %v", err)
			}
		}
		if err := here.RevokeToken(ctx, here.System(), "h@example.org", "ci"); err != nil {
			t.Fatal(err)
		}
		if err := use(here, tok); !errors.Is(err, domain.ErrUnauthorized) {
			t.Fatalf("revoking node still accepts the token: %v", err)
		}
		c.t = c.t.Add(3 * time.Second)
		if err := use(there, tok); !errors.Is(err, domain.ErrUnauthorized) {
			t.Fatalf("other node accepts a revoked token after 3 s: %v", err)
		}

		// Role changes too: a handler made auditor is an auditor on the next request.
		tok, err = here.CreateToken(ctx, here.System(), "h@example.org", "ci2")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := here.Authenticate(ctx, tok); err != nil || !p.Has(auth.RoleHandler) {
			t.Fatalf("before: %+v %v", p, err)
		}
		if err := here.SetRoles(ctx, here.System(), "h@example.org", []auth.Role{auth.RoleAuditor}, false); err != nil {
			t.Fatal(err)
		}
		if p, err := here.Authenticate(ctx, tok); err != nil || p.Has(auth.RoleHandler) || !p.Has(auth.RoleAuditor) {
			t.Fatalf("after role change: %+v %v", p, err)
		}
		if err := here.SetRoles(ctx, here.System(), "h@example.org", []auth.Role{auth.RoleAuditor}, true); err != nil {
			t.Fatal(err)
		}
		if err := use(here, tok); !errors.Is(err, domain.ErrUnauthorized) {
			t.Fatalf("disabled user's token accepted: %v", err)
		}
	})
}

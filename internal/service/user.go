package service

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// NewUser is what it takes to add a user.
type NewUser struct {
	Email, Name, Password string
	Roles                 []auth.Role
}

// AddUser creates an account. An empty password is refused: callers generate one.
func (s *Service) AddUser(ctx context.Context, p auth.Principal, nu NewUser) (*store.User, error) {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return nil, domain.ErrForbidden
	}
	v := &domain.ValidationError{}
	addr, err := mail.ParseAddress(nu.Email)
	if err != nil || addr.Address != strings.TrimSpace(nu.Email) {
		v.Add("email", "must be an e-mail address like name@example.org")
	}
	if strings.TrimSpace(nu.Name) == "" {
		v.Add("name", "is required")
	}
	if len(nu.Roles) == 0 {
		v.Add("role", "at least one role is required")
	}
	hash, err := auth.HashPassword(nu.Password)
	if err != nil {
		v.Add("password", err.Error())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := &store.User{OrgID: s.orgID, Email: strings.ToLower(addr.Address), Name: strings.TrimSpace(nu.Name),
		Roles: auth.JoinRoles(nu.Roles), PasswordHash: hash, CreatedAt: s.now()}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(u); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "user.created", nil, map[string]any{"email": u.Email, "name": u.Name, "roles": u.Roles}))
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "email", Message: "a user with this e-mail address already exists"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("adding user: %w", err)
	}
	return u, nil
}

// Bootstrap prepares an empty database on first start: if there are no users it creates an
// administrator with a random password and returns it, so nothing needs configuring first.
func (s *Service) Bootstrap(ctx context.Context) (email, password string, err error) {
	n, err := s.store.CountUsers(ctx, s.orgID)
	if err != nil || n > 0 {
		return "", "", err
	}
	password = auth.GeneratePassword()
	u, err := s.AddUser(ctx, s.System(), NewUser{Email: "admin@localhost.localdomain", Name: "Administrator", Password: password, Roles: []auth.Role{auth.RoleAdmin}})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		// Another node bootstrapped at the same moment.
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	return u.Email, password, nil
}

// CreateToken makes a named API token for a user and returns the secret, shown only once.
func (s *Service) CreateToken(ctx context.Context, p auth.Principal, email, name string) (string, error) {
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return "", mapErr(err)
	}
	if p.UserID != u.ID && !auth.Can(p, auth.ManageUsers, nil) {
		return "", domain.ErrForbidden
	}
	if strings.TrimSpace(name) == "" {
		return "", &domain.ValidationError{Fields: []domain.FieldError{{Field: "name", Message: "is required, e.g. the script that will use it"}}}
	}
	secret := auth.NewSecret(auth.TokenPrefix)
	t := &store.Token{UserID: u.ID, Name: strings.TrimSpace(name), Hash: auth.HashSecret(secret), CreatedAt: s.now()}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertToken(t); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "token.created", nil, map[string]any{"user": u.Email, "name": t.Name}))
	})
	if err != nil {
		return "", fmt.Errorf("creating token: %w", err)
	}
	return secret, nil
}

// RevokeToken revokes a user's named token.
func (s *Service) RevokeToken(ctx context.Context, p auth.Principal, email, name string) error {
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return mapErr(err)
	}
	if p.UserID != u.ID && !auth.Can(p, auth.ManageUsers, nil) {
		return domain.ErrForbidden
	}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeToken(u.ID, name, s.now()); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "token.revoked", nil, map[string]any{"user": u.Email, "name": name}))
	})
	s.tokens.clear()
	return mapErr(err)
}

// Authenticate turns a bearer token into a principal.
func (s *Service) Authenticate(ctx context.Context, secret string) (auth.Principal, error) {
	if !strings.HasPrefix(secret, auth.TokenPrefix) {
		return auth.Principal{}, domain.ErrUnauthorized
	}
	hash := auth.HashSecret(secret)
	now := s.now()
	e, ok := s.tokens.get(hash, now)
	if !ok {
		u, t, err := s.store.UserByToken(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return auth.Principal{}, domain.ErrUnauthorized
		}
		if err != nil {
			return auth.Principal{}, err
		}
		if u.Disabled {
			return auth.Principal{}, domain.ErrUnauthorized
		}
		roles, err := auth.ParseRoles(u.Roles)
		if err != nil {
			return auth.Principal{}, fmt.Errorf("user %d has bad roles: %w", u.ID, err)
		}
		e = cachedToken{p: auth.Principal{UserID: u.ID, OrgID: u.OrgID, Email: u.Email, Roles: roles}, tokenID: t.ID, lastUsed: t.LastUsedAt, expires: now.Add(tokenTTL)}
		s.tokens.put(hash, e)
	}
	// Last-used is informational: record it at most once a minute per token, without
	// making the request wait for the write.
	last, _ := s.touched.Load(e.tokenID)
	if (e.lastUsed == nil || now.Sub(*e.lastUsed) > time.Minute) && (last == nil || now.Sub(last.(time.Time)) > time.Minute) {
		s.touched.Store(e.tokenID, now)
		go func() {
			if err := s.store.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.TouchToken(e.tokenID, now) }); err != nil {
				s.log.Warn("recording token use", "err", err)
			}
		}()
	}
	return e.p, nil
}

// User is an account as administrators see it.
type User struct {
	Email, Name string
	Roles       []auth.Role
	Disabled    bool
}

// Users lists the organisation's accounts.
func (s *Service) Users(ctx context.Context, p auth.Principal) ([]User, error) {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return nil, domain.ErrForbidden
	}
	us, err := s.store.Users(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(us))
	for _, u := range us {
		roles, _ := auth.ParseRoles(u.Roles)
		out = append(out, User{Email: u.Email, Name: u.Name, Roles: roles, Disabled: u.Disabled})
	}
	return out, nil
}

// SetRoles changes a user's roles and whether the account is disabled. Disabling ends the
// user's sessions; an administrator cannot remove their own admin role or disable themselves,
// so an organisation is never left without one.
func (s *Service) SetRoles(ctx context.Context, p auth.Principal, email string, roles []auth.Role, disabled bool) error {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return domain.ErrForbidden
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return mapErr(err)
	}
	if len(roles) == 0 {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "roles", Message: "Select at least one role"}}}
	}
	if u.ID == p.UserID && (disabled || !slices.Contains(roles, auth.RoleAdmin)) {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "roles", Message: "You cannot remove your own administrator role or disable yourself"}}}
	}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserRoles(u.ID, auth.JoinRoles(roles), disabled); err != nil {
			return err
		}
		if disabled {
			if err := tx.DeleteUserSessions(u.ID); err != nil {
				return err
			}
		}
		return tx.Append(s.entry(p, "user.roles_changed", nil, map[string]any{"user": u.Email, "before": u.Roles, "after": auth.JoinRoles(roles), "disabled": disabled}))
	})
	s.tokens.clear()
	return err
}

package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// Session lifetimes. Handlers work in Vigil all day, so the idle timeout is generous; the
// absolute limit makes a stolen cookie expire by the next working day.
const (
	SessionIdle     = 2 * time.Hour
	SessionAbsolute = 12 * time.Hour
	// Lockout after repeated failures (NCSC password guidance: throttle, do not demand complexity).
	maxFailures = 5
	lockFor     = 15 * time.Minute
	failWindow  = 15 * time.Minute
	// SessionPrefix marks web session secrets.
	SessionPrefix = "vss_"
)

// ErrLocked is returned while an address is locked out after repeated failures.
var ErrLocked = errors.New("too many failed attempts; try again in 15 minutes")

// ErrBadCredentials is the one answer for an unknown user and a wrong password alike.
var ErrBadCredentials = errors.New("the e-mail address or password is not right")

// SignIn checks a password and starts a session, returning its secret. Unknown users cost
// the same argon2id work as known ones, and both count towards the lockout.
func (s *Service) SignIn(ctx context.Context, email, password string) (string, auth.Principal, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	failures, lastFailure, lockedUntil, err := s.store.SigninFailures(ctx, email)
	if err != nil {
		return "", auth.Principal{}, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", auth.Principal{}, err
	}
	hash := ""
	if u != nil && !u.Disabled {
		hash = u.PasswordHash
	}
	ok := auth.CheckPassword(hash, password) // always costs one argon2id computation
	if now.Before(lockedUntil) {
		return "", auth.Principal{}, ErrLocked
	}
	if !ok {
		if now.Sub(lastFailure) > failWindow {
			failures = 0 // old failures are forgiven
		}
		failures++
		var lock time.Time
		if failures >= maxFailures {
			lock = now.Add(lockFor)
			failures = 0
		}
		werr := s.store.Write(ctx, func(tx *store.Tx) error {
			if err := tx.RecordSigninFailure(email, failures, now, lock); err != nil {
				return err
			}
			data := map[string]any{"email": email}
			if !lock.IsZero() {
				data["locked_until"] = lock
			}
			return tx.Append(s.entry(auth.Principal{Kind: auth.KindPublic}, "signin.failed", nil, data))
		})
		if werr != nil {
			return "", auth.Principal{}, werr
		}
		if !lock.IsZero() {
			return "", auth.Principal{}, ErrLocked
		}
		return "", auth.Principal{}, ErrBadCredentials
	}
	p, err := principalOf(u)
	if err != nil {
		return "", auth.Principal{}, err
	}
	secret := auth.NewSecret(SessionPrefix)
	sess := &store.Session{UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionAbsolute)}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertSession(auth.HashSecret(secret), sess); err != nil {
			return err
		}
		if err := tx.ClearSigninFailures(email); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "signin", nil, map[string]string{"method": "password"}))
	})
	if err != nil {
		return "", auth.Principal{}, fmt.Errorf("starting session: %w", err)
	}
	return secret, p, nil
}

func principalOf(u *store.User) (auth.Principal, error) {
	roles, err := auth.ParseRoles(u.Roles)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("user %d has bad roles: %w", u.ID, err)
	}
	return auth.Principal{UserID: u.ID, OrgID: u.OrgID, Email: u.Email, Roles: roles, Name: u.Name}, nil
}

// SessionPrincipal resolves a session secret, enforcing the idle and absolute timeouts.
func (s *Service) SessionPrincipal(ctx context.Context, secret string) (auth.Principal, error) {
	if !strings.HasPrefix(secret, SessionPrefix) {
		return auth.Principal{}, domain.ErrUnauthorized
	}
	sess, u, err := s.store.SessionByHash(ctx, auth.HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return auth.Principal{}, domain.ErrUnauthorized
	}
	if err != nil {
		return auth.Principal{}, err
	}
	now := s.now()
	if u.Disabled || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > SessionIdle {
		return auth.Principal{}, domain.ErrUnauthorized
	}
	// Activity is recorded at most once a minute: enough for a two-hour idle timeout.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(sess.ID, now) }); err != nil {
			return auth.Principal{}, err
		}
	}
	return principalOf(u)
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, p auth.Principal, secret string) error {
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(auth.HashSecret(secret)); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "signout", nil, nil))
	})
}

// ChangePassword replaces the signed-in user's password after checking the current one, and
// ends all their sessions (the caller signs in again).
func (s *Service) ChangePassword(ctx context.Context, p auth.Principal, current, next string) error {
	u, err := s.store.UserByEmail(ctx, p.Email)
	if err != nil {
		return mapErr(err)
	}
	if !auth.CheckPassword(u.PasswordHash, current) {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "current", Message: "Your current password is not right"}}}
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "new", Message: "Your new password " + strings.TrimPrefix(err.Error(), "password ")}}}
	}
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(u.ID, hash); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(u.ID); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "password.changed", nil, nil))
	})
}

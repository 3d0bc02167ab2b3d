package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser. Only the hash of its secret is stored.
type Session struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// InsertSession stores a new session.
func (tx *Tx) InsertSession(hash string, s *Session) error {
	if err := tx.queryRow("INSERT INTO web_sessions(user_id, hash, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		s.UserID, hash, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt)).Scan(&s.ID); err != nil {
		return fmt.Errorf("storing session: %w", err)
	}
	return nil
}

// SessionByHash finds a session and its user.
func (s *Store) SessionByHash(ctx context.Context, hash string) (*Session, *User, error) {
	var ss Session
	var created, seen, expires, ucreated int64
	var u User
	err := s.r.QueryRowContext(ctx, `SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at,
		u.id, u.org_id, u.email, u.name, u.roles, u.password_hash, u.disabled, u.created_at
		FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = $1`, hash).Scan(
		&ss.ID, &ss.UserID, &created, &seen, &expires, &u.ID, &u.OrgID, &u.Email, &u.Name, &u.Roles, &u.PasswordHash, &u.Disabled, &ucreated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading session: %w", err)
	}
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt, u.CreatedAt = fromMicros(created), fromMicros(seen), fromMicros(expires), fromMicros(ucreated)
	return &ss, &u, nil
}

// TouchSession records activity, which keeps an idle session alive.
func (tx *Tx) TouchSession(id int64, at time.Time) error {
	if _, err := tx.exec("UPDATE web_sessions SET last_seen_at = $1 WHERE id = $2", micros(at), id); err != nil {
		return fmt.Errorf("recording session activity: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (tx *Tx) DeleteSession(hash string) error {
	if _, err := tx.exec("DELETE FROM web_sessions WHERE hash = $1", hash); err != nil {
		return fmt.Errorf("ending session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (after a password change).
func (tx *Tx) DeleteUserSessions(userID int64) error {
	if _, err := tx.exec("DELETE FROM web_sessions WHERE user_id = $1", userID); err != nil {
		return fmt.Errorf("ending sessions: %w", err)
	}
	return nil
}

// SetPassword replaces a user's password hash.
func (tx *Tx) SetPassword(userID int64, hash string) error {
	if _, err := tx.exec("UPDATE users SET password_hash = $1 WHERE id = $2", hash, userID); err != nil {
		return fmt.Errorf("changing password: %w", err)
	}
	return nil
}

// SigninFailures reads the failure count and lock of an e-mail address.
func (s *Store) SigninFailures(ctx context.Context, email string) (failures int, lastAt, lockedUntil time.Time, err error) {
	var last, locked int64
	err = s.r.QueryRowContext(ctx, "SELECT failures, last_at, locked_until FROM signin_failures WHERE email = $1", email).Scan(&failures, &last, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, time.Time{}, fmt.Errorf("reading sign-in failures: %w", err)
	}
	return failures, fromMicros(last), fromMicros(locked), nil
}

// RecordSigninFailure counts a failure; lockUntil is stored when non-zero.
func (tx *Tx) RecordSigninFailure(email string, failures int, at, lockUntil time.Time) error {
	lock := int64(0)
	if !lockUntil.IsZero() {
		lock = micros(lockUntil)
	}
	if _, err := tx.exec(`INSERT INTO signin_failures(email, failures, last_at, locked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (email) DO UPDATE SET failures = $2, last_at = $3, locked_until = $4`, email, failures, micros(at), lock); err != nil {
		return fmt.Errorf("recording sign-in failure: %w", err)
	}
	return nil
}

// ClearSigninFailures forgets failures after a successful sign-in.
func (tx *Tx) ClearSigninFailures(email string) error {
	if _, err := tx.exec("DELETE FROM signin_failures WHERE email = $1", email); err != nil {
		return fmt.Errorf("clearing sign-in failures: %w", err)
	}
	return nil
}

// SaveDraft stores a report in progress.
func (tx *Tx) SaveDraft(hash string, data []byte, expires time.Time) error {
	if _, err := tx.exec(`INSERT INTO report_drafts(hash, data, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (hash) DO UPDATE SET data = $2, expires_at = $3`, hash, string(data), micros(expires)); err != nil {
		return fmt.Errorf("saving report draft: %w", err)
	}
	return nil
}

// Draft reads a report in progress that has not expired.
func (s *Store) Draft(ctx context.Context, hash string, now time.Time) ([]byte, error) {
	var data string
	err := s.r.QueryRowContext(ctx, "SELECT data FROM report_drafts WHERE hash = $1 AND expires_at > $2", hash, micros(now)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading report draft: %w", err)
	}
	return []byte(data), nil
}

// DeleteDraft removes a draft once it became a report.
func (tx *Tx) DeleteDraft(hash string) error {
	if _, err := tx.exec("DELETE FROM report_drafts WHERE hash = $1", hash); err != nil {
		return fmt.Errorf("deleting report draft: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is a stored account.
type User struct {
	ID           int64
	OrgID        int64
	Email        string
	Name         string
	Roles        string
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

// Org is an organisation using Vigil.
type Org struct {
	ID   int64
	Name string
}

// ErrDuplicate is returned when a unique value (an e-mail address) is taken.
var ErrDuplicate = errors.New("already exists")

// DefaultOrg returns the organisation, creating it on an empty database. Vigil serves one
// organisation per deployment today; the schema keys everything by org_id for later.
func (s *Store) DefaultOrg(ctx context.Context, name string) (Org, bool, error) {
	var o Org
	err := s.r.QueryRowContext(ctx, "SELECT id, name FROM orgs ORDER BY id LIMIT 1").Scan(&o.ID, &o.Name)
	if err == nil {
		return o, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return o, false, fmt.Errorf("reading organisation: %w", err)
	}
	created := false
	err = s.Write(ctx, func(tx *Tx) error {
		// Another node may have created it meanwhile: look again inside the write.
		err := tx.queryRow("SELECT id, name FROM orgs ORDER BY id LIMIT 1").Scan(&o.ID, &o.Name)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		o.Name = name
		created = true
		return tx.queryRow("INSERT INTO orgs(name, created_at) VALUES ($1, $2) RETURNING id", name, time.Now().UnixMicro()).Scan(&o.ID)
	})
	if err != nil {
		return o, false, fmt.Errorf("creating organisation: %w", err)
	}
	return o, created, nil
}

// CountUsers counts an organisation's users (to detect the first start).
func (s *Store) CountUsers(ctx context.Context, orgID int64) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE org_id = $1", orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting users: %w", err)
	}
	return n, nil
}

// InsertUser adds a user and sets its ID.
func (tx *Tx) InsertUser(u *User) error {
	err := tx.queryRow(`INSERT INTO users(org_id, email, name, roles, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (email) DO NOTHING RETURNING id`, u.OrgID, strings.ToLower(u.Email), u.Name, u.Roles, u.PasswordHash, micros(u.CreatedAt)).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("adding user: %w", err)
	}
	return nil
}

const userColumns = "id, org_id, email, name, roles, password_hash, disabled, created_at"

func scanUser(sc scanner) (*User, error) {
	var u User
	var created int64
	if err := sc.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Roles, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// UserByEmail finds a user by e-mail address (case-insensitive).
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE email = $1", strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading user: %w", err)
	}
	return u, nil
}

// Token is a stored API token (its secret is kept only as a hash).
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// InsertToken stores a token and sets its ID.
func (tx *Tx) InsertToken(t *Token) error {
	if err := tx.queryRow("INSERT INTO api_tokens(user_id, name, hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
		t.UserID, t.Name, t.Hash, micros(t.CreatedAt)).Scan(&t.ID); err != nil {
		return fmt.Errorf("storing token: %w", err)
	}
	return nil
}

// RevokeToken marks a user's token revoked; ErrNotFound if there is no such live token.
func (tx *Tx) RevokeToken(userID int64, name string, at time.Time) error {
	res, err := tx.exec("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND name = $3 AND revoked_at IS NULL", micros(at), userID, name)
	if err != nil {
		return fmt.Errorf("revoking token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserByToken finds the live token with this hash and its user.
func (s *Store) UserByToken(ctx context.Context, hash string) (*User, *Token, error) {
	var t Token
	var created int64
	var last sql.NullInt64
	row := s.r.QueryRowContext(ctx, `SELECT t.id, t.user_id, t.name, t.created_at, t.last_used_at, u.id, u.org_id, u.email, u.name, u.roles, u.password_hash, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash)
	var u User
	var ucreated int64
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &created, &last, &u.ID, &u.OrgID, &u.Email, &u.Name, &u.Roles, &u.PasswordHash, &u.Disabled, &ucreated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading token: %w", err)
	}
	t.CreatedAt, t.LastUsedAt, u.CreatedAt = fromMicros(created), fromNullMicros(last), fromMicros(ucreated)
	return &u, &t, nil
}

// TouchToken records when a token was last used.
func (tx *Tx) TouchToken(id int64, at time.Time) error {
	if _, err := tx.exec("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", micros(at), id); err != nil {
		return fmt.Errorf("recording token use: %w", err)
	}
	return nil
}

// ReportNotice is the organisation's notice on the reporting start page.
func (s *Store) ReportNotice(ctx context.Context, orgID int64) (string, error) {
	var n string
	if err := s.r.QueryRowContext(ctx, "SELECT report_notice FROM orgs WHERE id = $1", orgID).Scan(&n); err != nil {
		return "", fmt.Errorf("reading report notice: %w", err)
	}
	return n, nil
}

// SetReportNotice changes the notice.
func (tx *Tx) SetReportNotice(orgID int64, notice string) error {
	if _, err := tx.exec("UPDATE orgs SET report_notice = $1 WHERE id = $2", notice, orgID); err != nil {
		return fmt.Errorf("changing report notice: %w", err)
	}
	return nil
}

// Users lists an organisation's users by name.
func (s *Store) Users(ctx context.Context, orgID int64) ([]*User, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = $1 ORDER BY name, email", orgID)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("listing users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserRoles replaces a user's roles and disabled flag.
func (tx *Tx) SetUserRoles(userID int64, roles string, disabled bool) error {
	if _, err := tx.exec("UPDATE users SET roles = $1, disabled = $2 WHERE id = $3", roles, disabled, userID); err != nil {
		return fmt.Errorf("changing roles: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/clocks"
)

const clockColumns = `c.id, c.incident_id, i.ref, c.rule, c.scope, c.label, c.source, c.start_at, c.due_at, c.state, c.met_at,
	c.late, c.late_reason, c.next_escalation_at, c.next_threshold, c.exercise`

func scanClock(sc scanner, extra ...any) (*clocks.Clock, error) {
	var c clocks.Clock
	var start, due int64
	var met, next sql.NullInt64
	dst := append([]any{&c.ID, &c.IncidentID, &c.Ref, &c.Rule, &c.Scope, &c.Label, &c.Source, &start, &due, &c.State, &met,
		&c.Late, &c.LateReason, &next, &c.NextThreshold, &c.Exercise}, extra...)
	if err := sc.Scan(dst...); err != nil {
		return nil, err
	}
	c.StartAt, c.DueAt, c.MetAt, c.NextEscalationAt = fromMicros(start), fromMicros(due), fromNullMicros(met), fromNullMicros(next)
	return &c, nil
}

// StoredClock is a clock with the escalation bookkeeping the scheduler needs.
type StoredClock struct {
	clocks.Clock
	OrgID         int64
	SentThreshold int
	Title, Owner  string // the incident's, for escalation messages (DueClocks only)
	TLP           string // the incident's marking (DueClocks only)
}

// Clocks lists an incident's clocks in due order.
func (s *Store) Clocks(ctx context.Context, incidentID int64) ([]*clocks.Clock, error) {
	return s.queryClocks(ctx, "WHERE c.incident_id = $1 ORDER BY c.due_at", incidentID)
}

// clocksOf reads inside the transaction, so a recomputation sees its own writes.
func (tx *Tx) clocksOf(incidentID int64) (map[string]*StoredClock, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT "+clockColumns+", c.sent_threshold FROM clocks c JOIN incidents i ON i.id = c.incident_id WHERE c.incident_id = $1", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading clocks: %w", err)
	}
	defer rows.Close()
	out := map[string]*StoredClock{}
	for rows.Next() {
		var sc StoredClock
		c, err := scanClock(rows, &sc.SentThreshold)
		if err != nil {
			return nil, fmt.Errorf("reading clocks: %w", err)
		}
		sc.Clock = *c
		out[clocks.Key(c.Rule, c.Scope)] = &sc
	}
	return out, rows.Err()
}

// ClockChange is one clock added, changed or dropped by a recomputation.
type ClockChange struct {
	Key    string        `json:"clock"`
	Before *clocks.Clock `json:"before"`
	After  *clocks.Clock `json:"after"`
}

// SyncClocks makes an incident's stored clocks match want, keeping escalation progress for
// clocks whose window did not change, and returns what changed. thresholds is the
// organisation's escalation policy; fresh skips reading clocks a new incident cannot have.
func (tx *Tx) SyncClocks(orgID, incidentID int64, exercise, fresh bool, want []clocks.Clock, thresholds []int, now time.Time) ([]ClockChange, error) {
	have := map[string]*StoredClock{}
	if !fresh {
		var err error
		if have, err = tx.clocksOf(incidentID); err != nil {
			return nil, err
		}
	}
	var err error
	var changes []ClockChange
	seen := map[string]bool{}
	for i := range want {
		w := want[i]
		key := clocks.Key(w.Rule, w.Scope)
		seen[key] = true
		old := have[key]
		sent := 0
		if old != nil && old.StartAt.Equal(w.StartAt) && old.DueAt.Equal(w.DueAt) {
			sent = old.SentThreshold
			w.LateReason = old.LateReason
			if w.State == clocks.Running && old.State == clocks.Missed {
				w.State = clocks.Missed
			}
		}
		clocks.Escalate(&w, thresholds, sent, now)
		if old != nil && sameClock(&old.Clock, &w) && sent == old.SentThreshold {
			continue
		}
		if old == nil {
			_, err = tx.exec(`INSERT INTO clocks(org_id, incident_id, rule, scope, label, source, start_at, due_at, state, met_at, late, late_reason,
				next_escalation_at, next_threshold, sent_threshold, exercise, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
				orgID, incidentID, w.Rule, w.Scope, w.Label, w.Source, micros(w.StartAt), micros(w.DueAt), w.State, microsPtr(w.MetAt), w.Late, w.LateReason,
				microsPtr(w.NextEscalationAt), w.NextThreshold, sent, exercise, micros(now))
		} else {
			_, err = tx.exec(`UPDATE clocks SET label = $1, source = $2, start_at = $3, due_at = $4, state = $5, met_at = $6, late = $7,
				next_escalation_at = $8, next_threshold = $9, sent_threshold = $10, exercise = $11, updated_at = $12, late_reason = $13 WHERE id = $14`,
				w.Label, w.Source, micros(w.StartAt), micros(w.DueAt), w.State, microsPtr(w.MetAt), w.Late,
				microsPtr(w.NextEscalationAt), w.NextThreshold, sent, exercise, micros(now), w.LateReason, old.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("saving clock %s: %w", key, err)
		}
		var before *clocks.Clock
		if old != nil {
			before = &old.Clock
		}
		after := w
		changes = append(changes, ClockChange{Key: key, Before: before, After: &after})
	}
	for key, old := range have {
		if seen[key] || old.State == clocks.NotApplicable {
			continue
		}
		// The facts no longer call for this clock (e.g. personal data ruled out): it stops.
		if _, err := tx.exec("UPDATE clocks SET state = $1, next_escalation_at = NULL, updated_at = $2 WHERE id = $3", clocks.NotApplicable, micros(now), old.ID); err != nil {
			return nil, fmt.Errorf("stopping clock %s: %w", key, err)
		}
		after := old.Clock
		after.State = clocks.NotApplicable
		changes = append(changes, ClockChange{Key: key, Before: &old.Clock, After: &after})
	}
	return changes, nil
}

func sameClock(a, b *clocks.Clock) bool {
	eqT := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.StartAt.Equal(b.StartAt) && a.DueAt.Equal(b.DueAt) && a.State == b.State && eqT(a.MetAt, b.MetAt) &&
		a.Late == b.Late && eqT(a.NextEscalationAt, b.NextEscalationAt) && a.NextThreshold == b.NextThreshold && a.Label == b.Label
}

func (s *Store) queryClocks(ctx context.Context, where string, args ...any) ([]*clocks.Clock, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+clockColumns+" FROM clocks c JOIN incidents i ON i.id = c.incident_id "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading clocks: %w", err)
	}
	defer rows.Close()
	out := []*clocks.Clock{}
	for rows.Next() {
		c, err := scanClock(rows)
		if err != nil {
			return nil, fmt.Errorf("reading clocks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClocksDue lists an organisation's running or missed clocks due before t, soonest first,
// with their incidents' references (for the dashboard and GET /api/v1/clocks).
func (s *Store) ClocksDue(ctx context.Context, f Filter, before time.Time, limit int) ([]*clocks.Clock, error) {
	q, ok := s.filter(f)
	if !ok {
		return []*clocks.Clock{}, nil
	}
	where := "WHERE c.org_id = " + q.arg(f.OrgID) + " AND c.state IN (" + q.arg(clocks.Running) + ", " + q.arg(clocks.Missed) + ") AND c.due_at < " + q.arg(micros(before)) +
		" AND c.incident_id IN (SELECT i.id FROM incidents i WHERE " + joinAnd(q.where) + ") ORDER BY c.due_at LIMIT " + q.arg(limit)
	return s.queryClocks(ctx, where, q.args...)
}

// SetLateReason keeps the reason a clock was met late (seed 002: reasons must be given).
func (tx *Tx) SetLateReason(incidentID int64, rule, scope, reason string) error {
	if _, err := tx.exec("UPDATE clocks SET late_reason = $1 WHERE incident_id = $2 AND rule = $3 AND scope = $4", reason, incidentID, rule, scope); err != nil {
		return fmt.Errorf("recording reason for delay: %w", err)
	}
	return nil
}

// Notification is a record that someone was told (a minimal record; documents extend it).
type Notification struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"-"`
	Rule       string    `json:"rule"`
	Scope      string    `json:"scope"`
	Recipient  string    `json:"recipient"`
	Method     string    `json:"method"`
	SentAt     time.Time `json:"sent_at"`
	Reference  string    `json:"reference"`
	LateReason string    `json:"late_reason,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
	// What was sent (migration 0010): the phase of a regulator notification, the SHA-256 of
	// the document, how many people were told, and the letter run that told them.
	Phase          string `json:"phase,omitempty"`
	DocumentSHA256 string `json:"document_sha256,omitempty"`
	PeopleCount    *int64 `json:"people_count,omitempty"`
	LetterRunID    *int64 `json:"letter_run,omitempty"`
}

// InsertNotification records a notification.
func (tx *Tx) InsertNotification(orgID int64, n *Notification) error {
	if err := tx.queryRow(`INSERT INTO notifications(org_id, incident_id, rule, scope, recipient, method, sent_at, reference, late_reason, recorded_by, created_at,
		phase, document_sha256, people_count, letter_run_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`, orgID, n.IncidentID, n.Rule, n.Scope, n.Recipient, n.Method,
		micros(n.SentAt), n.Reference, n.LateReason, n.RecordedBy, micros(n.CreatedAt), n.Phase, n.DocumentSHA256, n.PeopleCount, n.LetterRunID).Scan(&n.ID); err != nil {
		return fmt.Errorf("recording notification: %w", err)
	}
	return nil
}

// NotifiedAt maps clock keys to the earliest notification recorded for each.
func (tx *Tx) NotifiedAt(incidentID int64) (map[string]time.Time, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT rule, scope, MIN(sent_at) FROM notifications WHERE incident_id = $1 GROUP BY rule, scope", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading notifications: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var rule, scope string
		var at int64
		if err := rows.Scan(&rule, &scope, &at); err != nil {
			return nil, fmt.Errorf("reading notifications: %w", err)
		}
		out[clocks.Key(rule, scope)] = fromMicros(at)
	}
	return out, rows.Err()
}

// Notifications lists an incident's notifications.
func (s *Store) Notifications(ctx context.Context, incidentID int64) ([]*Notification, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, incident_id, rule, scope, recipient, method, sent_at, reference, late_reason, recorded_by, created_at,
		phase, document_sha256, people_count, letter_run_id FROM notifications WHERE incident_id = $1 ORDER BY sent_at`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading notifications: %w", err)
	}
	defer rows.Close()
	out := []*Notification{}
	for rows.Next() {
		var n Notification
		var sent, created int64
		var people, run sql.NullInt64
		if err := rows.Scan(&n.ID, &n.IncidentID, &n.Rule, &n.Scope, &n.Recipient, &n.Method, &sent, &n.Reference, &n.LateReason, &n.RecordedBy, &created,
			&n.Phase, &n.DocumentSHA256, &people, &run); err != nil {
			return nil, fmt.Errorf("reading notifications: %w", err)
		}
		n.SentAt, n.CreatedAt = fromMicros(sent), fromMicros(created)
		if people.Valid {
			n.PeopleCount = &people.Int64
		}
		if run.Valid {
			n.LetterRunID = &run.Int64
		}
		out = append(out, &n)
	}
	return out, rows.Err()
}

// Setting reads an organisation setting (JSON text); ErrNotFound when unset.
func (s *Store) Setting(ctx context.Context, orgID int64, key string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT value FROM org_settings WHERE org_id = $1 AND key = $2", orgID, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("reading setting %s: %w", key, err)
	}
	return v, nil
}

// Setting reads a setting inside the transaction; ErrNotFound when unset.
func (tx *Tx) Setting(orgID int64, key string) (string, error) {
	var v string
	err := tx.queryRow("SELECT value FROM org_settings WHERE org_id = $1 AND key = $2", orgID, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("reading setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting writes an organisation setting.
func (tx *Tx) SetSetting(orgID int64, key, value string) error {
	if _, err := tx.exec(`INSERT INTO org_settings(org_id, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (org_id, key) DO UPDATE SET value = $3`, orgID, key, value); err != nil {
		return fmt.Errorf("saving setting %s: %w", key, err)
	}
	return nil
}

// ClockOf reads one clock of an incident inside the transaction.
func (tx *Tx) ClockOf(incidentID int64, rule, scope string) (*clocks.Clock, error) {
	c, err := scanClock(tx.queryRow("SELECT "+clockColumns+" FROM clocks c JOIN incidents i ON i.id = c.incident_id WHERE c.incident_id = $1 AND c.rule = $2 AND c.scope = $3", incidentID, rule, scope))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading clock: %w", err)
	}
	return c, nil
}

// NextDue maps each of the given incidents to its running or missed clock due soonest.
func (s *Store) NextDue(ctx context.Context, incidentIDs []int64) (map[int64]*clocks.Clock, error) {
	out := map[int64]*clocks.Clock{}
	if len(incidentIDs) == 0 {
		return out, nil
	}
	q := &query{}
	ph := make([]string, len(incidentIDs))
	for i, id := range incidentIDs {
		ph[i] = q.arg(id)
	}
	cs, err := s.queryClocks(ctx, "WHERE c.incident_id IN ("+strings.Join(ph, ", ")+") AND c.state IN ("+q.arg(clocks.Running)+", "+q.arg(clocks.Missed)+") ORDER BY c.due_at", q.args...)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if out[c.IncidentID] == nil {
			out[c.IncidentID] = c
		}
	}
	return out, nil
}

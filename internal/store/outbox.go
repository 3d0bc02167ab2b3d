package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxItem is one message to deliver (an escalation e-mail or webhook).
type OutboxItem struct {
	ID            int64      `json:"id"`
	OrgID         int64      `json:"-"`
	DedupeKey     string     `json:"key"`
	Kind          string     `json:"kind"` // email or webhook
	Target        string     `json:"target"`
	Payload       string     `json:"payload"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error,omitempty"`
	LastStatus    int        `json:"last_status,omitempty"`
	SentAt        *time.Time `json:"sent_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Enqueue adds an item unless one with the same dedupe key exists; it reports whether it did.
func (tx *Tx) Enqueue(it *OutboxItem) (bool, error) {
	res, err := tx.exec(`INSERT INTO outbox(org_id, dedupe_key, kind, target, payload, state, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING`,
		it.OrgID, it.DedupeKey, it.Kind, it.Target, it.Payload, OutboxPending, micros(it.NextAttemptAt), micros(it.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("queueing %s: %w", it.DedupeKey, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DueClocks locks up to limit clocks whose next escalation has fallen due. On PostgreSQL
// other nodes skip the locked rows, so each clock is escalated by one node at a time.
func (tx *Tx) DueClocks(now time.Time, limit int) ([]*StoredClock, error) {
	q := "SELECT " + clockColumns + ", c.sent_threshold, c.org_id, i.title, i.tlp, COALESCE(u.email, '') FROM clocks c JOIN incidents i ON i.id = c.incident_id " +
		"LEFT JOIN users u ON u.id = i.owner_id WHERE c.next_escalation_at IS NOT NULL AND c.next_escalation_at <= $1 ORDER BY c.next_escalation_at LIMIT $2"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE OF c SKIP LOCKED"
	}
	rows, err := tx.tx.QueryContext(tx.ctx, q, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("finding due escalations: %w", err)
	}
	defer rows.Close()
	var out []*StoredClock
	for rows.Next() {
		var sc StoredClock
		c, err := scanClock(rows, &sc.SentThreshold, &sc.OrgID, &sc.Title, &sc.TLP, &sc.Owner)
		if err != nil {
			return nil, fmt.Errorf("finding due escalations: %w", err)
		}
		sc.Clock = *c
		out = append(out, &sc)
	}
	return out, rows.Err()
}

// AdvanceClock records that a clock's escalation up to sent percent is queued, and its next.
func (tx *Tx) AdvanceClock(c *StoredClock, sent int, now time.Time) error {
	if _, err := tx.exec("UPDATE clocks SET sent_threshold = $1, next_escalation_at = $2, next_threshold = $3, state = $4, updated_at = $5 WHERE id = $6",
		sent, microsPtr(c.NextEscalationAt), c.NextThreshold, c.State, micros(now), c.ID); err != nil {
		return fmt.Errorf("advancing clock: %w", err)
	}
	return nil
}

const outboxColumns = "id, org_id, dedupe_key, kind, target, payload, state, attempts, next_attempt_at, last_error, last_status, sent_at, created_at"

func scanOutbox(sc scanner) (*OutboxItem, error) {
	var it OutboxItem
	var next, created int64
	var sent sql.NullInt64
	if err := sc.Scan(&it.ID, &it.OrgID, &it.DedupeKey, &it.Kind, &it.Target, &it.Payload, &it.State, &it.Attempts, &next,
		&it.LastError, &it.LastStatus, &sent, &created); err != nil {
		return nil, err
	}
	it.NextAttemptAt, it.CreatedAt, it.SentAt = fromMicros(next), fromMicros(created), fromNullMicros(sent)
	return &it, nil
}

// Claim takes up to limit items due for delivery and leases them until now+lease, so a
// node that dies mid-delivery releases them to others when the lease runs out.
func (tx *Tx) Claim(now time.Time, lease time.Duration, limit int) ([]*OutboxItem, error) {
	q := "SELECT " + outboxColumns + " FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 AND lease_until <= $1 ORDER BY next_attempt_at LIMIT $2"
	if tx.s.dialect == Postgres {
		q += " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.tx.QueryContext(tx.ctx, q, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claiming deliveries: %w", err)
	}
	var out []*OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("claiming deliveries: %w", err)
		}
		out = append(out, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claiming deliveries: %w", err)
	}
	for _, it := range out {
		it.Attempts++
		it.State = OutboxSending
		if _, err := tx.exec("UPDATE outbox SET state = $1, attempts = $2, lease_until = $3 WHERE id = $4",
			OutboxSending, it.Attempts, micros(now.Add(lease)), it.ID); err != nil {
			return nil, fmt.Errorf("claiming deliveries: %w", err)
		}
	}
	return out, nil
}

// FinishDelivery records an attempt's outcome: sent, retry at next, or failed for good.
func (tx *Tx) FinishDelivery(it *OutboxItem) error {
	if _, err := tx.exec("UPDATE outbox SET state = $1, next_attempt_at = $2, lease_until = 0, last_error = $3, last_status = $4, sent_at = $5 WHERE id = $6",
		it.State, micros(it.NextAttemptAt), it.LastError, it.LastStatus, microsPtr(it.SentAt), it.ID); err != nil {
		return fmt.Errorf("recording delivery: %w", err)
	}
	return nil
}

// Deliveries lists an organisation's most recent outbox items (the delivery log).
func (s *Store) Deliveries(ctx context.Context, orgID int64, limit int) ([]*OutboxItem, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE org_id = $1 ORDER BY id DESC LIMIT $2", orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("reading delivery log: %w", err)
	}
	defer rows.Close()
	out := []*OutboxItem{}
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("reading delivery log: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

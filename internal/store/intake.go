package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// IntakeMessage is one e-mail taken in, whatever became of it.
type IntakeMessage struct {
	OrgID      int64
	Key        string // the Message-ID, or a hash of the message when it has none
	Sender     string // lower case
	Kind       string // incident or phishing
	Outcome    string // created, appended, grouped, quarantined
	IncidentID int64  // 0 when quarantined
	ReceivedAt time.Time
}

// RecordIntake remembers a message under its key; it reports false when the key was
// already taken, so a redelivered message is told apart in the same transaction that
// would otherwise record it twice.
func (tx *Tx) RecordIntake(m *IntakeMessage) (bool, error) {
	res, err := tx.exec(`INSERT INTO intake_messages(org_id, message_key, sender, kind, outcome, incident_id, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, message_key) DO NOTHING`,
		m.OrgID, m.Key, m.Sender, m.Kind, m.Outcome, nullID(m.IncidentID), micros(m.ReceivedAt))
	if err != nil {
		return false, fmt.Errorf("recording intake: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// IntakeByKey returns what became of a message already taken in, or ErrNotFound.
func (s *Store) IntakeByKey(ctx context.Context, orgID int64, key string) (*IntakeMessage, string, error) {
	m := &IntakeMessage{OrgID: orgID, Key: key}
	var id sql.NullInt64
	var at int64
	var ref sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT m.sender, m.kind, m.outcome, m.incident_id, m.received_at, i.ref FROM intake_messages m
		LEFT JOIN incidents i ON i.id = m.incident_id WHERE m.org_id = $1 AND m.message_key = $2`, orgID, key).
		Scan(&m.Sender, &m.Kind, &m.Outcome, &id, &at, &ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading intake: %w", err)
	}
	m.IncidentID, m.ReceivedAt = id.Int64, fromMicros(at)
	return m, ref.String, nil
}

// IntakeCount counts the messages from sender since since (the per-sender rate).
func (s *Store) IntakeCount(ctx context.Context, orgID int64, sender string, since time.Time) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM intake_messages WHERE org_id = $1 AND sender = $2 AND received_at >= $3",
		orgID, sender, micros(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting intake: %w", err)
	}
	return n, nil
}

// IncidentReports counts the e-mails that reported or joined an incident (a campaign's size).
func (s *Store) IncidentReports(ctx context.Context, incidentID int64) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM intake_messages WHERE incident_id = $1", incidentID).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting reports: %w", err)
	}
	return n, nil
}

// Quarantined is a message refused at intake; its raw bytes are in the blob store.
type Quarantined struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"-"`
	Reason     string    `json:"reason"`
	Detail     string    `json:"detail"`
	Sender     string    `json:"sender"`
	Recipient  string    `json:"recipient"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	ReceivedAt time.Time `json:"received_at"`
}

// InsertQuarantine records a refused message.
func (tx *Tx) InsertQuarantine(q *Quarantined) error {
	if err := tx.queryRow(`INSERT INTO quarantine(org_id, reason, detail, sender, recipient, size, sha256, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		q.OrgID, q.Reason, q.Detail, q.Sender, q.Recipient, q.Size, q.SHA256, micros(q.ReceivedAt)).Scan(&q.ID); err != nil {
		return fmt.Errorf("quarantining message: %w", err)
	}
	return nil
}

// Quarantine lists refused messages, newest first.
func (s *Store) Quarantine(ctx context.Context, orgID int64, limit int) ([]*Quarantined, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, reason, detail, sender, recipient, size, sha256, received_at FROM quarantine
		WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("reading quarantine: %w", err)
	}
	defer rows.Close()
	var out []*Quarantined
	for rows.Next() {
		q := &Quarantined{OrgID: orgID}
		var at int64
		if err := rows.Scan(&q.ID, &q.Reason, &q.Detail, &q.Sender, &q.Recipient, &q.Size, &q.SHA256, &at); err != nil {
			return nil, fmt.Errorf("reading quarantine: %w", err)
		}
		q.ReceivedAt = fromMicros(at)
		out = append(out, q)
	}
	return out, rows.Err()
}

// Observable is an indicator seen on an incident: a URL, a domain, a file hash.
type Observable struct {
	ID         int64     `json:"-"`
	OrgID      int64     `json:"-"`
	IncidentID int64     `json:"-"`
	Ref        string    `json:"ref"`
	Type       string    `json:"type"`
	Value      string    `json:"value"`
	TLP        string    `json:"tlp"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	Count      int       `json:"count"`
}

// UpsertObservable adds an observable to an incident, or counts one more sighting of it.
func (tx *Tx) UpsertObservable(o *Observable) error {
	if _, err := tx.exec(`INSERT INTO observables(org_id, incident_id, type, value, tlp, first_seen, last_seen, count)
		VALUES ($1, $2, $3, $4, $5, $6, $6, 1)
		ON CONFLICT (incident_id, type, value) DO UPDATE SET count = observables.count + 1, last_seen = excluded.last_seen`,
		o.OrgID, o.IncidentID, o.Type, o.Value, o.TLP, micros(o.LastSeen)); err != nil {
		return fmt.Errorf("recording observable: %w", err)
	}
	return nil
}

// ObservableMatch is an open incident that has one of the observables looked for.
type ObservableMatch struct {
	IncidentID int64
	Ref        string
	Type       string
	Value      string
}

// CampaignMatch finds the open, unrestricted incident most recently seen with any of the
// (type, value) pairs since since; ErrNotFound when none has.
func (tx *Tx) CampaignMatch(orgID int64, pairs [][2]string, since time.Time) (*ObservableMatch, error) {
	if len(pairs) == 0 {
		return nil, ErrNotFound
	}
	args := []any{orgID, micros(since)}
	var or []string
	for _, p := range pairs {
		args = append(args, p[0], p[1])
		or = append(or, fmt.Sprintf("(o.type = $%d AND o.value = $%d)", len(args)-1, len(args)))
	}
	q := `SELECT o.incident_id, i.ref, o.type, o.value FROM observables o JOIN incidents i ON i.id = o.incident_id
		WHERE o.org_id = $1 AND o.last_seen >= $2 AND (` + strings.Join(or, " OR ") + `)
		AND i.restricted = false AND i.status NOT IN ('resolved', 'closed', 'not_an_incident', 'merged')
		ORDER BY o.last_seen DESC, o.incident_id DESC LIMIT 1`
	var m ObservableMatch
	err := tx.tx.QueryRowContext(tx.ctx, q, args...).Scan(&m.IncidentID, &m.Ref, &m.Type, &m.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("matching campaign: %w", err)
	}
	return &m, nil
}

// Observables lists observables, of one incident when incidentID is not 0, oldest first.
func (s *Store) Observables(ctx context.Context, orgID, incidentID int64) ([]*Observable, error) {
	q := `SELECT o.id, o.incident_id, i.ref, o.type, o.value, o.tlp, o.first_seen, o.last_seen, o.count FROM observables o
		JOIN incidents i ON i.id = o.incident_id WHERE o.org_id = $1`
	args := []any{orgID}
	if incidentID != 0 {
		q += " AND o.incident_id = $2"
		args = append(args, incidentID)
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY o.id", args...)
	if err != nil {
		return nil, fmt.Errorf("reading observables: %w", err)
	}
	defer rows.Close()
	var out []*Observable
	for rows.Next() {
		o := &Observable{OrgID: orgID}
		var first, last int64
		if err := rows.Scan(&o.ID, &o.IncidentID, &o.Ref, &o.Type, &o.Value, &o.TLP, &first, &last, &o.Count); err != nil {
			return nil, fmt.Errorf("reading observables: %w", err)
		}
		o.FirstSeen, o.LastSeen = fromMicros(first), fromMicros(last)
		out = append(out, o)
	}
	return out, rows.Err()
}

// MailboxState is where polling of an IMAP mailbox was left.
type MailboxState struct {
	UIDValidity uint32
	LastUID     uint32
}

// LeaseMailbox takes the mailbox for owner until until, unless another owner's lease is
// still running; it returns the saved state and whether the lease was taken. Nodes sharing
// a database thus poll one mailbox one at a time.
func (tx *Tx) LeaseMailbox(orgID int64, mailbox, owner string, now, until time.Time) (MailboxState, bool, error) {
	if _, err := tx.exec(`INSERT INTO imap_mailboxes(org_id, mailbox) VALUES ($1, $2) ON CONFLICT (org_id, mailbox) DO NOTHING`, orgID, mailbox); err != nil {
		return MailboxState{}, false, fmt.Errorf("leasing mailbox: %w", err)
	}
	res, err := tx.exec(`UPDATE imap_mailboxes SET lease_owner = $1, lease_until = $2
		WHERE org_id = $3 AND mailbox = $4 AND (lease_owner = $1 OR lease_until < $5)`, owner, micros(until), orgID, mailbox, micros(now))
	if err != nil {
		return MailboxState{}, false, fmt.Errorf("leasing mailbox: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return MailboxState{}, false, nil
	}
	var st MailboxState
	var v, u int64
	if err := tx.queryRow("SELECT uid_validity, last_uid FROM imap_mailboxes WHERE org_id = $1 AND mailbox = $2", orgID, mailbox).Scan(&v, &u); err != nil {
		return MailboxState{}, false, fmt.Errorf("leasing mailbox: %w", err)
	}
	st.UIDValidity, st.LastUID = uint32(v), uint32(u)
	return st, true, nil
}

// SaveMailbox records how far a mailbox has been read.
func (tx *Tx) SaveMailbox(orgID int64, mailbox string, st MailboxState) error {
	if _, err := tx.exec("UPDATE imap_mailboxes SET uid_validity = $1, last_uid = $2 WHERE org_id = $3 AND mailbox = $4",
		int64(st.UIDValidity), int64(st.LastUID), orgID, mailbox); err != nil {
		return fmt.Errorf("saving mailbox state: %w", err)
	}
	return nil
}

// QuarantinedByID returns one refused message, or ErrNotFound.
func (s *Store) QuarantinedByID(ctx context.Context, orgID, id int64) (*Quarantined, error) {
	q := &Quarantined{OrgID: orgID}
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT id, reason, detail, sender, recipient, size, sha256, received_at FROM quarantine
		WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&q.ID, &q.Reason, &q.Detail, &q.Sender, &q.Recipient, &q.Size, &q.SHA256, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading quarantine: %w", err)
	}
	q.ReceivedAt = fromMicros(at)
	return q, nil
}

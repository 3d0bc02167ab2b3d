package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PlanRow is one party's decision in an incident's notification plan, as edited by a person.
type PlanRow struct {
	Party     string
	Decision  string
	Reason    string
	UpdatedBy string
	UpdatedAt time.Time
}

// ReplacePlan stores an incident's edited plan rows, replacing those stored before.
func (tx *Tx) ReplacePlan(orgID, incidentID int64, rows []PlanRow) error {
	if _, err := tx.exec("DELETE FROM notice_plans WHERE incident_id = $1", incidentID); err != nil {
		return fmt.Errorf("saving notification plan: %w", err)
	}
	for _, r := range rows {
		if _, err := tx.exec(`INSERT INTO notice_plans(org_id, incident_id, party, decision, reason, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, orgID, incidentID, r.Party, r.Decision, r.Reason, r.UpdatedBy, micros(r.UpdatedAt)); err != nil {
			return fmt.Errorf("saving notification plan: %w", err)
		}
	}
	return nil
}

// Plan reads an incident's edited plan rows.
func (s *Store) Plan(ctx context.Context, incidentID int64) (map[string]PlanRow, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT party, decision, reason, updated_by, updated_at FROM notice_plans WHERE incident_id = $1", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading notification plan: %w", err)
	}
	defer rows.Close()
	out := map[string]PlanRow{}
	for rows.Next() {
		var r PlanRow
		var at int64
		if err := rows.Scan(&r.Party, &r.Decision, &r.Reason, &r.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("reading notification plan: %w", err)
		}
		r.UpdatedAt = fromMicros(at)
		out[r.Party] = r
	}
	return out, rows.Err()
}

// SetNoticeAnswers stores the team's answers (JSON) to regulator-form questions.
func (tx *Tx) SetNoticeAnswers(orgID, incidentID int64, answers, by string, at time.Time) error {
	if _, err := tx.exec(`INSERT INTO notice_answers(incident_id, org_id, answers, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (incident_id) DO UPDATE SET answers = $3, updated_by = $4, updated_at = $5`, incidentID, orgID, answers, by, micros(at)); err != nil {
		return fmt.Errorf("saving notice answers: %w", err)
	}
	return nil
}

// NoticeAnswers reads an incident's answers (JSON); "{}" when there are none.
func (s *Store) NoticeAnswers(ctx context.Context, incidentID int64) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT answers FROM notice_answers WHERE incident_id = $1", incidentID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "{}", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading notice answers: %w", err)
	}
	return v, nil
}

// LetterTemplate is one version of an organisation's letter or public statement wording.
type LetterTemplate struct {
	Kind      string    `json:"kind"`
	Version   int       `json:"version"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// InsertLetterTemplate stores the next version of a template and sets t.Version.
func (tx *Tx) InsertLetterTemplate(orgID int64, t *LetterTemplate) error {
	var last sql.NullInt64
	if err := tx.queryRow("SELECT MAX(version) FROM letter_templates WHERE org_id = $1 AND kind = $2", orgID, t.Kind).Scan(&last); err != nil {
		return fmt.Errorf("numbering letter template: %w", err)
	}
	t.Version = int(last.Int64) + 1
	if _, err := tx.exec(`INSERT INTO letter_templates(org_id, kind, version, subject, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		orgID, t.Kind, t.Version, t.Subject, t.Body, t.CreatedBy, micros(t.CreatedAt)); err != nil {
		return fmt.Errorf("storing letter template: %w", err)
	}
	return nil
}

// LetterTemplates lists every version of a kind of template, newest first.
func (s *Store) LetterTemplates(ctx context.Context, orgID int64, kind string) ([]*LetterTemplate, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, version, subject, body, created_by, created_at FROM letter_templates
		WHERE org_id = $1 AND kind = $2 ORDER BY version DESC`, orgID, kind)
	if err != nil {
		return nil, fmt.Errorf("reading letter templates: %w", err)
	}
	defer rows.Close()
	out := []*LetterTemplate{}
	for rows.Next() {
		var t LetterTemplate
		var at int64
		if err := rows.Scan(&t.Kind, &t.Version, &t.Subject, &t.Body, &t.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("reading letter templates: %w", err)
		}
		t.CreatedAt = fromMicros(at)
		out = append(out, &t)
	}
	return out, rows.Err()
}

// Letter run states.
const (
	RunDraft     = "draft"     // uploaded and checked; nothing sent
	RunSending   = "sending"   // e-mails queued in the outbox
	RunGenerated = "generated" // PDF letters produced for posting
)

// LetterRun is one batch of letters to the people affected by an incident.
type LetterRun struct {
	ID              int64      `json:"id"`
	IncidentID      int64      `json:"-"`
	Method          string     `json:"method"` // email or pdf
	TemplateVersion int        `json:"template_version"`
	Subject         string     `json:"-"`
	Body            string     `json:"-"`
	Content         string     `json:"-"` // notice.Content as JSON
	PerMinute       int        `json:"per_minute"`
	Recipients      int        `json:"recipients"`
	State           string     `json:"state"`
	DocumentSHA256  string     `json:"document_sha256"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	StartedBy       string     `json:"started_by,omitempty"`
	StartedAt       *time.Time `json:"started_at,omitempty"`
}

// LetterSend is one recipient of a run and what became of their letter.
type LetterSend struct {
	ID             int64      `json:"id"`
	Row            int        `json:"row"`
	Name           string     `json:"name"`
	Email          string     `json:"email,omitempty"`
	Address        []string   `json:"address,omitempty"`
	Fields         string     `json:"-"` // JSON object of custom columns
	DocumentSHA256 string     `json:"document_sha256"`
	OutboxKey      string     `json:"-"`
	State          string     `json:"state"` // draft, pending, sending, sent, failed, generated
	Attempts       int        `json:"attempts,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
}

// sendBatch bounds rows per INSERT: few round trips for 10,000 letters, well under
// PostgreSQL's 65,535 parameters.
const sendBatch = 500

// InsertLetterRun stores a run and its recipients; it sets the IDs.
func (tx *Tx) InsertLetterRun(orgID int64, r *LetterRun, sends []*LetterSend) error {
	if err := tx.queryRow(`INSERT INTO letter_runs(org_id, incident_id, method, template_version, subject, body, content, per_minute, recipients,
		state, document_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		orgID, r.IncidentID, r.Method, r.TemplateVersion, r.Subject, r.Body, r.Content, r.PerMinute, r.Recipients, r.State, r.DocumentSHA256,
		r.CreatedBy, micros(r.CreatedAt)).Scan(&r.ID); err != nil {
		return fmt.Errorf("storing letter run: %w", err)
	}
	for start := 0; start < len(sends); start += sendBatch {
		chunk := sends[start:min(start+sendBatch, len(sends))]
		q := &query{}
		values := make([]string, len(chunk))
		for i, sd := range chunk {
			values[i] = "(" + strings.Join([]string{q.arg(r.ID), q.arg(sd.Row), q.arg(sd.Name), q.arg(sd.Email), q.arg(strings.Join(sd.Address, "\n")),
				q.arg(sd.Fields), q.arg(sd.DocumentSHA256)}, ", ") + ")"
		}
		if _, err := tx.exec("INSERT INTO letter_sends(run_id, row_no, name, email, address, fields, document_sha256) VALUES "+strings.Join(values, ", "), q.args...); err != nil {
			return fmt.Errorf("storing letter recipients: %w", err)
		}
	}
	return nil
}

const runColumns = `id, incident_id, method, template_version, subject, body, content, per_minute, recipients, state, document_sha256,
	created_by, created_at, started_by, started_at`

func scanRun(sc scanner) (*LetterRun, error) {
	var r LetterRun
	var created int64
	var started sql.NullInt64
	if err := sc.Scan(&r.ID, &r.IncidentID, &r.Method, &r.TemplateVersion, &r.Subject, &r.Body, &r.Content, &r.PerMinute, &r.Recipients,
		&r.State, &r.DocumentSHA256, &r.CreatedBy, &created, &r.StartedBy, &started); err != nil {
		return nil, err
	}
	r.CreatedAt, r.StartedAt = fromMicros(created), fromNullMicros(started)
	return &r, nil
}

// LetterRun reads one run of an incident; ErrNotFound when the incident has no such run.
func (s *Store) LetterRun(ctx context.Context, incidentID, id int64) (*LetterRun, error) {
	r, err := scanRun(s.r.QueryRowContext(ctx, "SELECT "+runColumns+" FROM letter_runs WHERE incident_id = $1 AND id = $2", incidentID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading letter run: %w", err)
	}
	return r, nil
}

// LetterRunTx reads a run inside the transaction.
func (tx *Tx) LetterRunTx(incidentID, id int64) (*LetterRun, error) {
	r, err := scanRun(tx.queryRow("SELECT "+runColumns+" FROM letter_runs WHERE incident_id = $1 AND id = $2", incidentID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading letter run: %w", err)
	}
	return r, nil
}

// LetterRuns lists an incident's runs, newest first.
func (s *Store) LetterRuns(ctx context.Context, incidentID int64) ([]*LetterRun, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+runColumns+" FROM letter_runs WHERE incident_id = $1 ORDER BY id DESC", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading letter runs: %w", err)
	}
	defer rows.Close()
	out := []*LetterRun{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("reading letter runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StartLetterRun marks a draft run as sending or generated; ErrVersion when it is no longer
// a draft (someone started it first).
func (tx *Tx) StartLetterRun(r *LetterRun) error {
	res, err := tx.exec("UPDATE letter_runs SET state = $1, started_by = $2, started_at = $3 WHERE id = $4 AND state = 'draft'",
		r.State, r.StartedBy, microsPtr(r.StartedAt), r.ID)
	if err != nil {
		return fmt.Errorf("starting letter run: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrVersion
	}
	return nil
}

// SetSendOutbox links each recipient of a run to the outbox item that delivers their e-mail.
// Keys are derived from the send's ID, so one UPDATE covers the run.
func (tx *Tx) SetSendOutbox(runID int64, keyPrefix string) error {
	concat := "$1 || CAST(id AS TEXT)"
	if _, err := tx.exec("UPDATE letter_sends SET outbox_key = "+concat+" WHERE run_id = $2", keyPrefix, runID); err != nil {
		return fmt.Errorf("linking letters to the outbox: %w", err)
	}
	return nil
}

// LetterSends lists a run's recipients in file order, with the outbox's word on each e-mail.
func (s *Store) LetterSends(ctx context.Context, runID int64) ([]*LetterSend, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT s.id, s.row_no, s.name, s.email, s.address, s.fields, s.document_sha256, s.outbox_key,
		COALESCE(o.state, ''), COALESCE(o.attempts, 0), COALESCE(o.last_error, ''), o.sent_at
		FROM letter_sends s LEFT JOIN outbox o ON o.dedupe_key = s.outbox_key AND s.outbox_key <> ''
		WHERE s.run_id = $1 ORDER BY s.id`, runID)
	if err != nil {
		return nil, fmt.Errorf("reading letter recipients: %w", err)
	}
	defer rows.Close()
	out := []*LetterSend{}
	for rows.Next() {
		var sd LetterSend
		var addr string
		var sent sql.NullInt64
		if err := rows.Scan(&sd.ID, &sd.Row, &sd.Name, &sd.Email, &addr, &sd.Fields, &sd.DocumentSHA256, &sd.OutboxKey,
			&sd.State, &sd.Attempts, &sd.LastError, &sent); err != nil {
			return nil, fmt.Errorf("reading letter recipients: %w", err)
		}
		if addr != "" {
			sd.Address = strings.Split(addr, "\n")
		}
		sd.SentAt = fromNullMicros(sent)
		out = append(out, &sd)
	}
	return out, rows.Err()
}

// LetterSendsTx lists a run's recipients inside the transaction (to queue their e-mails).
func (tx *Tx) LetterSendsTx(runID int64) ([]*LetterSend, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT id, row_no, name, email, address, fields, document_sha256 FROM letter_sends WHERE run_id = $1 ORDER BY id", runID)
	if err != nil {
		return nil, fmt.Errorf("reading letter recipients: %w", err)
	}
	defer rows.Close()
	var out []*LetterSend
	for rows.Next() {
		var sd LetterSend
		var addr string
		if err := rows.Scan(&sd.ID, &sd.Row, &sd.Name, &sd.Email, &addr, &sd.Fields, &sd.DocumentSHA256); err != nil {
			return nil, fmt.Errorf("reading letter recipients: %w", err)
		}
		if addr != "" {
			sd.Address = strings.Split(addr, "\n")
		}
		out = append(out, &sd)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Approval states of a breach decision.
const (
	ApprovalNotNeeded = "not_needed"
	ApprovalPending   = "pending"
	ApprovalApproved  = "approved"
	ApprovalRejected  = "rejected"
)

// BreachAssessment is one version of an incident's personal-data breach assessment: the facts,
// the annex two answers and the engine's decision, each kept as the JSON text it was saved as.
type BreachAssessment struct {
	ID         int64
	IncidentID int64
	Version    int
	Facts      string
	Annex      string
	Decision   string
	Reason     string
	CreatedBy  string
	CreatedAt  time.Time
}

// BreachDecision is a person's decision on a breach assessment's recommendation.
type BreachDecision struct {
	ID                int64           `json:"-"`
	IncidentID        int64           `json:"-"`
	AssessmentVersion int             `json:"assessment_version"`
	Accepted          bool            `json:"accepted"`
	NotifyAuthority   map[string]bool `json:"notify_authority"`
	NotifySubjects    bool            `json:"notify_subjects"`
	Justification     string          `json:"justification"`
	DecidedBy         string          `json:"decided_by"`
	DecidedAt         time.Time       `json:"decided_at"`
	ApprovalState     string          `json:"approval_state"`
	ApprovedBy        string          `json:"approved_by"`
	ApprovedAt        *time.Time      `json:"approved_at"`
	ApprovalComment   string          `json:"approval_comment"`
}

// InForce says whether the decision takes effect (it needed no sign-off or was approved).
func (d *BreachDecision) InForce() bool {
	return d.ApprovalState == ApprovalNotNeeded || d.ApprovalState == ApprovalApproved
}

const assessmentColumns = "id, incident_id, version, facts, annex, decision, reason, created_by, created_at"

func scanAssessment(sc scanner) (*BreachAssessment, error) {
	var a BreachAssessment
	var at int64
	if err := sc.Scan(&a.ID, &a.IncidentID, &a.Version, &a.Facts, &a.Annex, &a.Decision, &a.Reason, &a.CreatedBy, &at); err != nil {
		return nil, err
	}
	a.CreatedAt = fromMicros(at)
	return &a, nil
}

// InsertBreachAssessment stores the next version of an incident's assessment and sets a.Version.
func (tx *Tx) InsertBreachAssessment(orgID int64, a *BreachAssessment) error {
	var last sql.NullInt64
	if err := tx.queryRow("SELECT MAX(version) FROM breach_assessments WHERE incident_id = $1", a.IncidentID).Scan(&last); err != nil {
		return fmt.Errorf("numbering breach assessment: %w", err)
	}
	a.Version = int(last.Int64) + 1
	if err := tx.queryRow(`INSERT INTO breach_assessments(org_id, incident_id, version, facts, annex, decision, reason, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		orgID, a.IncidentID, a.Version, a.Facts, a.Annex, a.Decision, a.Reason, a.CreatedBy, micros(a.CreatedAt)).Scan(&a.ID); err != nil {
		return fmt.Errorf("storing breach assessment: %w", err)
	}
	return nil
}

// LatestBreachAssessment reads an incident's newest assessment inside the transaction;
// ErrNotFound when there is none.
func (tx *Tx) LatestBreachAssessment(incidentID int64) (*BreachAssessment, error) {
	a, err := scanAssessment(tx.queryRow("SELECT "+assessmentColumns+" FROM breach_assessments WHERE incident_id = $1 ORDER BY version DESC LIMIT 1", incidentID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading breach assessment: %w", err)
	}
	return a, nil
}

// BreachAssessments lists every version of an incident's assessment, newest first.
func (s *Store) BreachAssessments(ctx context.Context, incidentID int64) ([]*BreachAssessment, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+assessmentColumns+" FROM breach_assessments WHERE incident_id = $1 ORDER BY version DESC", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading breach assessments: %w", err)
	}
	defer rows.Close()
	var out []*BreachAssessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, fmt.Errorf("reading breach assessments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const decisionColumns = `id, incident_id, assessment_version, accepted, notify_authority, notify_subjects, justification,
	decided_by, decided_at, approval_state, approved_by, approved_at, approval_comment`

func scanDecision(sc scanner) (*BreachDecision, error) {
	var d BreachDecision
	var authority string
	var decided int64
	var approved sql.NullInt64
	if err := sc.Scan(&d.ID, &d.IncidentID, &d.AssessmentVersion, &d.Accepted, &authority, &d.NotifySubjects, &d.Justification,
		&d.DecidedBy, &decided, &d.ApprovalState, &d.ApprovedBy, &approved, &d.ApprovalComment); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(authority), &d.NotifyAuthority); err != nil {
		return nil, fmt.Errorf("breach decision %d: notify_authority: %w", d.ID, err)
	}
	d.DecidedAt = fromMicros(decided)
	d.ApprovedAt = fromNullMicros(approved)
	return &d, nil
}

// InsertBreachDecision stores a decision.
func (tx *Tx) InsertBreachDecision(orgID int64, d *BreachDecision) error {
	authority, err := json.Marshal(d.NotifyAuthority)
	if err != nil {
		return err
	}
	if err := tx.queryRow(`INSERT INTO breach_decisions(org_id, incident_id, assessment_version, accepted, notify_authority, notify_subjects,
		justification, decided_by, decided_at, approval_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		orgID, d.IncidentID, d.AssessmentVersion, d.Accepted, string(authority), d.NotifySubjects, d.Justification, d.DecidedBy,
		micros(d.DecidedAt), d.ApprovalState).Scan(&d.ID); err != nil {
		return fmt.Errorf("storing breach decision: %w", err)
	}
	return nil
}

// SetBreachApproval records the sign-off of a pending decision; ErrVersion when it is no
// longer pending (someone else signed it off first).
func (tx *Tx) SetBreachApproval(d *BreachDecision) error {
	res, err := tx.exec(`UPDATE breach_decisions SET approval_state = $1, approved_by = $2, approved_at = $3, approval_comment = $4
		WHERE id = $5 AND approval_state = 'pending'`, d.ApprovalState, d.ApprovedBy, microsPtr(d.ApprovedAt), d.ApprovalComment, d.ID)
	if err != nil {
		return fmt.Errorf("signing off breach decision: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrVersion
	}
	return nil
}

// LatestBreachDecision reads an incident's newest decision, whatever its approval state,
// inside the transaction; ErrNotFound when there is none.
func (tx *Tx) LatestBreachDecision(incidentID int64) (*BreachDecision, error) {
	return oneDecision(tx.queryRow("SELECT "+decisionColumns+" FROM breach_decisions WHERE incident_id = $1 ORDER BY id DESC LIMIT 1", incidentID))
}

// EffectiveBreachDecision reads the decision in force on an incident inside the transaction:
// the newest that needed no sign-off or was approved. ErrNotFound when none is.
func (tx *Tx) EffectiveBreachDecision(incidentID int64) (*BreachDecision, error) {
	return oneDecision(tx.queryRow("SELECT "+decisionColumns+` FROM breach_decisions WHERE incident_id = $1
		AND approval_state IN ('not_needed', 'approved') ORDER BY id DESC LIMIT 1`, incidentID))
}

func oneDecision(row *sql.Row) (*BreachDecision, error) {
	d, err := scanDecision(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading breach decision: %w", err)
	}
	return d, nil
}

// BreachDecisions lists an incident's decisions, newest first.
func (s *Store) BreachDecisions(ctx context.Context, incidentID int64) ([]*BreachDecision, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+decisionColumns+" FROM breach_decisions WHERE incident_id = $1 ORDER BY id DESC", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading breach decisions: %w", err)
	}
	defer rows.Close()
	var out []*BreachDecision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, fmt.Errorf("reading breach decisions: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
)

// queryAll runs a read on the read pool and calls scan for each row.
func (s *Store) queryAll(ctx context.Context, what string, scan func(scanner) error, query string, args ...any) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	return nil
}

func one[T any](v T, err error, what string) (T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("reading %s: %w", what, err)
	}
	return v, nil
}

// ---- Assessment (seed 001 annex one) ----

// ResponseAssessment is the risk to the organisation and who should be informed.
type ResponseAssessment struct {
	IncidentID int64     `json:"-"`
	Risk       string    `json:"risk"`
	Inform     string    `json:"inform"`
	UpdatedBy  string    `json:"updated_by"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SaveResponseAssessment writes an incident's assessment, replacing the previous one (the
// record of events keeps the history).
func (tx *Tx) SaveResponseAssessment(orgID int64, a *ResponseAssessment) error {
	_, err := tx.exec(`INSERT INTO response_assessments(incident_id, org_id, risk, inform, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (incident_id) DO UPDATE SET risk = excluded.risk, inform = excluded.inform, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		a.IncidentID, orgID, a.Risk, a.Inform, a.UpdatedBy, micros(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("storing assessment: %w", err)
	}
	return nil
}

// ResponseAssessment reads an incident's assessment; ErrNotFound when none was saved.
func (s *Store) ResponseAssessment(ctx context.Context, incidentID int64) (*ResponseAssessment, error) {
	a := &ResponseAssessment{IncidentID: incidentID}
	var at int64
	err := s.r.QueryRowContext(ctx, "SELECT risk, inform, updated_by, updated_at FROM response_assessments WHERE incident_id = $1", incidentID).
		Scan(&a.Risk, &a.Inform, &a.UpdatedBy, &at)
	a.UpdatedAt = fromMicros(at)
	return one(a, err, "assessment")
}

// ---- Actions ----

const actionColumns = `a.id, a.incident_id, i.ref, i.exercise, a.kind, a.title, COALESCE(a.owner_id, 0), COALESCE(u.email, ''), a.due_at, a.status,
	a.evidence, COALESCE(a.attachment_id, 0), a.effectiveness, a.effectiveness_note, a.created_by, a.created_at, a.updated_at, a.done_at`

const actionFrom = ` FROM incident_actions a JOIN incidents i ON i.id = a.incident_id LEFT JOIN users u ON u.id = a.owner_id`

func scanAction(sc scanner) (*domain.Action, error) {
	var a domain.Action
	var due, done sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&a.ID, &a.IncidentID, &a.Ref, &a.Exercise, &a.Kind, &a.Title, &a.OwnerID, &a.Owner, &due, &a.Status,
		&a.Evidence, &a.AttachmentID, &a.Effectiveness, &a.EffectivenessNote, &a.CreatedBy, &created, &updated, &done); err != nil {
		return nil, err
	}
	a.DueAt, a.DoneAt = fromNullMicros(due), fromNullMicros(done)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &a, nil
}

// InsertAction stores a new action and sets its ID.
func (tx *Tx) InsertAction(orgID int64, a *domain.Action) error {
	if err := tx.queryRow(`INSERT INTO incident_actions(org_id, incident_id, kind, title, owner_id, due_at, status, evidence, attachment_id,
		effectiveness, effectiveness_note, created_by, created_at, updated_at, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		orgID, a.IncidentID, a.Kind, a.Title, nullID(a.OwnerID), microsPtr(a.DueAt), a.Status, a.Evidence, nullID(a.AttachmentID),
		a.Effectiveness, a.EffectivenessNote, a.CreatedBy, micros(a.CreatedAt), micros(a.UpdatedAt), microsPtr(a.DoneAt)).Scan(&a.ID); err != nil {
		return fmt.Errorf("storing action: %w", err)
	}
	return nil
}

// UpdateAction rewrites an action's changeable fields.
func (tx *Tx) UpdateAction(a *domain.Action) error {
	_, err := tx.exec(`UPDATE incident_actions SET kind = $1, title = $2, owner_id = $3, due_at = $4, status = $5, evidence = $6, attachment_id = $7,
		effectiveness = $8, effectiveness_note = $9, updated_at = $10, done_at = $11 WHERE id = $12`,
		a.Kind, a.Title, nullID(a.OwnerID), microsPtr(a.DueAt), a.Status, a.Evidence, nullID(a.AttachmentID),
		a.Effectiveness, a.EffectivenessNote, micros(a.UpdatedAt), microsPtr(a.DoneAt), a.ID)
	if err != nil {
		return fmt.Errorf("storing action: %w", err)
	}
	return nil
}

// Action reads one action of an incident inside the transaction.
func (tx *Tx) Action(incidentID, id int64) (*domain.Action, error) {
	a, err := scanAction(tx.queryRow("SELECT "+actionColumns+actionFrom+" WHERE a.incident_id = $1 AND a.id = $2", incidentID, id))
	return one(a, err, "action")
}

// Actions lists an incident's actions in the order they were recorded.
func (s *Store) Actions(ctx context.Context, incidentID int64) ([]*domain.Action, error) {
	var out []*domain.Action
	err := s.queryAll(ctx, "actions", func(sc scanner) error {
		a, err := scanAction(sc)
		out = append(out, a)
		return err
	}, "SELECT "+actionColumns+actionFrom+" WHERE a.incident_id = $1 ORDER BY a.id", incidentID)
	return out, err
}

// OpenActionsOwnedBy lists a user's open actions across incidents, the earliest due first
// (undated last); the caller filters by what the user may see.
func (s *Store) OpenActionsOwnedBy(ctx context.Context, userID int64, limit int) ([]*domain.Action, error) {
	var out []*domain.Action
	err := s.queryAll(ctx, "actions", func(sc scanner) error {
		a, err := scanAction(sc)
		out = append(out, a)
		return err
	}, "SELECT "+actionColumns+actionFrom+" WHERE a.owner_id = $1 AND a.status = 'open' ORDER BY a.due_at IS NULL, a.due_at, a.id LIMIT $2", userID, limit)
	return out, err
}

// OverdueActions counts, per incident, the open actions due before now.
func (s *Store) OverdueActions(ctx context.Context, incidentIDs []int64, now time.Time) (map[int64]int, error) {
	out := map[int64]int{}
	if len(incidentIDs) == 0 {
		return out, nil
	}
	args := []any{micros(now)}
	marks := make([]string, len(incidentIDs))
	for i, id := range incidentIDs {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	err := s.queryAll(ctx, "overdue actions", func(sc scanner) error {
		var id int64
		var n int
		err := sc.Scan(&id, &n)
		out[id] = n
		return err
	}, "SELECT incident_id, COUNT(*) FROM incident_actions WHERE status = 'open' AND due_at < $1 AND incident_id IN ("+strings.Join(marks, ", ")+") GROUP BY incident_id", args...)
	return out, err
}

// ---- Approvals ----

// Approval is a request for an approver's decision (seed 001 §5.5).
type Approval struct {
	ID            int64      `json:"id"`
	IncidentID    int64      `json:"-"`
	Ref           string     `json:"ref"`
	Kind          string     `json:"kind"`
	Summary       string     `json:"summary"`
	Payload       string     `json:"-"`
	State         string     `json:"state"`
	RequestedByID int64      `json:"-"`
	RequestedBy   string     `json:"requested_by"`
	RequestedAt   time.Time  `json:"requested_at"`
	DecidedBy     string     `json:"decided_by"`
	DecidedAt     *time.Time `json:"decided_at"`
	Comment       string     `json:"comment"`
	AppliedAt     *time.Time `json:"applied_at"`
}

const approvalColumns = `p.id, p.incident_id, i.ref, p.kind, p.summary, p.payload, p.state, p.requested_by_id, p.requested_by, p.requested_at,
	p.decided_by, p.decided_at, p.comment, p.applied_at`

const approvalFrom = ` FROM approvals p JOIN incidents i ON i.id = p.incident_id`

func scanApproval(sc scanner) (*Approval, error) {
	var a Approval
	var requested int64
	var decided, applied sql.NullInt64
	if err := sc.Scan(&a.ID, &a.IncidentID, &a.Ref, &a.Kind, &a.Summary, &a.Payload, &a.State, &a.RequestedByID, &a.RequestedBy, &requested,
		&a.DecidedBy, &decided, &a.Comment, &applied); err != nil {
		return nil, err
	}
	a.RequestedAt, a.DecidedAt, a.AppliedAt = fromMicros(requested), fromNullMicros(decided), fromNullMicros(applied)
	return &a, nil
}

// InsertApproval stores a new pending request and sets its ID.
func (tx *Tx) InsertApproval(orgID int64, a *Approval) error {
	if err := tx.queryRow(`INSERT INTO approvals(org_id, incident_id, kind, summary, payload, state, requested_by_id, requested_by, requested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		orgID, a.IncidentID, a.Kind, a.Summary, a.Payload, a.State, a.RequestedByID, a.RequestedBy, micros(a.RequestedAt)).Scan(&a.ID); err != nil {
		return fmt.Errorf("storing approval request: %w", err)
	}
	return nil
}

// DecideApproval records a decision on a pending request; ErrVersion when it is no longer
// pending (another approver decided first).
func (tx *Tx) DecideApproval(a *Approval) error {
	res, err := tx.exec(`UPDATE approvals SET state = $1, decided_by = $2, decided_at = $3, comment = $4 WHERE id = $5 AND state = 'pending'`,
		a.State, a.DecidedBy, microsPtr(a.DecidedAt), a.Comment, a.ID)
	if err != nil {
		return fmt.Errorf("deciding approval request: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrVersion
	}
	return nil
}

// MarkApplied records that an approved request took effect, so it cannot be used twice.
func (tx *Tx) MarkApplied(id int64, at time.Time) error {
	if _, err := tx.exec("UPDATE approvals SET applied_at = $1 WHERE id = $2", micros(at), id); err != nil {
		return fmt.Errorf("applying approval request: %w", err)
	}
	return nil
}

// Approval reads one request inside the transaction.
func (tx *Tx) Approval(orgID, id int64) (*Approval, error) {
	a, err := scanApproval(tx.queryRow("SELECT "+approvalColumns+approvalFrom+" WHERE p.org_id = $1 AND p.id = $2", orgID, id))
	return one(a, err, "approval request")
}

// Approval reads one request.
func (s *Store) Approval(ctx context.Context, orgID, id int64) (*Approval, error) {
	a, err := scanApproval(s.r.QueryRowContext(ctx, "SELECT "+approvalColumns+approvalFrom+" WHERE p.org_id = $1 AND p.id = $2", orgID, id))
	return one(a, err, "approval request")
}

// OutstandingApproval reads an incident's request of one kind that is pending, or approved
// but not yet applied; ErrNotFound when there is none.
func (tx *Tx) OutstandingApproval(incidentID int64, kind string) (*Approval, error) {
	a, err := scanApproval(tx.queryRow("SELECT "+approvalColumns+approvalFrom+` WHERE p.incident_id = $1 AND p.kind = $2
		AND (p.state = 'pending' OR (p.state = 'approved' AND p.applied_at IS NULL)) ORDER BY p.id DESC LIMIT 1`, incidentID, kind))
	return one(a, err, "approval request")
}

func (s *Store) approvals(ctx context.Context, where string, args ...any) ([]*Approval, error) {
	var out []*Approval
	err := s.queryAll(ctx, "approval requests", func(sc scanner) error {
		a, err := scanApproval(sc)
		out = append(out, a)
		return err
	}, "SELECT "+approvalColumns+approvalFrom+" WHERE "+where+" ORDER BY p.id", args...)
	return out, err
}

// Approvals lists an incident's requests, oldest first.
func (s *Store) Approvals(ctx context.Context, incidentID int64) ([]*Approval, error) {
	return s.approvals(ctx, "p.incident_id = $1", incidentID)
}

// PendingApprovals lists an organisation's pending requests, oldest first.
func (s *Store) PendingApprovals(ctx context.Context, orgID int64) ([]*Approval, error) {
	return s.approvals(ctx, "p.org_id = $1 AND p.state = 'pending'", orgID)
}

// PendingBreachSignOffs lists the references of incidents whose newest breach decision
// waits for sign-off.
func (s *Store) PendingBreachSignOffs(ctx context.Context, orgID int64) ([]string, error) {
	var out []string
	err := s.queryAll(ctx, "breach sign-offs", func(sc scanner) error {
		var ref string
		err := sc.Scan(&ref)
		out = append(out, ref)
		return err
	}, `SELECT i.ref FROM breach_decisions d JOIN incidents i ON i.id = d.incident_id WHERE d.org_id = $1 AND d.approval_state = 'pending'
		AND d.id = (SELECT MAX(id) FROM breach_decisions x WHERE x.incident_id = d.incident_id) ORDER BY d.id`, orgID)
	return out, err
}

// ---- Lessons-learnt review (seed 001 §7) ----

// Review is an incident's post-incident review.
type Review struct {
	IncidentID       int64      `json:"-"`
	AssetsReviewed   bool       `json:"asset_register_reviewed"`
	AssetsNote       string     `json:"asset_register_note"`
	PoliciesReviewed bool       `json:"policies_reviewed"`
	PoliciesNote     string     `json:"policies_note"`
	TrainingReviewed bool       `json:"training_reviewed"`
	TrainingNote     string     `json:"training_note"`
	WentWell         string     `json:"went_well"`
	WentBadly        string     `json:"went_badly"`
	Completed        bool       `json:"completed"`
	CompletedBy      string     `json:"completed_by"`
	CompletedAt      *time.Time `json:"completed_at"`
	Waived           bool       `json:"waived"`
	WaiverReason     string     `json:"waiver_reason"`
	WaivedBy         string     `json:"waived_by"`
	WaivedAt         *time.Time `json:"waived_at"`
	UpdatedBy        string     `json:"updated_by"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

const reviewColumns = `assets_reviewed, assets_note, policies_reviewed, policies_note, training_reviewed, training_note, went_well, went_badly,
	completed, completed_by, completed_at, waived, waiver_reason, waived_by, waived_at, updated_by, updated_at`

func scanReview(sc scanner, incidentID int64) (*Review, error) {
	r := &Review{IncidentID: incidentID}
	var completed, waived sql.NullInt64
	var updated int64
	err := sc.Scan(&r.AssetsReviewed, &r.AssetsNote, &r.PoliciesReviewed, &r.PoliciesNote, &r.TrainingReviewed, &r.TrainingNote, &r.WentWell, &r.WentBadly,
		&r.Completed, &r.CompletedBy, &completed, &r.Waived, &r.WaiverReason, &r.WaivedBy, &waived, &r.UpdatedBy, &updated)
	r.CompletedAt, r.WaivedAt, r.UpdatedAt = fromNullMicros(completed), fromNullMicros(waived), fromMicros(updated)
	return one(r, err, "review")
}

// SaveReview writes an incident's review, replacing the previous text.
func (tx *Tx) SaveReview(orgID int64, r *Review) error {
	_, err := tx.exec(`INSERT INTO incident_reviews(incident_id, org_id, `+reviewColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (incident_id) DO UPDATE SET assets_reviewed = excluded.assets_reviewed, assets_note = excluded.assets_note,
		policies_reviewed = excluded.policies_reviewed, policies_note = excluded.policies_note, training_reviewed = excluded.training_reviewed,
		training_note = excluded.training_note, went_well = excluded.went_well, went_badly = excluded.went_badly, completed = excluded.completed,
		completed_by = excluded.completed_by, completed_at = excluded.completed_at, waived = excluded.waived, waiver_reason = excluded.waiver_reason,
		waived_by = excluded.waived_by, waived_at = excluded.waived_at, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		r.IncidentID, orgID, r.AssetsReviewed, r.AssetsNote, r.PoliciesReviewed, r.PoliciesNote, r.TrainingReviewed, r.TrainingNote, r.WentWell, r.WentBadly,
		r.Completed, r.CompletedBy, microsPtr(r.CompletedAt), r.Waived, r.WaiverReason, r.WaivedBy, microsPtr(r.WaivedAt), r.UpdatedBy, micros(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("storing review: %w", err)
	}
	return nil
}

// Review reads an incident's review inside the transaction; ErrNotFound when none was saved.
func (tx *Tx) Review(incidentID int64) (*Review, error) {
	return scanReview(tx.queryRow("SELECT "+reviewColumns+" FROM incident_reviews WHERE incident_id = $1", incidentID), incidentID)
}

// Review reads an incident's review; ErrNotFound when none was saved.
func (s *Store) Review(ctx context.Context, incidentID int64) (*Review, error) {
	return scanReview(s.r.QueryRowContext(ctx, "SELECT "+reviewColumns+" FROM incident_reviews WHERE incident_id = $1", incidentID), incidentID)
}

// ---- People matters (seed 001 §5.3–5.4) ----

// PeopleMatters is one saved version of an incident's restricted people-matters record.
type PeopleMatters struct {
	IncidentID int64     `json:"-"`
	Version    int       `json:"version"`
	Support    string    `json:"support"`
	Conduct    string    `json:"conduct"`
	Continuity string    `json:"continuity"`
	UpdatedBy  string    `json:"updated_by"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// InsertPeopleMatters stores the next version and sets pm.Version.
func (tx *Tx) InsertPeopleMatters(orgID int64, pm *PeopleMatters) error {
	var last sql.NullInt64
	if err := tx.queryRow("SELECT MAX(version) FROM people_matters WHERE incident_id = $1", pm.IncidentID).Scan(&last); err != nil {
		return fmt.Errorf("numbering people matters: %w", err)
	}
	pm.Version = int(last.Int64) + 1
	if _, err := tx.exec(`INSERT INTO people_matters(org_id, incident_id, version, support, conduct, continuity, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, orgID, pm.IncidentID, pm.Version, pm.Support, pm.Conduct, pm.Continuity, pm.UpdatedBy, micros(pm.UpdatedAt)); err != nil {
		return fmt.Errorf("storing people matters: %w", err)
	}
	return nil
}

// PeopleMatters lists every version of an incident's people-matters record, newest first.
func (s *Store) PeopleMatters(ctx context.Context, incidentID int64) ([]*PeopleMatters, error) {
	var out []*PeopleMatters
	err := s.queryAll(ctx, "people matters", func(sc scanner) error {
		pm := &PeopleMatters{IncidentID: incidentID}
		var at int64
		err := sc.Scan(&pm.Version, &pm.Support, &pm.Conduct, &pm.Continuity, &pm.UpdatedBy, &at)
		pm.UpdatedAt = fromMicros(at)
		out = append(out, pm)
		return err
	}, "SELECT version, support, conduct, continuity, updated_by, updated_at FROM people_matters WHERE incident_id = $1 ORDER BY version DESC", incidentID)
	return out, err
}

// ---- Playbooks ----

// StoredPlaybook is one version of an organisation's own playbook, as the JSON it was saved as.
type StoredPlaybook struct {
	Playbook  string
	Version   int
	Body      string
	CreatedBy string
	CreatedAt time.Time
}

// InsertPlaybook stores the next version of an organisation's playbook and sets p.Version.
func (tx *Tx) InsertPlaybook(orgID int64, p *StoredPlaybook) error {
	var last sql.NullInt64
	if err := tx.queryRow("SELECT MAX(version) FROM playbooks WHERE org_id = $1 AND playbook = $2", orgID, p.Playbook).Scan(&last); err != nil {
		return fmt.Errorf("numbering playbook: %w", err)
	}
	p.Version = int(last.Int64) + 1
	if _, err := tx.exec("INSERT INTO playbooks(org_id, playbook, version, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
		orgID, p.Playbook, p.Version, p.Body, p.CreatedBy, micros(p.CreatedAt)); err != nil {
		return fmt.Errorf("storing playbook: %w", err)
	}
	return nil
}

const latestPlaybooks = `SELECT playbook, version, body, created_by, created_at FROM playbooks p WHERE org_id = $1
	AND version = (SELECT MAX(version) FROM playbooks x WHERE x.org_id = p.org_id AND x.playbook = p.playbook) ORDER BY playbook`

func scanPlaybook(sc scanner) (*StoredPlaybook, error) {
	var p StoredPlaybook
	var at int64
	err := sc.Scan(&p.Playbook, &p.Version, &p.Body, &p.CreatedBy, &at)
	p.CreatedAt = fromMicros(at)
	return &p, err
}

// LatestPlaybooks reads the newest version of each of an organisation's own playbooks.
func (s *Store) LatestPlaybooks(ctx context.Context, orgID int64) ([]*StoredPlaybook, error) {
	var out []*StoredPlaybook
	err := s.queryAll(ctx, "playbooks", func(sc scanner) error {
		p, err := scanPlaybook(sc)
		out = append(out, p)
		return err
	}, latestPlaybooks, orgID)
	return out, err
}

// LatestPlaybooks reads the newest version of each organisation playbook inside the transaction.
func (tx *Tx) LatestPlaybooks(orgID int64) ([]*StoredPlaybook, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, latestPlaybooks, orgID)
	if err != nil {
		return nil, fmt.Errorf("reading playbooks: %w", err)
	}
	defer rows.Close()
	var out []*StoredPlaybook
	for rows.Next() {
		p, err := scanPlaybook(rows)
		if err != nil {
			return nil, fmt.Errorf("reading playbooks: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PlaybookTask is one checklist item an incident got from a playbook.
type PlaybookTask struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"-"`
	Playbook   string     `json:"playbook"`
	Version    int        `json:"playbook_version"`
	Position   int        `json:"position"`
	Phase      string     `json:"phase"`
	Title      string     `json:"title"`
	Guidance   string     `json:"guidance"`
	Done       bool       `json:"done"`
	DoneBy     string     `json:"done_by"`
	DoneAt     *time.Time `json:"done_at"`
}

// HasPlaybook reports whether an incident already has a playbook's checklist.
func (tx *Tx) HasPlaybook(incidentID int64, playbook string) (bool, error) {
	var one int
	err := tx.queryRow("SELECT 1 FROM playbook_tasks WHERE incident_id = $1 AND playbook = $2 LIMIT 1", incidentID, playbook).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading checklist: %w", err)
	}
	return true, nil
}

// InsertPlaybookTask stores one checklist item and sets its ID.
func (tx *Tx) InsertPlaybookTask(t *PlaybookTask) error {
	if err := tx.queryRow(`INSERT INTO playbook_tasks(incident_id, playbook, version, position, phase, title, guidance) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.IncidentID, t.Playbook, t.Version, t.Position, t.Phase, t.Title, t.Guidance).Scan(&t.ID); err != nil {
		return fmt.Errorf("storing checklist: %w", err)
	}
	return nil
}

const taskColumns = "id, incident_id, playbook, version, position, phase, title, guidance, done, done_by, done_at"

func scanTask(sc scanner) (*PlaybookTask, error) {
	var t PlaybookTask
	var at sql.NullInt64
	err := sc.Scan(&t.ID, &t.IncidentID, &t.Playbook, &t.Version, &t.Position, &t.Phase, &t.Title, &t.Guidance, &t.Done, &t.DoneBy, &at)
	t.DoneAt = fromNullMicros(at)
	return &t, err
}

// PlaybookTask reads one checklist item of an incident inside the transaction.
func (tx *Tx) PlaybookTask(incidentID, id int64) (*PlaybookTask, error) {
	t, err := scanTask(tx.queryRow("SELECT "+taskColumns+" FROM playbook_tasks WHERE incident_id = $1 AND id = $2", incidentID, id))
	return one(t, err, "checklist item")
}

// SetTaskDone ticks or unticks a checklist item.
func (tx *Tx) SetTaskDone(t *PlaybookTask) error {
	if _, err := tx.exec("UPDATE playbook_tasks SET done = $1, done_by = $2, done_at = $3 WHERE id = $4", t.Done, t.DoneBy, microsPtr(t.DoneAt), t.ID); err != nil {
		return fmt.Errorf("storing checklist: %w", err)
	}
	return nil
}

// PlaybookTasks lists an incident's checklist items by playbook and position.
func (s *Store) PlaybookTasks(ctx context.Context, incidentID int64) ([]*PlaybookTask, error) {
	var out []*PlaybookTask
	err := s.queryAll(ctx, "checklist", func(sc scanner) error {
		t, err := scanTask(sc)
		out = append(out, t)
		return err
	}, "SELECT "+taskColumns+" FROM playbook_tasks WHERE incident_id = $1 ORDER BY playbook, position", incidentID)
	return out, err
}

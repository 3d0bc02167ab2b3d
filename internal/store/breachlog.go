package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/deadline"
)

// BreachLogEntry is one row of the breach log as the records hold it: the incident, its
// newest breach assessment, the decision that stands on it and the first notifications sent.
// Nothing here is stored for the log; it is read from those records every time.
type BreachLogEntry struct {
	IncidentID     int64
	Ref            string
	Title          string
	Nature         string
	Systems        string
	People         string
	Discovery      string
	TLP            string
	Restricted     bool
	OwnerID        int64
	ReporterUserID int64
	// Named is true when the viewer given to BreachLog is on the incident's need-to-know list.
	Named        bool
	PersonalData string
	OccurredAt   *time.Time
	DiscoveredAt *time.Time
	AwareAt      *time.Time
	ReportedAt   time.Time
	ContainedAt  *time.Time
	// Assessment is the newest assessment (nil when the incident has none).
	Assessment *BreachAssessment
	// Decision is the newest decision that was not rejected: in force, or pending sign-off.
	Decision            *BreachDecision
	NotifiedAuthorityAt *time.Time
	NotifiedSubjectsAt  *time.Time
	LateReason          string
	// Actions lists the incident's containment, recovery and further actions (issue 8) with
	// their status and effectiveness, oldest first: the log's "remedial action".
	Actions string
}

// BreachLogFilter selects the breach log of one organisation for a period of awareness.
type BreachLogFilter struct {
	OrgID int64
	// From and To bound the period (From inclusive, To exclusive); nil leaves it open.
	From, To *time.Time
	// Viewer is the user whose need-to-know membership is reported in Named (0: none).
	Viewer int64
	// IncidentID narrows the log to one incident's entry (0: all), e.g. for a regulator pack.
	IncidentID int64
}

// breachLogWhen is the instant that places an entry in a period: when the organisation became
// aware, else when it discovered the breach, else when it was recorded.
const breachLogWhen = "COALESCE(i.aware_at, i.discovered_at, i.reported_at)"

// breachLogScope is the breach log's membership: personal data involved or a breach
// assessment made, never an exercise, never a duplicate merged into another incident.
const breachLogScope = `i.merged_into_id IS NULL AND i.exercise = $2
	AND (i.personal_data = 'yes' OR EXISTS (SELECT 1 FROM breach_assessments b WHERE b.incident_id = i.id))`

// BreachLog calls fn for every entry of the breach log in order of awareness, reading one row
// at a time from a single query, so memory does not grow with the log. fn must not write
// through the store (SQLite would wait on this read).
func (s *Store) BreachLog(ctx context.Context, f BreachLogFilter, fn func(*BreachLogEntry) error) error {
	q, where := breachLogQuery(f)
	viewer := q.arg(f.Viewer)
	authority := q.arg(deadline.RuleAuthority72h)
	subjects := q.arg(clocks.RuleSubjects)
	rows, err := s.r.QueryContext(ctx, `SELECT i.id, i.ref, i.title, i.nature, i.systems, i.people, i.discovery, i.tlp, i.restricted,
		COALESCE(i.owner_id, 0), COALESCE(i.reporter_user_id, 0),
		CASE WHEN i.restricted THEN EXISTS (SELECT 1 FROM incident_access x WHERE x.incident_id = i.id AND x.user_id = `+viewer+`) ELSE false END,
		i.personal_data, i.occurred_at, i.discovered_at, i.aware_at, i.reported_at, i.contained_at,
		a.id, a.version, a.facts, a.annex, a.decision, a.reason, a.created_by, a.created_at,
		d.id, d.assessment_version, d.accepted, d.notify_authority, d.notify_subjects, d.justification, d.decided_by, d.decided_at,
		d.approval_state, d.approved_by, d.approved_at, d.approval_comment,
		(SELECT MIN(n.sent_at) FROM notifications n WHERE n.incident_id = i.id AND n.rule = `+authority+`),
		(SELECT MIN(n.sent_at) FROM notifications n WHERE n.incident_id = i.id AND n.rule = `+subjects+`),
		COALESCE((SELECT MAX(c.late_reason) FROM clocks c WHERE c.incident_id = i.id AND c.late_reason <> ''), ''),
		`+s.remedialActions()+`
		FROM incidents i
		LEFT JOIN breach_assessments a ON a.incident_id = i.id
			AND a.version = (SELECT MAX(v.version) FROM breach_assessments v WHERE v.incident_id = i.id)
		LEFT JOIN breach_decisions d ON d.id = (SELECT MAX(e.id) FROM breach_decisions e WHERE e.incident_id = i.id AND e.approval_state <> 'rejected')
		WHERE `+where+`
		ORDER BY `+breachLogWhen+`, i.id`, q.args...)
	if err != nil {
		return fmt.Errorf("reading breach log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanBreachLogEntry(rows)
		if err != nil {
			return fmt.Errorf("reading breach log: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading breach log: %w", err)
	}
	return nil
}

// CountBreachLog counts the entries BreachLog would return.
func (s *Store) CountBreachLog(ctx context.Context, f BreachLogFilter) (int, error) {
	q, where := breachLogQuery(f)
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM incidents i WHERE "+where, q.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting breach log: %w", err)
	}
	return n, nil
}

// remedialActions is a column expression joining an incident's remedial actions into one
// text, e.g. "containment: Remote wipe (done, effective)"; the engines spell string
// aggregation differently.
func (s *Store) remedialActions() string {
	item := `x.kind || ': ' || x.title || ' (' || x.status || CASE WHEN x.effectiveness <> '' THEN ', ' || replace(x.effectiveness, '_', ' ') ELSE '' END || ')'`
	from := `FROM incident_actions x WHERE x.incident_id = i.id AND x.kind IN ('containment', 'recovery', 'further') AND x.status <> 'cancelled'`
	if s.dialect == Postgres {
		return `COALESCE((SELECT string_agg(` + item + `, '; ' ORDER BY x.id) ` + from + `), '')`
	}
	// SQLite's group_concat keeps the order of its input.
	return `COALESCE((SELECT group_concat(t, '; ') FROM (SELECT ` + item + ` AS t ` + from + ` ORDER BY x.id)), '')`
}

func breachLogQuery(f BreachLogFilter) (*query, string) {
	q := &query{}
	q.arg(f.OrgID)
	q.arg(false)
	where := "i.org_id = $1 AND " + breachLogScope
	if f.From != nil {
		where += " AND " + breachLogWhen + " >= " + q.arg(micros(*f.From))
	}
	if f.To != nil {
		where += " AND " + breachLogWhen + " < " + q.arg(micros(*f.To))
	}
	if f.IncidentID != 0 {
		where += " AND i.id = " + q.arg(f.IncidentID)
	}
	return q, where
}

func scanBreachLogEntry(rows *sql.Rows) (*BreachLogEntry, error) {
	var e BreachLogEntry
	var occurred, discovered, aware, contained, notifiedA, notifiedS sql.NullInt64
	var reported int64
	var aID, aVersion, aCreated sql.NullInt64
	var aFacts, aAnnex, aDecision, aReason, aBy sql.NullString
	var dID, dVersion, dDecided, dApproved sql.NullInt64
	var dAccepted, dSubjects sql.NullBool
	var dAuthority, dJustification, dBy, dState, dApprovedBy, dComment sql.NullString
	if err := rows.Scan(&e.IncidentID, &e.Ref, &e.Title, &e.Nature, &e.Systems, &e.People, &e.Discovery, &e.TLP, &e.Restricted,
		&e.OwnerID, &e.ReporterUserID, &e.Named, &e.PersonalData, &occurred, &discovered, &aware, &reported, &contained,
		&aID, &aVersion, &aFacts, &aAnnex, &aDecision, &aReason, &aBy, &aCreated,
		&dID, &dVersion, &dAccepted, &dAuthority, &dSubjects, &dJustification, &dBy, &dDecided, &dState, &dApprovedBy, &dApproved, &dComment,
		&notifiedA, &notifiedS, &e.LateReason, &e.Actions); err != nil {
		return nil, err
	}
	e.OccurredAt, e.DiscoveredAt, e.AwareAt, e.ContainedAt = fromNullMicros(occurred), fromNullMicros(discovered), fromNullMicros(aware), fromNullMicros(contained)
	e.ReportedAt = fromMicros(reported)
	e.NotifiedAuthorityAt, e.NotifiedSubjectsAt = fromNullMicros(notifiedA), fromNullMicros(notifiedS)
	if aID.Valid {
		e.Assessment = &BreachAssessment{ID: aID.Int64, IncidentID: e.IncidentID, Version: int(aVersion.Int64), Facts: aFacts.String,
			Annex: aAnnex.String, Decision: aDecision.String, Reason: aReason.String, CreatedBy: aBy.String, CreatedAt: fromMicros(aCreated.Int64)}
	}
	if dID.Valid {
		d := &BreachDecision{ID: dID.Int64, IncidentID: e.IncidentID, AssessmentVersion: int(dVersion.Int64), Accepted: dAccepted.Bool,
			NotifySubjects: dSubjects.Bool, Justification: dJustification.String, DecidedBy: dBy.String, DecidedAt: fromMicros(dDecided.Int64),
			ApprovalState: dState.String, ApprovedBy: dApprovedBy.String, ApprovedAt: fromNullMicros(dApproved), ApprovalComment: dComment.String}
		if err := json.Unmarshal([]byte(dAuthority.String), &d.NotifyAuthority); err != nil {
			return nil, fmt.Errorf("breach decision %d: notify_authority: %w", d.ID, err)
		}
		e.Decision = d
	}
	return &e, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/domain"
)

const incidentColumns = `i.id, i.org_id, i.ref, i.title, i.nature, i.systems, i.people, i.discovery,
	i.reporter_name, i.reporter_contact, i.reporter_relationship, COALESCE(i.reporter_user_id, 0), i.channel,
	i.occurred_at, i.occurred_precision, i.discovered_at, i.reported_at, i.aware_at, i.contained_at, i.resolved_at, i.closed_at,
	i.class, i.near_miss, i.personal_data, i.status, COALESCE(i.owner_id, 0), COALESCE(u.email, ''), i.restricted, i.exercise,
	i.tags, COALESCE(m.ref, ''), i.version, i.created_at, i.updated_at, i.nis2_significant, i.dora_major,
	i.rsit_class, i.rsit_type, i.ico_type, i.severity_scheme, i.severity_category, i.severity_rank,
	i.confidentiality, i.confidentiality_note, i.integrity, i.integrity_note, i.availability, i.availability_note,
	i.tlp, i.pap, i.suggestion`

const incidentFrom = ` FROM incidents i LEFT JOIN users u ON u.id = i.owner_id LEFT JOIN incidents m ON m.id = i.merged_into_id`

type scanner interface{ Scan(...any) error }

func scanIncident(sc scanner) (*domain.Incident, error) {
	var inc domain.Incident
	var occurred, discovered, aware, contained, resolved, closed sql.NullInt64
	var reported, created, updated int64
	var tags, suggestion string
	var sev domain.Severity
	err := sc.Scan(&inc.ID, &inc.OrgID, &inc.Ref, &inc.Title, &inc.Nature, &inc.Systems, &inc.People, &inc.Discovery,
		&inc.Reporter.Name, &inc.Reporter.Contact, &inc.Reporter.Relationship, &inc.ReporterUserID, &inc.Channel,
		&occurred, &inc.OccurredPrecision, &discovered, &reported, &aware, &contained, &resolved, &closed,
		&inc.Class, &inc.NearMiss, &inc.PersonalData, &inc.Status, &inc.OwnerID, &inc.Owner, &inc.Restricted, &inc.Exercise,
		&tags, &inc.MergedInto, &inc.Version, &created, &updated, &inc.NIS2Significant, &inc.DORAMajor,
		&inc.RSITClass, &inc.RSITType, &inc.ICOType, &sev.Scheme, &sev.Category, &sev.Rank,
		&inc.Impact.Confidentiality.Affected, &inc.Impact.Confidentiality.Note, &inc.Impact.Integrity.Affected, &inc.Impact.Integrity.Note,
		&inc.Impact.Availability.Affected, &inc.Impact.Availability.Note, &inc.TLP, &inc.PAP, &suggestion)
	if err != nil {
		return nil, err
	}
	if sev.Scheme != "" {
		inc.Severity = &sev
	}
	if suggestion != "" {
		inc.Suggestion = new(domain.Suggestion)
		if err := json.Unmarshal([]byte(suggestion), inc.Suggestion); err != nil {
			return nil, fmt.Errorf("decoding suggestion of %s: %w", inc.Ref, err)
		}
	}
	inc.OccurredAt, inc.DiscoveredAt, inc.AwareAt = fromNullMicros(occurred), fromNullMicros(discovered), fromNullMicros(aware)
	inc.ContainedAt, inc.ResolvedAt, inc.ClosedAt = fromNullMicros(contained), fromNullMicros(resolved), fromNullMicros(closed)
	inc.ReportedAt, inc.CreatedAt, inc.UpdatedAt = fromMicros(reported), fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(tags), &inc.Tags); err != nil {
		return nil, fmt.Errorf("decoding tags of %s: %w", inc.Ref, err)
	}
	return &inc, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// severityColumns are the stored scheme, category and rank; an ungraded incident has empty
// texts and domain.UngradedRank.
func severityColumns(inc *domain.Incident) (scheme, category string, rank int) {
	if inc.Severity == nil {
		return "", "", domain.UngradedRank
	}
	return inc.Severity.Scheme, inc.Severity.Category, inc.SeverityRank()
}

func suggestionJSON(s *domain.Suggestion) string {
	if s == nil {
		return ""
	}
	b, err := json.Marshal(s)
	if err != nil {
		return ""
	}
	return string(b)
}

func tagsJSON(tags []string) string {
	if len(tags) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(tags) // []string always marshals
	return string(b)
}

// NextRef allocates the next reference of an organisation's year, e.g. INC-2026-00042.
// The counter row is locked by the upsert until commit, so references are never reused.
func (tx *Tx) NextRef(orgID int64, year int) (string, error) {
	k := refKey{orgID, year}
	if c, ok := tx.refs[k]; ok {
		c.last++
		return fmt.Sprintf("INC-%d-%05d", year, c.last), nil
	}
	var n int64
	err := tx.queryRow(`INSERT INTO ref_counters(org_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (org_id, year) DO UPDATE SET last = ref_counters.last + 1 RETURNING last`, orgID, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("allocating reference: %w", err)
	}
	tx.refs[k] = &refCounter{last: n, stored: n}
	return fmt.Sprintf("INC-%d-%05d", year, n), nil
}

// InsertIncident stores a new incident and sets its ID. statusTokenHash may be empty.
func (tx *Tx) InsertIncident(inc *domain.Incident, statusTokenHash string) error {
	var tok any
	if statusTokenHash != "" {
		tok = statusTokenHash
	}
	scheme, category, rank := severityColumns(inc)
	err := tx.queryRow(`INSERT INTO incidents(org_id, ref, title, nature, systems, people, discovery,
		reporter_name, reporter_contact, reporter_relationship, reporter_user_id, channel,
		occurred_at, occurred_precision, discovered_at, reported_at, aware_at, contained_at, resolved_at, closed_at,
		class, class_rank, near_miss, personal_data, status, owner_id, restricted, exercise, tags, status_token_hash,
		version, created_at, updated_at, nis2_significant, dora_major,
		rsit_class, rsit_type, ico_type, severity_scheme, severity_category, severity_rank,
		confidentiality, confidentiality_note, integrity, integrity_note, availability, availability_note, tlp, pap, suggestion)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35,
		$36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50) RETURNING id`,
		inc.OrgID, inc.Ref, inc.Title, inc.Nature, inc.Systems, inc.People, inc.Discovery,
		inc.Reporter.Name, inc.Reporter.Contact, inc.Reporter.Relationship, nullID(inc.ReporterUserID), inc.Channel,
		microsPtr(inc.OccurredAt), inc.OccurredPrecision, microsPtr(inc.DiscoveredAt), micros(inc.ReportedAt), microsPtr(inc.AwareAt),
		microsPtr(inc.ContainedAt), microsPtr(inc.ResolvedAt), microsPtr(inc.ClosedAt),
		inc.Class, inc.Class.Rank(), inc.NearMiss, inc.PersonalData, inc.Status, nullID(inc.OwnerID), inc.Restricted, inc.Exercise,
		tagsJSON(inc.Tags), tok, inc.Version, micros(inc.CreatedAt), micros(inc.UpdatedAt), inc.NIS2Significant, inc.DORAMajor,
		inc.RSITClass, inc.RSITType, inc.ICOType, scheme, category, rank,
		inc.Impact.Confidentiality.Affected, inc.Impact.Confidentiality.Note, inc.Impact.Integrity.Affected, inc.Impact.Integrity.Note,
		inc.Impact.Availability.Affected, inc.Impact.Availability.Note, inc.TLP, inc.PAP, suggestionJSON(inc.Suggestion)).Scan(&inc.ID)
	if err != nil {
		return fmt.Errorf("inserting incident: %w", err)
	}
	if tx.s.dialect == SQLite && (tx.ftsFrom == 0 || inc.ID < tx.ftsFrom) {
		tx.ftsFrom = inc.ID
	}
	return nil
}

// UpdateIncident writes inc if the stored version is still prevVersion; otherwise ErrVersion.
// The suggestion is written only by InsertIncident: it records what was suggested when the
// report arrived.
func (tx *Tx) UpdateIncident(inc *domain.Incident, prevVersion int) error {
	if err := tx.flushFTS(); err != nil { // the update trigger expects indexed rows
		return err
	}
	scheme, category, rank := severityColumns(inc)
	res, err := tx.exec(`UPDATE incidents SET title = $1, nature = $2, systems = $3, people = $4, discovery = $5,
		reporter_name = $6, reporter_contact = $7, reporter_relationship = $8, channel = $9,
		occurred_at = $10, occurred_precision = $11, discovered_at = $12, reported_at = $13, aware_at = $14,
		contained_at = $15, resolved_at = $16, closed_at = $17, class = $18, class_rank = $19, near_miss = $20,
		personal_data = $21, status = $22, owner_id = $23, restricted = $24, exercise = $25, tags = $26,
		version = $27, updated_at = $28, nis2_significant = $31, dora_major = $32,
		rsit_class = $33, rsit_type = $34, ico_type = $35, severity_scheme = $36, severity_category = $37, severity_rank = $38,
		confidentiality = $39, confidentiality_note = $40, integrity = $41, integrity_note = $42,
		availability = $43, availability_note = $44, tlp = $45, pap = $46
		WHERE id = $29 AND version = $30`,
		inc.Title, inc.Nature, inc.Systems, inc.People, inc.Discovery,
		inc.Reporter.Name, inc.Reporter.Contact, inc.Reporter.Relationship, inc.Channel,
		microsPtr(inc.OccurredAt), inc.OccurredPrecision, microsPtr(inc.DiscoveredAt), micros(inc.ReportedAt), microsPtr(inc.AwareAt),
		microsPtr(inc.ContainedAt), microsPtr(inc.ResolvedAt), microsPtr(inc.ClosedAt), inc.Class, inc.Class.Rank(), inc.NearMiss,
		inc.PersonalData, inc.Status, nullID(inc.OwnerID), inc.Restricted, inc.Exercise, tagsJSON(inc.Tags),
		inc.Version, micros(inc.UpdatedAt), inc.ID, prevVersion, inc.NIS2Significant, inc.DORAMajor,
		inc.RSITClass, inc.RSITType, inc.ICOType, scheme, category, rank,
		inc.Impact.Confidentiality.Affected, inc.Impact.Confidentiality.Note, inc.Impact.Integrity.Affected, inc.Impact.Integrity.Note,
		inc.Impact.Availability.Affected, inc.Impact.Availability.Note, inc.TLP, inc.PAP)
	if err != nil {
		return fmt.Errorf("updating incident %s: %w", inc.Ref, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("updating incident %s: %w", inc.Ref, err)
	}
	if n == 0 {
		return ErrVersion
	}
	return nil
}

// IncidentByRef reads one incident with its links, inside the write transaction so a
// read-modify-write sees the latest committed state.
func (tx *Tx) IncidentByRef(orgID int64, ref string) (*domain.Incident, error) {
	inc, err := scanIncident(tx.queryRow("SELECT "+incidentColumns+incidentFrom+" WHERE i.org_id = $1 AND i.ref = $2", orgID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading incident %s: %w", ref, err)
	}
	return inc, nil
}

// IncidentByRef reads one incident and its links.
func (s *Store) IncidentByRef(ctx context.Context, orgID int64, ref string) (*domain.Incident, error) {
	inc, err := scanIncident(s.r.QueryRowContext(ctx, "SELECT "+incidentColumns+incidentFrom+" WHERE i.org_id = $1 AND i.ref = $2", orgID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading incident %s: %w", ref, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.ref, l.kind FROM incident_links l JOIN incidents r ON r.id = l.related_id
		WHERE l.incident_id = $1 ORDER BY r.id`, inc.ID)
	if err != nil {
		return nil, fmt.Errorf("reading links of %s: %w", ref, err)
	}
	defer rows.Close()
	inc.Links = []domain.Link{}
	for rows.Next() {
		var l domain.Link
		if err := rows.Scan(&l.Ref, &l.Kind); err != nil {
			return nil, fmt.Errorf("reading links of %s: %w", ref, err)
		}
		inc.Links = append(inc.Links, l)
	}
	return inc, rows.Err()
}

// IncidentByStatusToken finds the incident a reporter's secret status link points to.
func (s *Store) IncidentByStatusToken(ctx context.Context, tokenHash string) (*domain.Incident, error) {
	inc, err := scanIncident(s.r.QueryRowContext(ctx, "SELECT "+incidentColumns+incidentFrom+" WHERE i.status_token_hash = $1", tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading incident by status token: %w", err)
	}
	return inc, nil
}

// IsNamed reports whether a user is on an incident's need-to-know list.
func (s *Store) IsNamed(ctx context.Context, incidentID, userID int64) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, "SELECT 1 FROM incident_access WHERE incident_id = $1 AND user_id = $2", incidentID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading need-to-know list: %w", err)
	}
	return true, nil
}

// GrantAccess puts a user on an incident's need-to-know list.
func (tx *Tx) GrantAccess(incidentID, userID int64) error {
	if _, err := tx.exec("INSERT INTO incident_access(incident_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", incidentID, userID); err != nil {
		return fmt.Errorf("granting access: %w", err)
	}
	return nil
}

// Sort orders of incident lists.
const (
	SortNewest   = "-reported_at"
	SortOldest   = "reported_at"
	SortPriority = "priority" // seed 001 §4.2 class priority, then severity (graded first, most severe first), then oldest first
)

// Sorts lists the accepted sort orders.
var Sorts = []string{SortNewest, SortOldest, SortPriority}

// Filter selects incidents for a list. Zero values mean "any".
type Filter struct {
	OrgID          int64
	Statuses       []string
	Classes        []string
	PersonalData   string
	OwnerID        int64 // -1 means unassigned
	ReportedAfter  *time.Time
	ReportedBefore *time.Time
	Exercise       *bool
	NearMiss       *bool
	Q              string
	Sort           string
	Limit          int
	After          *Cursor
	// Visibility limits: OnlyReporter restricts to one reporter's own incidents; when
	// HideRestrictedFor is set, restricted incidents are hidden unless that user owns
	// them or is on their need-to-know list.
	OnlyReporter      int64
	HideRestrictedFor int64
	HideRestricted    bool
}

// Cursor is the position after the last row of a page (keyset pagination: stable under
// inserts and as fast on page 1,000 as on page 1).
type Cursor struct {
	Rank int `json:"k,omitempty"`
	// Severity is the severity rank of the last row in the priority order; zero in cursors
	// given out before incidents were graded, which ListIncidents then reads from the row.
	Severity int   `json:"s,omitempty"`
	At       int64 `json:"t"`
	ID       int64 `json:"i"`
}

// query is a SQL condition under construction with its arguments.
type query struct {
	where []string
	args  []any
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

func (q *query) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	ph := make([]string, len(vals))
	for k, v := range vals {
		ph[k] = q.arg(v)
	}
	q.where = append(q.where, col+" IN ("+strings.Join(ph, ", ")+")")
}

// filter turns f's filters (not its sort or cursor) into conditions; ok is false when a
// search has no words and so can match nothing.
func (s *Store) filter(f Filter) (q *query, ok bool) {
	q = &query{}
	q.where = append(q.where, "i.org_id = "+q.arg(f.OrgID))
	q.in("i.status", f.Statuses)
	q.in("i.class", f.Classes)
	if f.PersonalData != "" {
		q.where = append(q.where, "i.personal_data = "+q.arg(f.PersonalData))
	}
	switch {
	case f.OwnerID > 0:
		q.where = append(q.where, "i.owner_id = "+q.arg(f.OwnerID))
	case f.OwnerID < 0:
		q.where = append(q.where, "i.owner_id IS NULL")
	}
	if f.ReportedAfter != nil {
		q.where = append(q.where, "i.reported_at >= "+q.arg(micros(*f.ReportedAfter)))
	}
	if f.ReportedBefore != nil {
		q.where = append(q.where, "i.reported_at < "+q.arg(micros(*f.ReportedBefore)))
	}
	if f.Exercise != nil {
		q.where = append(q.where, "i.exercise = "+q.arg(*f.Exercise))
	}
	if f.NearMiss != nil {
		q.where = append(q.where, "i.near_miss = "+q.arg(*f.NearMiss))
	}
	if f.OnlyReporter != 0 {
		q.where = append(q.where, "i.reporter_user_id = "+q.arg(f.OnlyReporter))
	}
	if f.HideRestricted {
		u := q.arg(f.HideRestrictedFor)
		q.where = append(q.where, "(i.restricted = "+q.arg(false)+" OR i.owner_id = "+u+
			// A scalar probe, not EXISTS: PostgreSQL plans EXISTS here as a hashed subplan that
			// reads the whole need-to-know table on every list.
			" OR (SELECT 1 FROM incident_access a WHERE a.incident_id = i.id AND a.user_id = "+u+") = 1)")
	}
	if text := strings.TrimSpace(f.Q); text != "" {
		match, ok := s.searchClause(text, q.arg)
		if !ok {
			return nil, false
		}
		q.where = append(q.where, match)
	}
	return q, true
}

// ListIncidents returns up to f.Limit incidents and the cursor of the next page, if any.
func (s *Store) ListIncidents(ctx context.Context, f Filter) ([]*domain.Incident, *Cursor, error) {
	if s.dialect == SQLite && len(f.Statuses) > 0 && strings.TrimSpace(f.Q) == "" && (f.Sort == "" || f.Sort == SortNewest || f.Sort == SortOldest) {
		return s.listByStatus(ctx, f)
	}
	q, ok := s.filter(f)
	if !ok {
		return nil, nil, nil
	}
	var order string
	if strings.TrimSpace(f.Q) != "" {
		// Search results come newest-recorded first: both full-text indexes can walk
		// matches in id order and stop at the page size, where any other order would have
		// to collect and sort every match.
		if f.After != nil {
			q.where = append(q.where, s.searchID()+" < "+q.arg(f.After.ID))
		}
		order = s.searchID() + " DESC"
	} else {
		switch f.Sort {
		case SortOldest:
			if f.After != nil {
				q.where = append(q.where, "(i.reported_at, i.id) > ("+q.arg(f.After.At)+", "+q.arg(f.After.ID)+")")
			}
			order = "i.reported_at, i.id"
		case SortPriority:
			if f.After != nil {
				sev, err := s.cursorSeverity(ctx, f.After)
				if err != nil {
					return nil, nil, err
				}
				q.where = append(q.where, "(i.class_rank, i.severity_rank, i.reported_at, i.id) > ("+q.arg(f.After.Rank)+", "+
					q.arg(sev)+", "+q.arg(f.After.At)+", "+q.arg(f.After.ID)+")")
			}
			order = "i.class_rank, i.severity_rank, i.reported_at, i.id"
		default:
			if f.After != nil {
				q.where = append(q.where, "(i.reported_at, i.id) < ("+q.arg(f.After.At)+", "+q.arg(f.After.ID)+")")
			}
			order = "i.reported_at DESC, i.id DESC"
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	sqlText := "SELECT " + incidentColumns + s.from(f) + " WHERE " + strings.Join(q.where, " AND ") +
		" ORDER BY " + order + " LIMIT " + q.arg(limit+1)
	return s.page(ctx, sqlText, q.args, limit)
}

// listByStatus lists with a status filter on SQLite. Without statistics SQLite walks the
// class or personal-data index for "status IN (…) AND class = … AND personal_data = …" and
// filters row by row: over a second at a million incidents when the combination is rare.
// Instead each status gets its own branch that walks that status's part of incidents_status
// in page order and stops at the page size; the branches are merged and cut to the page.
func (s *Store) listByStatus(ctx context.Context, f Filter) ([]*domain.Incident, *Cursor, error) {
	g := f
	g.Statuses = nil
	q, ok := s.filter(g)
	if !ok {
		return nil, nil, nil
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	order, cmp := "i.reported_at DESC, i.id DESC", "<"
	if f.Sort == SortOldest {
		order, cmp = "i.reported_at, i.id", ">"
	}
	base := strings.Join(q.where, " AND ")
	if f.After != nil {
		base += " AND (i.reported_at, i.id) " + cmp + " (" + q.arg(f.After.At) + ", " + q.arg(f.After.ID) + ")"
	}
	lim := q.arg(limit + 1)
	branches := make([]string, len(f.Statuses))
	for k, st := range f.Statuses {
		branches[k] = "SELECT id FROM (SELECT i.id FROM incidents i INDEXED BY incidents_status WHERE " + base +
			" AND i.status = " + q.arg(st) + " ORDER BY " + order + " LIMIT " + lim + ")"
	}
	sqlText := "SELECT " + incidentColumns + incidentFrom + " WHERE i.id IN (" + strings.Join(branches, " UNION ALL ") + ") ORDER BY " + order + " LIMIT " + lim
	return s.page(ctx, sqlText, q.args, limit)
}

// page runs a list query that asked for limit+1 rows and returns the page and the cursor of
// the next one, if any.
func (s *Store) page(ctx context.Context, sqlText string, args []any, limit int) ([]*domain.Incident, *Cursor, error) {
	rows, err := s.r.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("listing incidents: %w", err)
	}
	defer rows.Close()
	var out []*domain.Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("listing incidents: %w", err)
		}
		out = append(out, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("listing incidents: %w", err)
	}
	var next *Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = &Cursor{Rank: last.Class.Rank(), Severity: last.SeverityRank(), At: micros(last.ReportedAt), ID: last.ID}
	}
	return out, next, nil
}

// cursorSeverity is the severity rank a priority cursor continues after. A cursor from
// before severity grading has none: the row it points at says (its current rank, which may
// have changed since, like any keyset page under concurrent edits), and a vanished row
// restarts the class at its ungraded incidents.
func (s *Store) cursorSeverity(ctx context.Context, c *Cursor) (int, error) {
	if c.Severity != 0 {
		return c.Severity, nil
	}
	var rank int
	err := s.r.QueryRowContext(ctx, "SELECT severity_rank FROM incidents WHERE id = $1", c.ID).Scan(&rank)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.UngradedRank, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading cursor: %w", err)
	}
	return rank, nil
}

// CountByClass counts the incidents matching f per triage class, up to CountCap each.
func (s *Store) CountByClass(ctx context.Context, f Filter) (map[string]int, error) {
	out := map[string]int{}
	for _, class := range domain.TriageClasses {
		g := f
		g.Classes = []string{class}
		q, ok := s.filter(g)
		if !ok {
			return out, nil
		}
		var n int
		from := " FROM incidents i"
		if s.dialect == SQLite && strings.TrimSpace(f.Q) != "" {
			from = " FROM incidents_fts f JOIN incidents i ON i.id = f.rowid"
		}
		sqlText := "SELECT COUNT(*) FROM (SELECT 1" + from + " WHERE " + strings.Join(q.where, " AND ") + " LIMIT " + q.arg(CountCap+1) + ") c"
		if err := s.r.QueryRowContext(ctx, sqlText, q.args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting incidents: %w", err)
		}
		out[class] = n
	}
	return out, nil
}

// searchClause builds the full-text condition; ok is false when the query has no words.
func (s *Store) searchClause(q string, arg func(any) string) (string, bool) {
	words := strings.FieldsFunc(q, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	})
	if len(words) == 0 {
		return "", false
	}
	if s.dialect == Postgres {
		return "i.search @@ plainto_tsquery('english', " + arg(strings.Join(words, " ")) + ")", true
	}
	// Each word is quoted so FTS5 operators in user input are taken literally, and the words
	// are ANDed. Whole words only: a prefix match on a common word costs hundreds of times
	// more than the word itself.
	quoted := make([]string, len(words))
	for k, w := range words {
		quoted[k] = `"` + strings.ReplaceAll(w, `"`, "") + `"`
	}
	return "incidents_fts MATCH " + arg(strings.Join(quoted, " ")), true
}

// from is the FROM clause of a list. A SQLite search is driven by the full-text index,
// joined to incidents, so FTS5 returns matches in rowid order and stops after the page;
// filtering incidents by an IN (matches) list collected every match first.
func (s *Store) from(f Filter) string {
	if s.dialect == SQLite && strings.TrimSpace(f.Q) != "" {
		return " FROM incidents_fts f JOIN incidents i ON i.id = f.rowid" + strings.TrimPrefix(incidentFrom, " FROM incidents i")
	}
	return incidentFrom
}

// searchID is the column search results are ordered and paged by.
func (s *Store) searchID() string {
	if s.dialect == SQLite {
		return "f.rowid"
	}
	return "i.id"
}

// Link relates two incidents both ways; linking again changes nothing.
func (tx *Tx) Link(a, b int64, kindAB, kindBA string) error {
	for _, l := range [][3]any{{a, b, kindAB}, {b, a, kindBA}} {
		if _, err := tx.exec("INSERT INTO incident_links(incident_id, related_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", l[0], l[1], l[2]); err != nil {
			return fmt.Errorf("linking incidents: %w", err)
		}
	}
	return nil
}

// SetMergedInto records which incident this one was merged into.
func (tx *Tx) SetMergedInto(id, into int64) error {
	if _, err := tx.exec("UPDATE incidents SET merged_into_id = $1 WHERE id = $2", into, id); err != nil {
		return fmt.Errorf("recording merge: %w", err)
	}
	return nil
}

// CountCap is where queue counts stop: each counted row costs a table lookup (about 30 µs
// on SQLite), so counting to 1,000 per class took 30 ms per class on a million incidents;
// "more than 100" tells a handler as much.
const CountCap = 100

// String encodes the cursor for a URL.
func (c *Cursor) String() string {
	b, _ := json.Marshal(c) // a struct of ints always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor given out by String.
func ParseCursor(s string) (*Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 {
		return nil, errors.New("not a cursor this server gave out")
	}
	return &c, nil
}

func joinAnd(where []string) string { return strings.Join(where, " AND ") }

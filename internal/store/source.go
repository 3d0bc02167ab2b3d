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

// Source says where an imported incident came from (migration 0007): the source's name,
// the record's identifier there ("" when it had none) and the original document.
type Source struct {
	Source   string
	SourceID string
	Document string
}

// withExtra scans a row of incidentColumns followed by more columns.
type withExtra struct {
	sc    scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// IncidentBySource finds the incident imported from source under sourceID, inside the write
// transaction so that an import decides between insert and update on committed state.
func (tx *Tx) IncidentBySource(orgID int64, source, sourceID string) (*domain.Incident, *Source, error) {
	src := &Source{Source: source, SourceID: sourceID}
	var id int64
	// "source_id <> ''" repeats the partial index's condition: neither engine can use the
	// index for a parameter that might be empty unless the query says it is not.
	err := tx.queryRow("SELECT incident_id, document FROM incident_sources WHERE org_id = $1 AND source = $2 AND source_id = $3 AND source_id <> ''",
		orgID, source, sourceID).Scan(&id, &src.Document)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("finding %s record %q: %w", source, sourceID, err)
	}
	inc, err := scanIncident(tx.queryRow("SELECT "+incidentColumns+incidentFrom+" WHERE i.id = $1", id))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the incident of %s record %q: %w", source, sourceID, err)
	}
	return inc, src, nil
}

// PutSource records or replaces where an incident came from.
func (tx *Tx) PutSource(orgID, incidentID int64, src Source, at time.Time) error {
	if _, err := tx.exec(`INSERT INTO incident_sources(incident_id, org_id, source, source_id, document, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (incident_id) DO UPDATE SET source = excluded.source, source_id = excluded.source_id,
		document = excluded.document, imported_at = excluded.imported_at`,
		incidentID, orgID, src.Source, src.SourceID, src.Document, micros(at)); err != nil {
		return fmt.Errorf("recording where %s record %q came from: %w", src.Source, src.SourceID, err)
	}
	return nil
}

// Sourced is an incident with where it came from (zero when it was born in Vigil).
type Sourced struct {
	*domain.Incident
	Source
}

// ExportPage returns up to limit incidents of an organisation with ids above afterID, in id
// order, with their sources, and whether more follow. Exports page through the register with
// it so that they stream, whatever its size. reportedFrom and reportedTo (either may be nil)
// bound reported_at, the end exclusive.
func (s *Store) ExportPage(ctx context.Context, orgID, afterID int64, limit int, reportedFrom, reportedTo *time.Time) ([]Sourced, bool, error) {
	q := &query{}
	q.where = append(q.where, "i.org_id = "+q.arg(orgID), "i.id > "+q.arg(afterID))
	if reportedFrom != nil {
		q.where = append(q.where, "i.reported_at >= "+q.arg(micros(*reportedFrom)))
	}
	if reportedTo != nil {
		q.where = append(q.where, "i.reported_at < "+q.arg(micros(*reportedTo)))
	}
	sqlText := "SELECT " + incidentColumns + ", COALESCE(s.source, ''), COALESCE(s.source_id, ''), COALESCE(s.document, '')" +
		incidentFrom + " LEFT JOIN incident_sources s ON s.incident_id = i.id WHERE " + strings.Join(q.where, " AND ") +
		" ORDER BY i.id LIMIT " + q.arg(limit+1)
	rows, err := s.r.QueryContext(ctx, sqlText, q.args...)
	if err != nil {
		return nil, false, fmt.Errorf("exporting incidents: %w", err)
	}
	defer rows.Close()
	var out []Sourced
	for rows.Next() {
		var src Source
		inc, err := scanIncident(withExtra{rows, []any{&src.Source, &src.SourceID, &src.Document}})
		if err != nil {
			return nil, false, fmt.Errorf("exporting incidents: %w", err)
		}
		out = append(out, Sourced{inc, src})
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("exporting incidents: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/deadline"
)

// ReturnItem is what the quarterly return counts about one incident.
type ReturnItem struct {
	Class, SeverityScheme, SeverityCategory string
	RSITClass, RSITType, ICOType            string
	NearMiss                                bool
	// PersonalDataBreach uses the breach log's membership rule.
	PersonalDataBreach bool
	// Since is when the organisation became aware (else discovered, else recorded it).
	Since time.Time
	// FirstRegulatorNotice is the first notification to any authority (every clock rule but
	// telling the people affected and internal reporting); nil when none was sent.
	FirstRegulatorNotice *time.Time
}

// ReturnItems calls fn for every incident recorded in [from, to), exercises and merged
// duplicates excluded, one row at a time.
func (s *Store) ReturnItems(ctx context.Context, orgID int64, from, to time.Time, fn func(*ReturnItem) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT i.class, i.severity_scheme, i.severity_category, i.rsit_class, i.rsit_type, i.ico_type, i.near_miss,
		CASE WHEN i.personal_data = 'yes' OR EXISTS (SELECT 1 FROM breach_assessments b WHERE b.incident_id = i.id) THEN 1 ELSE 0 END,
		`+breachLogWhen+`,
		(SELECT MIN(n.sent_at) FROM notifications n WHERE n.incident_id = i.id AND n.rule NOT IN ($5, $6))
		FROM incidents i
		WHERE i.org_id = $1 AND i.exercise = $2 AND i.merged_into_id IS NULL AND i.reported_at >= $3 AND i.reported_at < $4`,
		orgID, false, micros(from), micros(to), clocks.RuleSubjects, deadline.RuleInternal2WorkDays)
	if err != nil {
		return fmt.Errorf("reading incidents for the return: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it ReturnItem
		var pdb int
		var since int64
		var first sql.NullInt64
		if err := rows.Scan(&it.Class, &it.SeverityScheme, &it.SeverityCategory, &it.RSITClass, &it.RSITType, &it.ICOType, &it.NearMiss,
			&pdb, &since, &first); err != nil {
			return fmt.Errorf("reading incidents for the return: %w", err)
		}
		it.PersonalDataBreach, it.Since, it.FirstRegulatorNotice = pdb == 1, fromMicros(since), fromNullMicros(first)
		if err := fn(&it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading incidents for the return: %w", err)
	}
	return nil
}

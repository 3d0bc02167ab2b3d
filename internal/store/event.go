package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vigil-ir/vigil/internal/audit"
)

const eventColumns = "org_id, seq, at, actor_id, actor, action, incident_id, ref, data, prev_hash, hash"

func scanEvent(sc scanner) (*audit.Entry, error) {
	var e audit.Entry
	var at int64
	var data string
	if err := sc.Scan(&e.OrgID, &e.Seq, &at, &e.ActorID, &e.Actor, &e.Action, &e.IncidentID, &e.Ref, &data, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = fromMicros(at)
	e.Data = []byte(data)
	return &e, nil
}

// IncidentEvents lists an incident's record of events, oldest first.
func (s *Store) IncidentEvents(ctx context.Context, incidentID int64) ([]*audit.Entry, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+eventColumns+" FROM audit_events WHERE incident_id = $1 ORDER BY seq", incidentID)
	if err != nil {
		return nil, fmt.Errorf("reading record of events: %w", err)
	}
	defer rows.Close()
	out := []*audit.Entry{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("reading record of events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyChain walks every organisation's record of events in order and returns the first
// break, as an *audit.BrokenError, and how many entries it checked.
func (s *Store) VerifyChain(ctx context.Context) (int64, error) {
	heads := map[int64][2]any{}
	rows, err := s.r.QueryContext(ctx, "SELECT org_id, seq, hash FROM audit_heads ORDER BY org_id")
	if err != nil {
		return 0, fmt.Errorf("reading record-of-events heads: %w", err)
	}
	var orgs []int64
	for rows.Next() {
		var org, seq int64
		var hash string
		if err := rows.Scan(&org, &seq, &hash); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reading record-of-events heads: %w", err)
		}
		heads[org] = [2]any{seq, hash}
		orgs = append(orgs, org)
	}
	rows.Close()
	// Entries of an organisation without a head row would be invisible to the walk below.
	var stray sql.NullInt64
	if err := s.r.QueryRowContext(ctx, "SELECT MIN(org_id) FROM audit_events WHERE org_id NOT IN (SELECT org_id FROM audit_heads)").Scan(&stray); err != nil {
		return 0, fmt.Errorf("reading record of events: %w", err)
	}
	if stray.Valid {
		return 0, &audit.BrokenError{OrgID: stray.Int64, Seq: 1, Reason: "entries exist but the chain head is missing"}
	}
	var total int64
	for _, org := range orgs {
		v := audit.NewVerifier(org)
		err := func() error {
			rows, err := s.r.QueryContext(ctx, "SELECT "+eventColumns+" FROM audit_events WHERE org_id = $1 ORDER BY seq", org)
			if err != nil {
				return fmt.Errorf("reading record of events: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanEvent(rows)
				if err != nil {
					return fmt.Errorf("reading record of events: %w", err)
				}
				if err := v.Next(e); err != nil {
					return err
				}
			}
			return rows.Err()
		}()
		total += v.Checked
		if err != nil {
			return total, err
		}
		h := heads[org]
		if err := v.Finish(h[0].(int64), h[1].(string)); err != nil {
			return total, err
		}
	}
	return total, nil
}

// IsBroken reports whether err is a break in the chain (as opposed to a database failure).
func IsBroken(err error) bool {
	var be *audit.BrokenError
	return errors.As(err, &be)
}

package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// ImportRecord is one record of an import in Vigil's terms: the fields it sets, where it came
// from and its identifier there.
type ImportRecord struct {
	Where    string // file and record or line, for messages
	SourceID string // "" when the source has no identifier (such rows cannot be re-imported idempotently)
	Document string // the original, kept with the incident
	Patch    domain.Patch
	Status   domain.Status // for a new incident; "" means new
	Notes    []string      // what the mapping could not carry over exactly
	// Err rejects the record: it could not be read or mapped.
	Err error
}

// ImportOptions says how to import.
type ImportOptions struct {
	Source string // "veris" or "csv:NAME"; with SourceID the key of idempotency
	File   string // named in the record of events
	// Partial imports the good records when some are rejected; otherwise one rejected record
	// stops the whole import before anything is written.
	Partial bool
	// BatchSize is how many records share one transaction (default 500): each batch commits
	// whole or not at all, and other writers get a turn between batches.
	BatchSize int
}

// Problem is a record an import rejected, or one it imported with a warning.
type Problem struct {
	Where  string `json:"where"`
	Reason string `json:"reason"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created, Updated, Unchanged int
	Rejected                    []Problem
	// Warnings are records imported with something to say (a duplicate identifier).
	Warnings []Problem
	// Noted counts records imported with mapping notes (values mapped to unknown, dates not
	// kept); the notes are in each incident's record of events.
	Noted int
	// Written is false when nothing was written because records were rejected.
	Written bool
}

// ErrRejected is returned (wrapped) when rejected records stopped an import.
var ErrRejected = errors.New("records rejected")

// prepared is a record that passed validation: the incident it creates if new.
type prepared struct {
	ImportRecord
	inc domain.Incident
}

// Import writes records as incidents: a record whose (source, source id) was imported
// before updates that incident, any other creates one. Every record is validated before
// anything is written; with rejected records and no Partial the import writes nothing and
// returns ErrRejected. Each incident gets an incident.imported entry in the same
// transaction, and the import as a whole an import entry with its counts.
func (s *Service) Import(ctx context.Context, p auth.Principal, o ImportOptions, recs []ImportRecord) (*ImportResult, error) {
	if !auth.Can(p, auth.ImportIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	res := &ImportResult{}
	now := s.now()
	var good []*prepared
	seen := map[string]string{}
	for _, r := range recs {
		if r.Err != nil {
			res.Rejected = append(res.Rejected, Problem{r.Where, r.Err.Error()})
			continue
		}
		pr := &prepared{ImportRecord: r}
		if err := s.resolveSeverity(&pr.Patch); err != nil {
			res.Rejected = append(res.Rejected, Problem{r.Where, reason(err)})
			continue
		}
		pr.inc = domain.Incident{OrgID: s.orgID, Channel: domain.ChannelAPI, ReportedAt: domain.Instant(now), Status: r.Status}
		if _, err := domain.Apply(&pr.inc, pr.Patch, now); err != nil {
			res.Rejected = append(res.Rejected, Problem{r.Where, reason(err)})
			continue
		}
		if r.SourceID != "" {
			if first, dup := seen[r.SourceID]; dup {
				res.Warnings = append(res.Warnings, Problem{r.Where, fmt.Sprintf("same identifier %q as %s: this later record updates it", r.SourceID, first)})
			} else {
				seen[r.SourceID] = r.Where
			}
		}
		if len(r.Notes) > 0 {
			res.Noted++
		}
		good = append(good, pr)
	}
	if len(res.Rejected) > 0 && !o.Partial {
		return res, fmt.Errorf("%d of %d records rejected, so nothing was imported (--partial imports the others): %w",
			len(res.Rejected), len(recs), ErrRejected)
	}
	for start := 0; start < len(good); start += o.BatchSize {
		batch := good[start:min(start+o.BatchSize, len(good))]
		var c counts
		err := s.store.Write(ctx, func(tx *store.Tx) error {
			c = counts{} // the store may run this function again
			for _, pr := range batch {
				if err := s.importOne(tx, p, o, pr, &c); err != nil {
					return fmt.Errorf("%s: %w", pr.Where, err)
				}
			}
			return nil
		})
		if err != nil {
			if start > 0 {
				err = fmt.Errorf("%w (the first %d records were imported; running the import again is safe)", err, start)
			}
			return res, err
		}
		res.Created, res.Updated, res.Unchanged = res.Created+c.created, res.Updated+c.updated, res.Unchanged+c.unchanged
		res.Written = true
	}
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "import.completed", nil, map[string]any{
			"source": o.Source, "file": o.File, "created": res.Created, "updated": res.Updated,
			"unchanged": res.Unchanged, "rejected": len(res.Rejected), "partial": o.Partial,
		}))
	})
	return res, err
}

type counts struct{ created, updated, unchanged int }

// importOne creates or updates the incident of one record inside tx.
func (s *Service) importOne(tx *store.Tx, p auth.Principal, o ImportOptions, pr *prepared, c *counts) error {
	now := domain.Instant(s.now())
	src := store.Source{Source: o.Source, SourceID: pr.SourceID, Document: pr.Document}
	var cur *domain.Incident
	var old *store.Source
	if pr.SourceID != "" {
		var err error
		cur, old, err = tx.IncidentBySource(s.orgID, o.Source, pr.SourceID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if cur == nil {
		inc := pr.inc // a copy: a re-run of the batch starts again from the prepared record
		inc.Version, inc.CreatedAt, inc.UpdatedAt = 1, now, now
		ref, err := tx.NextRef(s.orgID, inc.ReportedAt.Year())
		if err != nil {
			return err
		}
		inc.Ref = ref
		if err := tx.InsertIncident(&inc, ""); err != nil {
			return err
		}
		if err := tx.PutSource(s.orgID, inc.ID, src, now); err != nil {
			return err
		}
		c.created++
		return tx.Append(s.entry(p, "incident.imported", &inc, importData(o, pr, map[string]any{"incident": &inc})))
	}
	// An update leaves the status alone: once imported, an incident's handling is Vigil's.
	patch := pr.Patch
	patch.Status = domain.Opt[domain.Status]{}
	prev := cur.Version
	changes, err := domain.Apply(cur, patch, now)
	if err != nil {
		return errors.New(reason(err))
	}
	if len(changes) == 0 && old.Document == pr.Document {
		c.unchanged++
		return nil
	}
	if len(changes) > 0 {
		cur.Version++
		cur.UpdatedAt = now
		if err := tx.UpdateIncident(cur, prev); err != nil {
			return err
		}
	}
	if err := tx.PutSource(s.orgID, cur.ID, src, now); err != nil {
		return err
	}
	c.updated++
	return tx.Append(s.entry(p, "incident.imported", cur, importData(o, pr, map[string]any{
		"changes": changes, "original_changed": old.Document != pr.Document})))
}

func importData(o ImportOptions, pr *prepared, extra map[string]any) map[string]any {
	d := map[string]any{"source": o.Source, "source_id": pr.SourceID, "from": pr.Where}
	if len(pr.Notes) > 0 {
		d["notes"] = pr.Notes
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// reason words a validation error for a rejected record: the fields and what is wrong.
func reason(err error) string {
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return err.Error()
	}
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Field + " " + f.Message
	}
	return strings.Join(slices.Compact(parts), "; ")
}

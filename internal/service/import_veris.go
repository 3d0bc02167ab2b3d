package service

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/veris"
)

// ImportVERIS imports the VERIS records under path (a JSON array, JSON Lines, a directory of
// such files or a zip of them), keyed by their VERIS incident id.
func (s *Service) ImportVERIS(ctx context.Context, p auth.Principal, path string, o ImportOptions) (*ImportResult, error) {
	if !auth.Can(p, auth.ImportIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	now := s.now()
	var recs []ImportRecord
	if err := veris.ReadPath(path, func(it veris.Item) error {
		recs = append(recs, verisRecord(it, now))
		return nil
	}); err != nil {
		return nil, err
	}
	o.Source, o.File = veris.Source, path
	return s.Import(ctx, p, o, recs)
}

// verisRecord maps one VERIS item to an import record.
func verisRecord(it veris.Item, now time.Time) ImportRecord {
	r := ImportRecord{Where: it.Where, Err: it.Err}
	if r.Err != nil {
		return r
	}
	rec, err := veris.Parse(it.Raw)
	if err != nil {
		r.Err = err
		return r
	}
	m, err := veris.Map(rec, now)
	if err != nil {
		r.Err = err
		return r
	}
	var doc bytes.Buffer
	if err := json.Compact(&doc, it.Raw); err != nil {
		r.Err = err
		return r
	}
	r.SourceID, r.Document, r.Notes = m.SourceID, doc.String(), m.Notes
	r.Patch = domain.Patch{
		Title: set(m.Title), Nature: set(m.Nature), Systems: set(m.Systems), People: set(m.People), Discovery: set(m.Discovery),
		OccurredAt: set(m.OccurredAt), OccurredPrecision: set(domain.Precision(m.OccurredPrecision)), DiscoveredAt: set(m.DiscoveredAt),
		Class: set(domain.TriageClass(m.Class)), NearMiss: set(m.NearMiss), PersonalData: set(domain.Tristate(m.PersonalData)),
		RSITClass: set(m.RSITClass), RSITType: set(m.RSITType), ICOType: set(m.ICOType), Tags: set(m.Tags),
		Impact: domain.ImpactPatch{
			Confidentiality: set(domain.ImpactNote(m.Confidentiality)),
			Integrity:       set(domain.ImpactNote(m.Integrity)),
			Availability:    set(domain.ImpactNote(m.Availability)),
		},
	}
	return r
}

// set is a patch value the caller sets.
func set[T any](v T) domain.Opt[T] { return domain.Opt[T]{Set: true, Value: v} }

package service

import (
	"context"
	"regexp"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

var linkKind = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

// LinkIncidents relates two incidents (e.g. a phishing wave and the account compromise it
// caused). The caller must be able to change the first and see the second.
func (s *Service) LinkIncidents(ctx context.Context, p auth.Principal, ref, otherRef, kind string) (*domain.Incident, error) {
	kind = strings.TrimSpace(kind)
	if kind == "" {
		kind = "related"
	}
	if !linkKind.MatchString(kind) {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "kind", Message: "must be a short lower-case word such as related or caused_by"}}}
	}
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	other, err := s.authorize(ctx, p, otherRef, auth.ReadIncident)
	if err != nil {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "ref", Message: "no incident you may see has this reference"}}}
	}
	if other.ID == inc.ID {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "ref", Message: "an incident cannot be linked to itself"}}}
	}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Link(inc.ID, other.ID, kind, kind); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "incident.linked", inc, map[string]string{"ref": other.Ref, "kind": kind})); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "incident.linked", other, map[string]string{"ref": inc.Ref, "kind": kind}))
	})
	if err != nil {
		return nil, err
	}
	return s.store.IncidentByRef(ctx, s.orgID, inc.Ref)
}

// MergeIncident folds a duplicate report into the incident it duplicates. The merged record
// keeps its reference (references are never reused) and points at the one that continues.
func (s *Service) MergeIncident(ctx context.Context, p auth.Principal, ref, intoRef string, ifVersion int) (*domain.Incident, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	into, err := s.authorize(ctx, p, intoRef, auth.UpdateIncident)
	if err != nil {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "into", Message: "no incident you may change has this reference"}}}
	}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.IncidentByRef(s.orgID, inc.Ref)
		if err != nil {
			return err
		}
		target, err := tx.IncidentByRef(s.orgID, into.Ref)
		if err != nil {
			return err
		}
		if cur.Version != ifVersion {
			return store.ErrVersion
		}
		changes, err := domain.MergeInto(cur, target)
		if err != nil {
			return err
		}
		cur.Version++
		cur.UpdatedAt = domain.Instant(s.now())
		if err := tx.UpdateIncident(cur, ifVersion); err != nil {
			return err
		}
		if err := tx.SetMergedInto(cur.ID, target.ID); err != nil {
			return err
		}
		if err := tx.Link(cur.ID, target.ID, "merged_into", "merged_from"); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "incident.merged", cur, map[string]any{"changes": changes})); err != nil {
			return err
		}
		if err := s.syncClocks(tx, p, cur, false); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "incident.merge_received", target, map[string]string{"ref": cur.Ref}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return s.store.IncidentByRef(ctx, s.orgID, inc.Ref)
}

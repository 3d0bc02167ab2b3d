package service

import (
	"context"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// PeopleMatters is one version of an incident's people-matters record (seed 001 §5.3–5.4:
// the head of people supports staff and handles conduct; business continuity).
type PeopleMatters = store.PeopleMatters

// peopleMattersEvent is the only trace people matters leave in the record of events, which
// every reader of the incident sees: that the section changed, by whom and when, never what
// it says. The section's own versions keep the content and its history.
const peopleMattersEvent = "people_matters.updated"

// PeopleMatters lists every version of the record, newest first, for the people-matters
// role and approvers only.
func (s *Service) PeopleMatters(ctx context.Context, p auth.Principal, ref string) ([]*PeopleMatters, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadPeopleMatters)
	if err != nil {
		return nil, err
	}
	if err := s.viewed(ctx, p, inc, "people matters"); err != nil {
		return nil, err
	}
	list, err := s.store.PeopleMatters(ctx, inc.ID)
	if list == nil {
		list = []*PeopleMatters{}
	}
	return list, err
}

// SavePeopleMatters stores a new version of the record.
func (s *Service) SavePeopleMatters(ctx context.Context, p auth.Principal, ref, support, conduct, continuity string) (*PeopleMatters, error) {
	inc, err := s.authorize(ctx, p, ref, auth.EditPeopleMatters)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	checkText(v, "support", "Staff support", &support, domain.MaxShortText)
	checkText(v, "conduct", "Conduct", &conduct, domain.MaxShortText)
	checkText(v, "continuity", "Business continuity", &continuity, domain.MaxShortText)
	if support == "" && conduct == "" && continuity == "" {
		v.Add("support", "Enter staff support, conduct or business continuity notes")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	pm := &PeopleMatters{IncidentID: inc.ID, Support: support, Conduct: conduct, Continuity: continuity, UpdatedBy: p.Label(), UpdatedAt: domain.Instant(s.now())}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertPeopleMatters(s.orgID, pm); err != nil {
			return err
		}
		return tx.Append(s.entry(p, peopleMattersEvent, inc, struct{}{}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return pm, nil
}

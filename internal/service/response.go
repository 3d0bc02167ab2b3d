package service

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// Response is the handling of an incident after it is recorded (seed 001 annex one, §5, §7).

// ResponseAssessment is the annex one assessment: risk to the organisation, who to inform.
type ResponseAssessment = store.ResponseAssessment

// checkText trims a free-text answer and refuses one that is not plain text or too long.
func checkText(v *domain.ValidationError, field, label string, val *string, max int) {
	*val = strings.TrimSpace(*val)
	if !utf8.ValidString(*val) || strings.ContainsRune(*val, 0) || utf8.RuneCountInString(*val) > max {
		v.Add(field, label+" must be plain text of 5,000 characters or fewer")
	}
}

// ResponseAssessment reads an incident's assessment; an empty one when none was saved.
func (s *Service) ResponseAssessment(ctx context.Context, p auth.Principal, ref string) (*ResponseAssessment, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	a, err := s.store.ResponseAssessment(ctx, inc.ID)
	if errors.Is(err, store.ErrNotFound) {
		return &ResponseAssessment{IncidentID: inc.ID}, nil
	}
	return a, err
}

// SaveResponseAssessment records the risk to the organisation and who should be informed.
func (s *Service) SaveResponseAssessment(ctx context.Context, p auth.Principal, ref, risk, inform string) (*ResponseAssessment, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	checkText(v, "risk", "The risk to the organisation", &risk, domain.MaxShortText)
	checkText(v, "inform", "Who should be informed", &inform, domain.MaxShortText)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := &ResponseAssessment{IncidentID: inc.ID, Risk: risk, Inform: inform, UpdatedBy: p.Label(), UpdatedAt: domain.Instant(s.now())}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveResponseAssessment(s.orgID, a); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "response.assessed", inc, map[string]string{"risk": risk, "inform": inform}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return a, nil
}

// ActionInput is an action as a form or API client gives it. Owner is an e-mail address.
type ActionInput struct {
	Kind              string
	Title             string
	Owner             string
	DueAt             *time.Time
	Status            string
	Evidence          string
	AttachmentID      int64
	Effectiveness     string
	EffectivenessNote string
}

// actionOwner resolves an action owner's e-mail to a user who can see the incident.
func (s *Service) actionOwner(ctx context.Context, inc *domain.Incident, email string) (int64, string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return 0, "", nil
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return 0, "", invalid("owner", "No user has this e-mail address")
	}
	if err != nil {
		return 0, "", err
	}
	up, err := principalOf(u)
	if err != nil {
		return 0, "", err
	}
	sub, err := s.subject(ctx, up, inc)
	if err != nil {
		return 0, "", err
	}
	if u.Disabled || !auth.Can(up, auth.ReadIncident, sub) {
		return 0, "", invalid("owner", "The owner must be an active user who can see this incident")
	}
	return u.ID, u.Email, nil
}

// fill copies the input onto a, checking the owner and the evidence file.
func (s *Service) fill(ctx context.Context, inc *domain.Incident, a *domain.Action, in ActionInput, now time.Time) error {
	a.Kind, a.Title, a.Status, a.Evidence = in.Kind, in.Title, in.Status, in.Evidence
	a.Effectiveness, a.EffectivenessNote, a.AttachmentID = in.Effectiveness, in.EffectivenessNote, in.AttachmentID
	if a.Status == "" {
		a.Status = domain.ActionOpen
	}
	if in.DueAt != nil {
		t := domain.Instant(*in.DueAt)
		a.DueAt = &t
	} else {
		a.DueAt = nil
	}
	err := a.Validate()
	var v *domain.ValidationError
	if err != nil && !errors.As(err, &v) {
		return err
	}
	if v == nil {
		v = &domain.ValidationError{}
	}
	var bad *domain.ValidationError
	if a.OwnerID, a.Owner, err = s.actionOwner(ctx, inc, in.Owner); errors.As(err, &bad) {
		v.Fields = append(v.Fields, bad.Fields...)
	} else if err != nil {
		return err
	}
	if a.AttachmentID != 0 {
		if _, err := s.store.Attachment(ctx, inc.ID, a.AttachmentID); errors.Is(err, store.ErrNotFound) {
			v.Add("attachment_id", "Choose a file attached to this incident")
		} else if err != nil {
			return err
		}
	}
	switch {
	case a.Status == domain.ActionDone && a.DoneAt == nil:
		a.DoneAt = &now
	case a.Status != domain.ActionDone:
		a.DoneAt = nil
	}
	a.Overdue = a.IsOverdue(now)
	return v.Err()
}

func actionData(a *domain.Action) map[string]any {
	return map[string]any{"action": a.ID, "kind": a.Kind, "title": a.Title, "owner": a.Owner, "due_at": a.DueAt, "status": a.Status,
		"evidence": a.Evidence, "attachment_id": a.AttachmentID, "effectiveness": a.Effectiveness, "effectiveness_note": a.EffectivenessNote}
}

// AddAction records a containment, recovery, further or improvement action.
func (s *Service) AddAction(ctx context.Context, p auth.Principal, ref string, in ActionInput) (*domain.Action, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	now := domain.Instant(s.now())
	a := &domain.Action{IncidentID: inc.ID, Ref: inc.Ref, Exercise: inc.Exercise, CreatedBy: p.Label(), CreatedAt: now, UpdatedAt: now}
	if err := s.fill(ctx, inc, a, in, now); err != nil {
		return nil, err
	}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertAction(s.orgID, a); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "action.added", inc, actionData(a)))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return a, nil
}

// UpdateAction changes an action: its status, owner, due date, evidence or effectiveness.
func (s *Service) UpdateAction(ctx context.Context, p auth.Principal, ref string, id int64, in ActionInput) (*domain.Action, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	var out *domain.Action
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.Action(inc.ID, id)
		if err != nil {
			return err
		}
		now := domain.Instant(s.now())
		if err := s.fill(ctx, inc, a, in, now); err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := tx.UpdateAction(a); err != nil {
			return err
		}
		out = a
		return tx.Append(s.entry(p, "action.updated", inc, actionData(a)))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// Actions lists an incident's actions, each marked overdue when it is.
func (s *Service) Actions(ctx context.Context, p auth.Principal, ref string) ([]*domain.Action, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Actions(ctx, inc.ID)
	now := s.now()
	for _, a := range list {
		a.Overdue = a.IsOverdue(now)
	}
	if list == nil {
		list = []*domain.Action{}
	}
	return list, err
}

// MyActions lists the open actions p owns on incidents p can still see, earliest due first.
func (s *Service) MyActions(ctx context.Context, p auth.Principal) ([]*domain.Action, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	list, err := s.store.OpenActionsOwnedBy(ctx, p.UserID, 200)
	if err != nil {
		return nil, err
	}
	out := []*domain.Action{}
	now := s.now()
	seen := map[string]bool{}
	for _, a := range list {
		ok, known := seen[a.Ref]
		if !known {
			_, err := s.authorize(ctx, p, a.Ref, auth.ReadIncident)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return nil, err
			}
			ok = err == nil
			seen[a.Ref] = ok
		}
		if ok {
			a.Overdue = a.IsOverdue(now)
			out = append(out, a)
		}
	}
	return out, nil
}

// OverdueActions counts the overdue actions of each listed incident (the caller listed them
// through ListIncidents, so p may see them).
func (s *Service) OverdueActions(ctx context.Context, items []*domain.Incident) (map[int64]int, error) {
	ids := make([]int64, len(items))
	for i, inc := range items {
		ids[i] = inc.ID
	}
	return s.store.OverdueActions(ctx, ids, s.now())
}

// StatisticsOnly narrows a list or count to what statistics may include: exercises run the
// same workflow but never count (domain.InStatistics).
func StatisticsOnly(q ListQuery) ListQuery {
	no := false
	q.Exercise = &no
	return q
}

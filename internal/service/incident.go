package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/audit"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// CreateIncident records a new incident from a patch of the fields the caller gave.
func (s *Service) CreateIncident(ctx context.Context, p auth.Principal, in domain.Patch) (*domain.Incident, error) {
	if !auth.Can(p, auth.CreateIncident, nil) {
		return nil, domain.ErrForbidden
	}
	inc := &domain.Incident{OrgID: s.orgID, Channel: domain.ChannelAPI, ReporterUserID: p.UserID}
	if p.Kind == auth.KindUser {
		inc.Reporter = domain.Reporter{Name: p.Email, Contact: p.Email, Relationship: domain.RelStaff}
	}
	return s.create(ctx, p, inc, in, "", nil)
}

// create validates and stores a new incident; in may not set the status, which always
// starts at "new" so every record goes through triage (seed 001 §4). A non-nil
// also runs inside the creating transaction (e.g. to claim a report's files).
func (s *Service) create(ctx context.Context, p auth.Principal, inc *domain.Incident, in domain.Patch, statusTokenHash string,
	also func(*store.Tx, *domain.Incident) error) (*domain.Incident, error) {
	now := domain.Instant(s.now())
	inc.ReportedAt = now
	if in.Status.Set {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "status", Message: "a new incident always starts as new; change the status afterwards"}}}
	}
	// A report (it has a status link) leaves classification to the incident team.
	if fields := in.HasClassification(); statusTokenHash != "" && len(fields) > 0 {
		v := &domain.ValidationError{}
		for _, f := range fields {
			v.Add(f, "is decided by the incident team, not in a report")
		}
		return nil, v
	}
	if err := s.resolveSeverity(&in); err != nil {
		return nil, err
	}
	if in.Owner.Set && in.Owner.Value != "" {
		id, err := s.ownerID(ctx, in.Owner.Value)
		if err != nil {
			return nil, err
		}
		in.OwnerID = id
	}
	if _, err := domain.Apply(inc, in, now); err != nil {
		return nil, err
	}
	inc.Version, inc.CreatedAt, inc.UpdatedAt = 1, now, now
	// What internal/classify suggests goes with the incident for a handler to accept; it
	// never changes what the caller set.
	inc.Suggestion = suggest(inc, in.Example)
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		ref, err := tx.NextRef(s.orgID, inc.ReportedAt.Year())
		if err != nil {
			return err
		}
		inc.Ref = ref
		if err := tx.InsertIncident(inc, statusTokenHash); err != nil {
			return err
		}
		// Whoever records a restricted incident stays on its need-to-know list.
		if inc.Restricted && p.UserID != 0 {
			if err := tx.GrantAccess(inc.ID, p.UserID); err != nil {
				return err
			}
		}
		if err := tx.Append(s.entry(p, "incident.created", inc, inc)); err != nil {
			return err
		}
		if err := s.syncClocks(tx, p, inc, true); err != nil {
			return err
		}
		if err := s.startPlaybooks(tx, p, inc); err != nil {
			return err
		}
		if also != nil {
			return also(tx, inc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recording incident: %w", err)
	}
	return inc, nil
}

// ownerID resolves an investigating officer's e-mail; they must be able to work incidents.
func (s *Service) ownerID(ctx context.Context, email string) (int64, error) {
	bad := func(msg string) error {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "owner", Message: msg}}}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return 0, bad("no user has this e-mail address")
	}
	if err != nil {
		return 0, err
	}
	roles, _ := auth.ParseRoles(u.Roles)
	op := auth.Principal{UserID: u.ID, OrgID: u.OrgID, Roles: roles}
	if u.Disabled || !auth.Can(op, auth.UpdateIncident, &auth.Subject{OrgID: u.OrgID}) {
		return 0, bad("the investigating officer must be an active handler, DPO or approver")
	}
	return u.ID, nil
}

// subject loads what the authoriser needs to know about an incident for p.
func (s *Service) subject(ctx context.Context, p auth.Principal, inc *domain.Incident) (*auth.Subject, error) {
	sub := &auth.Subject{OrgID: inc.OrgID, Restricted: inc.Restricted, ReporterUserID: inc.ReporterUserID, OwnerID: inc.OwnerID}
	if inc.Restricted && p.UserID != 0 {
		named, err := s.store.IsNamed(ctx, inc.ID, p.UserID)
		if err != nil {
			return nil, err
		}
		sub.Named = named
	}
	return sub, nil
}

// authorize loads an incident and checks p may do a to it. A refused read looks like a
// missing incident, so references of restricted incidents do not leak.
func (s *Service) authorize(ctx context.Context, p auth.Principal, ref string, a auth.Action) (*domain.Incident, error) {
	inc, err := s.store.IncidentByRef(ctx, s.orgID, strings.ToUpper(strings.TrimSpace(ref)))
	if err != nil {
		return nil, mapErr(err)
	}
	sub, err := s.subject(ctx, p, inc)
	if err != nil {
		return nil, err
	}
	if !auth.Can(p, auth.ReadIncident, sub) {
		return nil, domain.ErrNotFound
	}
	if !auth.Can(p, a, sub) {
		return nil, domain.ErrForbidden
	}
	return inc, nil
}

// viewed records that someone looked at a restricted incident (seed 001 annex four: an
// audit trail of all action taken; need-to-know access is itself worth auditing).
func (s *Service) viewed(ctx context.Context, p auth.Principal, inc *domain.Incident, what string) error {
	if !inc.Restricted {
		return nil
	}
	return s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "incident.viewed", inc, map[string]string{"view": what}))
	})
}

// Incident returns one incident.
func (s *Service) Incident(ctx context.Context, p auth.Principal, ref string) (*domain.Incident, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	if err := s.viewed(ctx, p, inc, "incident"); err != nil {
		return nil, err
	}
	return inc, nil
}

// UpdateIncident applies a patch if the caller's version is current (no lost updates).
func (s *Service) UpdateIncident(ctx context.Context, p auth.Principal, ref string, in domain.Patch, ifVersion int) (*domain.Incident, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	if err := s.resolveSeverity(&in); err != nil {
		return nil, err
	}
	if in.Owner.Set && in.Owner.Value != "" {
		if in.OwnerID, err = s.ownerID(ctx, in.Owner.Value); err != nil {
			return nil, err
		}
	}
	var out *domain.Incident
	var held *Approval
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.IncidentByRef(s.orgID, inc.Ref)
		if err != nil {
			return err
		}
		if cur.Version != ifVersion {
			return store.ErrVersion
		}
		now := domain.Instant(s.now())
		changes, err := domain.Apply(cur, in, now)
		if err != nil {
			return err
		}
		// Closing may wait for an approver or the lessons-learnt review (approval.go).
		if held, err = s.closeGate(ctx, tx, p, cur, changes); err != nil || held != nil {
			return err
		}
		out = cur
		if len(changes) == 0 {
			return nil
		}
		cur.Version++
		cur.UpdatedAt = now
		if err := tx.UpdateIncident(cur, ifVersion); err != nil {
			return err
		}
		if cur.Restricted && cur.OwnerID != 0 {
			if err := tx.GrantAccess(cur.ID, cur.OwnerID); err != nil {
				return err
			}
		}
		// Whoever restricts an incident stays able to see it.
		if cur.Restricted && in.Restricted.Set && p.UserID != 0 {
			if err := tx.GrantAccess(cur.ID, p.UserID); err != nil {
				return err
			}
		}
		data := map[string]any{"changes": changes}
		if in.Reason != "" {
			data["reason"] = in.Reason
		}
		if err := tx.Append(s.entry(p, "incident.updated", cur, data)); err != nil {
			return err
		}
		if err := s.startPlaybooks(tx, p, cur); err != nil {
			return err
		}
		return s.syncClocks(tx, p, cur, false)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	if held != nil {
		return nil, &ApprovalPending{Approval: held}
	}
	out.Links = inc.Links
	return out, nil
}

// Name puts a user on a restricted incident's need-to-know list.
func (s *Service) Name(ctx context.Context, p auth.Principal, ref, email string) error {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "email", Message: "no user has this e-mail address"}}}
	}
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.GrantAccess(inc.ID, u.ID); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "incident.access_granted", inc, map[string]string{"user": u.Email}))
	})
}

// ListQuery is a list request in the caller's terms.
type ListQuery struct {
	store.Filter
	OwnerEmail string // "me", an e-mail, or "none"
}

// filterFor turns a list query into a store filter limited to what p may see. ok is false
// when the filter can match nothing (an unknown owner).
func (s *Service) filterFor(ctx context.Context, p auth.Principal, q ListQuery) (store.Filter, bool, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return store.Filter{}, false, domain.ErrForbidden
	}
	f := q.Filter
	f.OrgID = s.orgID
	switch strings.ToLower(q.OwnerEmail) {
	case "":
	case "me":
		f.OwnerID = p.UserID
	case "none":
		f.OwnerID = -1
	default:
		u, err := s.store.UserByEmail(ctx, q.OwnerEmail)
		if errors.Is(err, store.ErrNotFound) {
			return f, false, nil
		}
		if err != nil {
			return f, false, err
		}
		f.OwnerID = u.ID
	}
	// Lists apply the same visibility rule as auth.Can does for single incidents.
	switch auth.VisibilityOf(p) {
	case auth.SeeAll:
	case auth.SeeUnrestricted:
		f.HideRestricted, f.HideRestrictedFor = true, p.UserID
	case auth.SeeOwnReports:
		f.OnlyReporter = p.UserID
		f.HideRestricted, f.HideRestrictedFor = true, p.UserID
	default:
		return f, false, domain.ErrForbidden
	}
	return f, true, nil
}

// ListIncidents returns a page of the incidents p may see.
func (s *Service) ListIncidents(ctx context.Context, p auth.Principal, q ListQuery) ([]*domain.Incident, *store.Cursor, error) {
	f, ok, err := s.filterFor(ctx, p, q)
	if err != nil || !ok {
		return []*domain.Incident{}, nil, err
	}
	items, next, err := s.store.ListIncidents(ctx, f)
	if items == nil {
		items = []*domain.Incident{}
	}
	return items, next, err
}

// CountIncidents counts, per triage class, the incidents p may see that match q, up to
// store.CountCap each.
func (s *Service) CountIncidents(ctx context.Context, p auth.Principal, q ListQuery) (map[string]int, error) {
	f, ok, err := s.filterFor(ctx, p, q)
	if err != nil || !ok {
		return map[string]int{}, err
	}
	return s.store.CountByClass(ctx, f)
}

// Assignee is someone who can be named investigating officer.
type Assignee struct{ Email, Name string }

// Assignees lists the people who can own incidents (seed 001 §3.5: the SIRO nominates an
// officer, usually the DPO).
func (s *Service) Assignees(ctx context.Context, p auth.Principal) ([]Assignee, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	users, err := s.store.Users(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	var out []Assignee
	for _, u := range users {
		up, err := principalOf(u)
		if err == nil && !u.Disabled && auth.Can(up, auth.UpdateIncident, &auth.Subject{OrgID: u.OrgID}) {
			out = append(out, Assignee{Email: u.Email, Name: u.Name})
		}
	}
	return out, nil
}

// IncidentEvents returns an incident's record of events.
func (s *Service) IncidentEvents(ctx context.Context, p auth.Principal, ref string) ([]*audit.Entry, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadEvents)
	if err != nil {
		return nil, err
	}
	if err := s.viewed(ctx, p, inc, "events"); err != nil {
		return nil, err
	}
	return s.store.IncidentEvents(ctx, inc.ID)
}

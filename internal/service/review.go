package service

import (
	"context"
	"errors"
	"strings"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// Review is an incident's lessons-learnt review (seed 001 §7; seed 003: lessons-learnt
// exercises). Improvement actions are actions of kind "improvement".
type Review = store.Review

// ReviewInput is the review form.
type ReviewInput struct {
	AssetsReviewed, PoliciesReviewed, TrainingReviewed bool
	AssetsNote, PoliciesNote, TrainingNote             string
	WentWell, WentBadly                                string
	// Complete marks the review done; it then needs every checklist item and both answers.
	Complete bool
}

// Review reads an incident's review; an empty one when none was saved.
func (s *Service) Review(ctx context.Context, p auth.Principal, ref string) (*Review, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	r, err := s.store.Review(ctx, inc.ID)
	if errors.Is(err, store.ErrNotFound) {
		return &Review{IncidentID: inc.ID}, nil
	}
	return r, err
}

// SaveReview stores the review. Completing it lets a confirmed incident close, and closes it
// straight away when an approver has already approved the close.
func (s *Service) SaveReview(ctx context.Context, p auth.Principal, ref string, in ReviewInput) (*Review, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	checkText(v, "assets_note", "The note on the information asset register", &in.AssetsNote, domain.MaxShortText)
	checkText(v, "policies_note", "The note on policies and procedures", &in.PoliciesNote, domain.MaxShortText)
	checkText(v, "training_note", "The note on awareness and training", &in.TrainingNote, domain.MaxShortText)
	checkText(v, "went_well", "What went well", &in.WentWell, domain.MaxShortText)
	checkText(v, "went_badly", "What did not go well", &in.WentBadly, domain.MaxShortText)
	if in.Complete {
		if !in.AssetsReviewed || !in.PoliciesReviewed || !in.TrainingReviewed {
			v.Add("checklist", "Review the information asset register, the policies and procedures, and awareness and training before completing the review")
		}
		if in.WentWell == "" {
			v.Add("went_well", "Enter what went well")
		}
		if in.WentBadly == "" {
			v.Add("went_badly", "Enter what did not go well, or say that nothing did")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Review
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		r, err := reviewOrNew(tx, inc.ID)
		if err != nil {
			return err
		}
		now := domain.Instant(s.now())
		r.AssetsReviewed, r.PoliciesReviewed, r.TrainingReviewed = in.AssetsReviewed, in.PoliciesReviewed, in.TrainingReviewed
		r.AssetsNote, r.PoliciesNote, r.TrainingNote, r.WentWell, r.WentBadly = in.AssetsNote, in.PoliciesNote, in.TrainingNote, in.WentWell, in.WentBadly
		switch {
		case in.Complete && !r.Completed:
			r.Completed, r.CompletedBy, r.CompletedAt = true, p.Label(), &now
		case !in.Complete:
			r.Completed, r.CompletedBy, r.CompletedAt = false, "", nil
		}
		r.UpdatedBy, r.UpdatedAt = p.Label(), now
		if err := tx.SaveReview(s.orgID, r); err != nil {
			return err
		}
		out = r
		if err := tx.Append(s.entry(p, "review.saved", inc, r)); err != nil {
			return err
		}
		return s.closeApproved(tx, p, inc.Ref)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// WaiveReview lets a confirmed incident close without a review; only an approver may, and
// must say why.
func (s *Service) WaiveReview(ctx context.Context, p auth.Principal, ref, reason string) (*Review, error) {
	inc, err := s.authorize(ctx, p, ref, auth.DecideApproval)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	v := &domain.ValidationError{}
	if reason == "" {
		v.Add("waiver_reason", "Explain why this incident needs no review")
	} else {
		checkText(v, "waiver_reason", "The reason", &reason, domain.MaxShortText)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Review
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		r, err := reviewOrNew(tx, inc.ID)
		if err != nil {
			return err
		}
		now := domain.Instant(s.now())
		r.Waived, r.WaiverReason, r.WaivedBy, r.WaivedAt = true, reason, p.Label(), &now
		r.UpdatedBy, r.UpdatedAt = p.Label(), now
		if err := tx.SaveReview(s.orgID, r); err != nil {
			return err
		}
		out = r
		if err := tx.Append(s.entry(p, "review.waived", inc, map[string]string{"reason": reason})); err != nil {
			return err
		}
		return s.closeApproved(tx, p, inc.Ref)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// closeApproved closes the incident if an approved close was waiting for its review.
func (s *Service) closeApproved(tx *store.Tx, p auth.Principal, ref string) error {
	cur, err := tx.IncidentByRef(s.orgID, ref)
	if err != nil {
		return err
	}
	a, err := tx.OutstandingApproval(cur.ID, string(approval.CloseIncident))
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.State != string(approval.Approved)) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.closeIfReady(tx, p, cur, a)
}

// reviewAllowsClose says whether an incident's review lets it close: only confirmed
// incidents need one (seed 001 §7 "after every incident"); it must be completed or waived.
func (s *Service) reviewAllowsClose(tx *store.Tx, inc *domain.Incident) error {
	if inc.Class != domain.ClassIncident {
		return nil
	}
	r, err := tx.Review(inc.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if r != nil && err == nil && (r.Completed || r.Waived) {
		return nil
	}
	return invalid("status", "Complete the lessons-learnt review before closing this incident, or ask an approver to waive it")
}

// reviewOrNew reads an incident's review, or starts one when there is none yet.
func reviewOrNew(tx *store.Tx, incidentID int64) (*Review, error) {
	r, err := tx.Review(incidentID)
	if errors.Is(err, store.ErrNotFound) {
		return &Review{IncidentID: incidentID}, nil
	}
	return r, err
}

package service

import (
	"context"
	"errors"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// WithdrawApproval lets whoever asked take back a request nobody has decided yet, e.g. a close
// asked for too early. The change it held never happened, so nothing is undone; the
// withdrawal is in the record of events like a decision.
func (s *Service) WithdrawApproval(ctx context.Context, p auth.Principal, id int64) (*Approval, error) {
	a, err := s.store.Approval(ctx, s.orgID, id)
	if err != nil {
		return nil, mapErr(err)
	}
	if _, err := s.authorize(ctx, p, a.Ref, readAction(approval.Kind(a.Kind))); err != nil {
		return nil, err
	}
	var out *Approval
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.Approval(s.orgID, id)
		if err != nil {
			return err
		}
		if err := approval.CheckWithdrawal(approval.Request{Kind: approval.Kind(cur.Kind), State: approval.State(cur.State), RequestedByID: cur.RequestedByID}, p.UserID); err != nil {
			var pr *approval.Problem
			switch {
			case errors.Is(err, approval.ErrNotRequester):
				return domain.ErrForbidden
			case errors.As(err, &pr):
				return invalid(pr.Field, pr.Message)
			}
			return err
		}
		now := domain.Instant(s.now())
		cur.State, cur.DecidedBy, cur.DecidedAt, cur.Comment = string(approval.Withdrawn), p.Label(), &now, "withdrawn by the person who asked"
		if err := tx.DecideApproval(cur); err != nil {
			return err
		}
		inc, err := tx.IncidentByRef(s.orgID, cur.Ref)
		if err != nil {
			return err
		}
		out = cur
		return tx.Append(s.approvalEntry(p, "approval.withdrawn", inc, cur))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/audit"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Approval is a request for an approver's decision.
type Approval = store.Approval

// ApprovalPending is returned when a change was not made but sent to the approvers
// instead; nothing changed yet. Callers answer "sent for approval" (the API: 202).
type ApprovalPending struct{ Approval *Approval }

func (e *ApprovalPending) Error() string {
	return fmt.Sprintf("sent for approval (request %d): nothing changes until an approver approves it", e.Approval.ID)
}

// EventApprovalRequested is the outbox payload event of an e-mail asking approvers to decide.
const EventApprovalRequested = "approval.requested"

// ApprovalMail is the outbox payload of that e-mail. Like escalations it names the incident
// by reference and title only (the title only up to TLP:AMBER); the request itself is read
// in Vigil.
type ApprovalMail struct {
	Event    string `json:"event"`
	Ref      string `json:"ref"`
	Title    string `json:"title"`
	Kind     string `json:"kind"` // the kind's label
	Exercise bool   `json:"exercise"`
	Path     string `json:"path"` // the approvals page, relative to Vigil's address
}

const approvalSettingsKey = "approvals"

// approvalSettings reads the organisation's approval rules. The breach decision's rule is
// the breach sign-off setting, so the two never disagree.
func (s *Service) approvalSettings(read func(int64, string) (string, error)) (approval.Settings, error) {
	raw, err := read(s.orgID, approvalSettingsKey)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return approval.Settings{}, err
	}
	st, err := approval.Decode(raw)
	if err != nil {
		return st, err
	}
	bs, err := decodeBreachSettings(read(s.orgID, breachSettingsKey))
	if err != nil {
		return st, err
	}
	st.Require[approval.BreachDecision] = bs.SignOffRequired
	return st, nil
}

// ApprovalSettings says which kinds of change need approval in this organisation.
func (s *Service) ApprovalSettings(ctx context.Context, p auth.Principal) (approval.Settings, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return approval.Settings{}, domain.ErrForbidden
	}
	return s.approvalSettings(func(org int64, key string) (string, error) { return s.store.Setting(ctx, org, key) })
}

// ApprovalRequired says whether a change of kind k waits for an approver; the public
// statements feature asks it before publishing.
func (s *Service) ApprovalRequired(ctx context.Context, p auth.Principal, k approval.Kind) (bool, error) {
	st, err := s.ApprovalSettings(ctx, p)
	return st.Needs(k), err
}

// SetApprovalSettings changes which kinds need approval. The breach decision is switched
// with the breach sign-off setting (SetBreachSettings) and is ignored here.
func (s *Service) SetApprovalSettings(ctx context.Context, p auth.Principal, st approval.Settings) error {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return domain.ErrForbidden
	}
	keep := approval.Settings{Require: map[approval.Kind]bool{}}
	for k, v := range st.Require {
		if k.Valid() && k != approval.BreachDecision {
			keep.Require[k] = v
		}
	}
	raw, _ := json.Marshal(keep)
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(s.orgID, approvalSettingsKey, string(raw)); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "settings.approvals_changed", nil, keep))
	})
}

// approvalAction is the authorisation a kind of request needs to be made and read.
func approvalAction(k approval.Kind) auth.Action {
	if k.Restricted() {
		return auth.EditPeopleMatters
	}
	return auth.UpdateIncident
}

func invalid(field, msg string) error {
	return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: msg}}}
}

// RequestApproval asks the approvers to decide a change of kind k (a public statement, a
// suspension). The caller applies the change only once Approval reports it approved.
// Closing goes through UpdateIncident and breach decisions through Decide, which raise
// their own requests.
func (s *Service) RequestApproval(ctx context.Context, p auth.Principal, ref string, k approval.Kind, summary string) (*Approval, error) {
	if !k.Valid() || k == approval.CloseIncident || k == approval.BreachDecision {
		return nil, invalid("kind", "Choose suspend_staff or public_statement; close an incident by changing its status, and decide a breach on its assessment")
	}
	inc, err := s.authorize(ctx, p, ref, approvalAction(k))
	if err != nil {
		return nil, err
	}
	summary = strings.TrimSpace(summary)
	if summary == "" || !utf8.ValidString(summary) || utf8.RuneCountInString(summary) > domain.MaxShortText {
		return nil, invalid("summary", "Describe what you are asking the approver to agree to, in 5,000 characters or fewer")
	}
	approvers, err := s.approvers(ctx)
	if err != nil {
		return nil, err
	}
	var out *Approval
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		out, err = s.request(tx, p, inc, k, summary, approvers)
		return err
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// approvers are the active approvers' addresses, who are e-mailed about new requests.
func (s *Service) approvers(ctx context.Context) ([]*store.User, error) {
	users, err := s.store.Users(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	var out []*store.User
	for _, u := range users {
		if up, err := principalOf(u); err == nil && !u.Disabled && up.Has(auth.RoleApprover) {
			out = append(out, u)
		}
	}
	return out, nil
}

// request stores a pending request, records it and queues an e-mail to every approver but
// the requester. The outbox keeps the e-mail until the SMTP relay is configured.
func (s *Service) request(tx *store.Tx, p auth.Principal, inc *domain.Incident, k approval.Kind, summary string, approvers []*store.User) (*Approval, error) {
	now := domain.Instant(s.now())
	a := &Approval{IncidentID: inc.ID, Ref: inc.Ref, Kind: string(k), Summary: summary, Payload: "{}", State: string(approval.Pending),
		RequestedByID: p.UserID, RequestedBy: p.Label(), RequestedAt: now}
	if err := tx.InsertApproval(s.orgID, a); err != nil {
		return nil, err
	}
	if err := tx.Append(s.approvalEntry(p, "approval.requested", inc, a)); err != nil {
		return nil, err
	}
	title := inc.Title
	if !taxonomy.TLPAllows(inc.TLP, EscalationAudience) {
		title = "(title withheld: TLP:" + strings.ToUpper(inc.TLP) + ")"
	}
	payload, _ := json.Marshal(ApprovalMail{Event: EventApprovalRequested, Ref: inc.Ref, Title: title, Kind: k.Label(), Exercise: inc.Exercise, Path: "/approvals"})
	for _, u := range approvers {
		if u.ID == p.UserID {
			continue
		}
		if _, err := tx.Enqueue(&store.OutboxItem{OrgID: s.orgID, DedupeKey: fmt.Sprintf("approval/%d/%s", a.ID, u.Email), Kind: KindEmail,
			Target: u.Email, Payload: string(payload), NextAttemptAt: now, CreatedAt: now}); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// approvalEntry is the record-of-events entry of a request or decision. A people-matters
// request says only that the section changed: the record of events is read by everyone who
// can see the incident, and the request's content stays in the restricted section.
func (s *Service) approvalEntry(p auth.Principal, action string, inc *domain.Incident, a *Approval) *audit.Entry {
	if approval.Kind(a.Kind).Restricted() {
		return s.entry(p, peopleMattersEvent, inc, struct{}{})
	}
	data := map[string]any{"approval": a.ID, "kind": a.Kind, "summary": a.Summary}
	if a.State != string(approval.Pending) {
		data = map[string]any{"approval": a.ID, "kind": a.Kind, "state": a.State, "comment": a.Comment}
	}
	return s.entry(p, action, inc, data)
}

// Approval reads one request, if p may see it.
func (s *Service) Approval(ctx context.Context, p auth.Principal, id int64) (*Approval, error) {
	a, err := s.store.Approval(ctx, s.orgID, id)
	if err != nil {
		return nil, mapErr(err)
	}
	if _, err := s.authorize(ctx, p, a.Ref, readAction(approval.Kind(a.Kind))); err != nil {
		return nil, err
	}
	return a, nil
}

// readAction is what reading a request of kind k needs.
func readAction(k approval.Kind) auth.Action {
	if k.Restricted() {
		return auth.ReadPeopleMatters
	}
	return auth.ReadIncident
}

// IncidentApprovals lists an incident's requests that p may read, oldest first:
// people-matters requests only for those who may read that section.
func (s *Service) IncidentApprovals(ctx context.Context, p auth.Principal, ref string) ([]*Approval, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Approvals(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	return s.readable(ctx, p, all, map[string]*domain.Incident{inc.Ref: inc})
}

// readable keeps the requests p may read. seen caches incidents already authorised.
func (s *Service) readable(ctx context.Context, p auth.Principal, all []*Approval, seen map[string]*domain.Incident) ([]*Approval, error) {
	out := []*Approval{}
	for _, a := range all {
		inc, ok := seen[a.Ref]
		if !ok {
			var err error
			inc, err = s.authorize(ctx, p, a.Ref, auth.ReadIncident)
			if errors.Is(err, domain.ErrNotFound) {
				seen[a.Ref] = nil
				continue
			}
			if err != nil {
				return nil, err
			}
			seen[a.Ref] = inc
		}
		if inc == nil {
			continue
		}
		sub, err := s.subject(ctx, p, inc)
		if err != nil {
			return nil, err
		}
		if auth.Can(p, readAction(approval.Kind(a.Kind)), sub) {
			out = append(out, a)
		}
	}
	return out, nil
}

// BreachSignOff is an incident whose breach decision waits for an approver; the approvals
// list shows it next to the other requests, and it is decided with Approve.
type BreachSignOff struct {
	Ref      string                `json:"ref"`
	Title    string                `json:"title"`
	Exercise bool                  `json:"exercise"`
	Decision *store.BreachDecision `json:"decision"`
}

// Waiting is what waits for an approver: requests and breach sign-offs.
type Waiting struct {
	Requests        []*Approval      `json:"requests"`
	BreachDecisions []*BreachSignOff `json:"breach_decisions"`
	CanDecide       bool             `json:"can_decide"`
}

// PendingApprovals lists what waits for a decision. Approvers get every pending request on
// the incidents they can see; everyone else gets the requests they made themselves.
func (s *Service) PendingApprovals(ctx context.Context, p auth.Principal) (*Waiting, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	all, err := s.store.PendingApprovals(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	decider := p.Kind == auth.KindSystem || p.Has(auth.RoleApprover)
	if !decider {
		mine := all[:0]
		for _, a := range all {
			if p.UserID != 0 && a.RequestedByID == p.UserID {
				mine = append(mine, a)
			}
		}
		all = mine
	}
	seen := map[string]*domain.Incident{}
	w := &Waiting{BreachDecisions: []*BreachSignOff{}, CanDecide: decider}
	if w.Requests, err = s.readable(ctx, p, all, seen); err != nil {
		return nil, err
	}
	if !decider {
		return w, nil
	}
	refs, err := s.store.PendingBreachSignOffs(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		inc, err := s.authorize(ctx, p, ref, auth.ApproveBreach)
		if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrForbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ds, err := s.store.BreachDecisions(ctx, inc.ID)
		if err != nil {
			return nil, err
		}
		w.BreachDecisions = append(w.BreachDecisions, &BreachSignOff{Ref: inc.Ref, Title: inc.Title, Exercise: inc.Exercise, Decision: ds[0]})
	}
	return w, nil
}

// DecideApproval approves or rejects a pending request. Nobody decides their own request;
// a rejection needs a comment. An approved change takes effect in the same transaction
// when nothing else holds it (a close also waits for the lessons-learnt review).
func (s *Service) DecideApproval(ctx context.Context, p auth.Principal, id int64, approve bool, comment string) (*Approval, error) {
	a, err := s.store.Approval(ctx, s.orgID, id)
	if err != nil {
		return nil, mapErr(err)
	}
	k := approval.Kind(a.Kind)
	inc, err := s.authorize(ctx, p, a.Ref, readAction(k))
	if err != nil {
		return nil, err
	}
	sub, err := s.subject(ctx, p, inc)
	if err != nil {
		return nil, err
	}
	if !auth.Can(p, auth.DecideApproval, sub) {
		return nil, domain.ErrForbidden
	}
	comment = strings.TrimSpace(comment)
	var out *Approval
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.Approval(s.orgID, id)
		if err != nil {
			return err
		}
		d := approval.Decider{UserID: p.UserID, System: p.Kind == auth.KindSystem}
		if err := approval.CheckDecision(approval.Request{Kind: k, State: approval.State(cur.State), RequestedByID: cur.RequestedByID}, d, approve, comment); err != nil {
			var pr *approval.Problem
			if errors.As(err, &pr) {
				return invalid(pr.Field, pr.Message)
			}
			return err
		}
		now := domain.Instant(s.now())
		cur.State, cur.DecidedBy, cur.DecidedAt, cur.Comment = string(approval.Outcome(approve)), p.Label(), &now, comment
		if err := tx.DecideApproval(cur); err != nil {
			return err
		}
		i, err := tx.IncidentByRef(s.orgID, cur.Ref)
		if err != nil {
			return err
		}
		if err := tx.Append(s.approvalEntry(p, "approval."+cur.State, i, cur)); err != nil {
			return err
		}
		out = cur
		if approve && k == approval.CloseIncident {
			return s.closeIfReady(tx, p, i, cur)
		}
		return nil
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// closeGate runs inside UpdateIncident after the patch was applied to inc. A change to
// closed must wait for an approver when the organisation says so (the request is returned
// and nothing is written) and needs a completed or waived lessons-learnt review for a
// confirmed incident (seed 001 §7). An approved request is used up by the close.
func (s *Service) closeGate(ctx context.Context, tx *store.Tx, p auth.Principal, inc *domain.Incident, changes []domain.Change) (*Approval, error) {
	closing := false
	for _, c := range changes {
		closing = closing || (c.Field == "status" && c.After == domain.StatusClosed)
	}
	if !closing {
		return nil, nil
	}
	st, err := s.approvalSettings(tx.Setting)
	if err != nil {
		return nil, err
	}
	out, err := tx.OutstandingApproval(inc.ID, string(approval.CloseIncident))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if st.Needs(approval.CloseIncident) {
		switch {
		case out != nil && out.State == string(approval.Pending):
			return nil, invalid("status", "A request to close this incident is already waiting for an approver")
		case out == nil:
			for _, c := range changes {
				if c.Field != "status" && c.Field != "resolved_at" && c.Field != "closed_at" {
					return nil, invalid("status", "Closing needs an approver: change the status on its own, then make the other changes")
				}
			}
			approvers, err := s.approvers(ctx)
			if err != nil {
				return nil, err
			}
			return s.request(tx, p, inc, approval.CloseIncident, "Close "+inc.Ref+": "+inc.Title, approvers)
		}
	}
	if err := s.reviewAllowsClose(tx, inc); err != nil {
		return nil, err
	}
	if out != nil && out.State == string(approval.Approved) {
		return nil, tx.MarkApplied(out.ID, domain.Instant(s.now()))
	}
	return nil, nil
}

// closeIfReady closes an incident whose close was approved, once its review allows it and
// its status still leads to closed; otherwise the approval waits (the review's completion
// calls it again).
func (s *Service) closeIfReady(tx *store.Tx, p auth.Principal, inc *domain.Incident, a *Approval) error {
	if !domain.CanTransition(inc.Status, domain.StatusClosed) || s.reviewAllowsClose(tx, inc) != nil {
		return nil
	}
	now := domain.Instant(s.now())
	prev := inc.Version
	changes, err := domain.Apply(inc, domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: domain.StatusClosed}}, now)
	if err != nil {
		return err
	}
	inc.Version++
	inc.UpdatedAt = now
	if err := tx.UpdateIncident(inc, prev); err != nil {
		return err
	}
	if err := tx.MarkApplied(a.ID, now); err != nil {
		return err
	}
	reason := fmt.Sprintf("closing approved by %s (request %d)", a.DecidedBy, a.ID)
	if err := tx.Append(s.entry(p, "incident.updated", inc, map[string]any{"changes": changes, "reason": reason})); err != nil {
		return err
	}
	return s.syncClocks(tx, p, inc, false)
}

package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Escalation is what an escalation message says; it is the outbox payload for both e-mail
// and webhooks. It names the incident by reference and title only: messages leave Vigil.
type Escalation struct {
	Event     string    `json:"event"` // "clock.escalation"
	Ref       string    `json:"ref"`
	Title     string    `json:"title"`
	Clock     string    `json:"clock"`
	Rule      string    `json:"rule"`
	Scope     string    `json:"scope,omitempty"`
	Threshold int       `json:"threshold"` // percent of the window; 100 is expiry
	DueAt     time.Time `json:"due_at"`
	State     string    `json:"state"`
	Exercise  bool      `json:"exercise"`
	Path      string    `json:"path"` // the incident page, relative to Vigil's address
}

// EscalationAudience is the TLP level escalation messages may carry: the organisation and
// those it works with (e-mail relays, chat webhooks).
const EscalationAudience = "amber"

// Outbox item kinds.
const (
	KindEmail   = "email"
	KindWebhook = "webhook"
)

// EscalateBatch is how many due clocks one pass takes: small enough that a pass stays
// under 100 ms on PostgreSQL; when more are due, passes follow back to back.
const EscalateBatch = 100

// EscalatePass queues the escalations that have fallen due, up to limit clocks, and moves
// each clock to its next threshold. Each (clock, threshold, recipient) is queued once, also
// when several nodes run passes at the same time.
func (s *Service) EscalatePass(ctx context.Context, limit int) (int, error) {
	now := s.now()
	queued := 0
	sys := s.System()
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		queued = 0
		due, err := tx.DueClocks(now, limit)
		if err != nil || len(due) == 0 {
			return err
		}
		cs, err := decodeSettings(tx.Setting(s.orgID, clockSettingsKey))
		if err != nil {
			return err
		}
		staff, err := s.escalationStaff(ctx)
		if err != nil {
			return err
		}
		for _, c := range due {
			inc := &domain.Incident{ID: c.IncidentID, Ref: c.Ref, Title: c.Title, Owner: c.Owner}
			// Reminders leave Vigil (a relay, a chat webhook): a title marked above TLP:AMBER
			// stays behind and the reference alone points the reader to Vigil.
			if !taxonomy.TLPAllows(c.TLP, EscalationAudience) {
				inc.Title = "(title withheld: TLP:" + strings.ToUpper(c.TLP) + ")"
			}
			threshold := c.NextThreshold
			state := c.State
			if threshold >= 100 {
				state = clocks.Missed
			}
			esc := Escalation{Event: "clock.escalation", Ref: inc.Ref, Title: inc.Title, Clock: c.Label, Rule: c.Rule, Scope: c.Scope,
				Threshold: threshold, DueAt: c.DueAt, State: state, Exercise: c.Exercise, Path: "/incidents/" + inc.Ref}
			payload, _ := json.Marshal(esc)
			targets := map[string]string{} // target -> kind
			if inc.Owner != "" {
				targets[inc.Owner] = KindEmail
			}
			for _, e := range staff {
				targets[e] = KindEmail
			}
			for _, w := range cs.Webhooks {
				targets[w.URL] = KindWebhook
			}
			var sent []string
			for target, kind := range targets {
				ok, err := tx.Enqueue(&store.OutboxItem{OrgID: c.OrgID, DedupeKey: fmt.Sprintf("esc/%d/%d/%s/%s", c.ID, threshold, kind, target),
					Kind: kind, Target: target, Payload: string(payload), NextAttemptAt: now, CreatedAt: now})
				if err != nil {
					return err
				}
				if ok {
					queued++
					sent = append(sent, target)
				}
			}
			clocks.Escalate(&c.Clock, cs.Thresholds, threshold, now)
			if err := tx.AdvanceClock(c, threshold, now); err != nil {
				return err
			}
			if err := tx.Append(s.entry(sys, "clock.escalated", inc, map[string]any{"clock": clocks.Key(c.Rule, c.Scope), "threshold": threshold, "to": sent})); err != nil {
				return err
			}
		}
		return nil
	})
	return queued, err
}

// escalationStaff are the DPOs and approvers, who hear of every escalation (seed 001 §3.5,
// §6.2: the DPO informs the chief executive).
func (s *Service) escalationStaff(ctx context.Context) ([]string, error) {
	users, err := s.store.Users(ctx, s.orgID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		p, err := principalOf(u)
		if err == nil && !u.Disabled && (p.Has(auth.RoleDPO) || p.Has(auth.RoleApprover)) {
			out = append(out, u.Email)
		}
	}
	return out, nil
}

// Delivery is the outcome of one attempt to deliver an outbox item.
type Delivery struct {
	Status int   // SMTP or HTTP status, when there was one
	Err    error // nil when delivered
	Retry  bool  // whether another attempt may succeed
	// RetryAfter is the receiver's own "not before" (HTTP Retry-After); the next attempt
	// waits at least this long even when the backoff schedule says sooner.
	RetryAfter time.Duration
}

// Deliverer sends outbox items (e-mail, webhooks).
type Deliverer interface {
	Deliver(ctx context.Context, it *store.OutboxItem) Delivery
}

// MaxAttempts bounds retries; after it an item is marked failed and shown in the delivery log.
const MaxAttempts = 12

// DeliverPass claims up to limit due outbox items, delivers them and records each outcome.
// backoff gives the wait before the next attempt.
func (s *Service) DeliverPass(ctx context.Context, d Deliverer, limit int, backoff func(attempt int) time.Duration) (int, error) {
	var items []*store.OutboxItem
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		var err error
		items, err = tx.Claim(s.now(), 2*time.Minute, limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	delivered := 0
	for _, it := range items {
		res := d.Deliver(ctx, it)
		now := s.now()
		it.LastStatus = res.Status
		switch {
		case res.Err == nil:
			it.State, it.LastError, it.SentAt = store.OutboxSent, "", &now
			delivered++
		case res.Retry && it.Attempts < MaxAttempts:
			it.State, it.LastError, it.NextAttemptAt = store.OutboxPending, res.Err.Error(), now.Add(max(backoff(it.Attempts), res.RetryAfter))
		default:
			it.State, it.LastError = store.OutboxFailed, res.Err.Error()
			s.log.Error("outbox item could not be delivered", "kind", it.Kind, "target", it.Target, "key", it.DedupeKey, "err", res.Err)
		}
		if err := s.store.Write(ctx, func(tx *store.Tx) error { return tx.FinishDelivery(it) }); err != nil {
			return delivered, err
		}
	}
	return delivered, nil
}

// Deliveries is the delivery log, for administrators.
func (s *Service) Deliveries(ctx context.Context, p auth.Principal, limit int) ([]*store.OutboxItem, error) {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return nil, domain.ErrForbidden
	}
	return s.store.Deliveries(ctx, s.orgID, limit)
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigil-ir/vigil/internal/approval"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

const clockSettingsKey = "clocks"

// ClockSettings are the organisation's deadline settings with its webhooks.
type ClockSettings struct {
	clocks.Settings
	Webhooks []Webhook `json:"webhooks"`
}

// Webhook is an endpoint that receives signed escalation events.
type Webhook struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

func decodeSettings(raw string, err error) (ClockSettings, error) {
	cs := ClockSettings{Settings: clocks.DefaultSettings()}
	if errors.Is(err, store.ErrNotFound) {
		return cs, nil
	}
	if err != nil {
		return cs, err
	}
	if err := json.Unmarshal([]byte(raw), &cs); err != nil {
		return cs, fmt.Errorf("reading clock settings: %w", err)
	}
	return cs, nil
}

// ClockSettings returns the organisation's deadline settings.
func (s *Service) ClockSettings(ctx context.Context, p auth.Principal) (ClockSettings, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return ClockSettings{}, domain.ErrForbidden
	}
	return decodeSettings(s.store.Setting(ctx, s.orgID, clockSettingsKey))
}

// SetClockSettings changes the deadline settings. Existing clocks follow at their next change.
func (s *Service) SetClockSettings(ctx context.Context, p auth.Principal, cs ClockSettings) error {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return domain.ErrForbidden
	}
	if err := cs.Validate(); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: msg}}}
	}
	for i, w := range cs.Webhooks {
		if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") || len(w.Secret) < 16 {
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: fmt.Sprintf("webhooks.%d", i), Message: "needs an http(s) URL and a secret of at least 16 characters"}}}
		}
	}
	raw, _ := json.Marshal(cs)
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(s.orgID, clockSettingsKey, string(raw)); err != nil {
			return err
		}
		shown := cs
		shown.Webhooks = nil
		for _, w := range cs.Webhooks {
			shown.Webhooks = append(shown.Webhooks, Webhook{URL: w.URL, Secret: "(hidden)"})
		}
		return tx.Append(s.entry(p, "settings.clocks_changed", nil, shown))
	})
}

// syncClocks recomputes an incident's clocks inside its transaction and records any change
// in the record of events (issue: "each change is in the record of events").
func (s *Service) syncClocks(tx *store.Tx, p auth.Principal, inc *domain.Incident, fresh bool) error {
	cs, err := decodeSettings(tx.Setting(s.orgID, clockSettingsKey))
	if err != nil {
		return err
	}
	facts := clocks.Facts{NIS2Significant: inc.NIS2Significant, DORAMajor: inc.DORAMajor}
	if !fresh {
		if facts.Notified, err = tx.NotifiedAt(inc.ID); err != nil {
			return err
		}
		// Breach decision (service/breach.go): the decision in force, if any, says which
		// authorities and whether the people affected must be told.
		if d, err := tx.EffectiveBreachDecision(inc.ID); err == nil {
			facts.AuthorityDecision, facts.SubjectsDecision = d.NotifyAuthority, &d.NotifySubjects
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	want, err := clocks.Derive(inc, cs.Settings, facts)
	if err != nil {
		return err
	}
	changes, err := tx.SyncClocks(s.orgID, inc.ID, inc.Exercise, fresh, want, cs.Thresholds, s.now())
	if err != nil || len(changes) == 0 {
		return err
	}
	return tx.Append(s.entry(p, "clocks.changed", inc, map[string]any{"changes": changes}))
}

// Clocks lists an incident's clocks.
func (s *Service) Clocks(ctx context.Context, p auth.Principal, ref string) ([]*clocks.Clock, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	return s.store.Clocks(ctx, inc.ID)
}

// ClocksDue lists running or missed clocks due before t on incidents p may see.
func (s *Service) ClocksDue(ctx context.Context, p auth.Principal, before time.Time, limit int) ([]*clocks.Clock, error) {
	f, ok, err := s.filterFor(ctx, p, ListQuery{})
	if err != nil || !ok {
		return []*clocks.Clock{}, err
	}
	return s.store.ClocksDue(ctx, f, before, limit)
}

// NewNotification records that a party was told; it meets the matching clock.
type NewNotification struct {
	Rule       string    `json:"rule"`
	Scope      string    `json:"scope"`
	Recipient  string    `json:"recipient"`
	Method     string    `json:"method"`
	SentAt     time.Time `json:"sent_at"`
	Reference  string    `json:"reference"`
	LateReason string    `json:"late_reason"`
	// What was sent (notice.go): phase of a regulator notification (initial, follow_up,
	// final), the SHA-256 of the document, how many people were told, and the letter run
	// that told them (which supplies the count and hash when they are left out).
	Phase          string `json:"phase"`
	DocumentSHA256 string `json:"document_sha256"`
	PeopleCount    *int64 `json:"people_count"`
	LetterRun      int64  `json:"letter_run"`
}

// RecordNotification records a notification and meets its clock. Meeting a clock late
// needs the reason for the delay (GDPR Art. 33(1); seed 002).
func (s *Service) RecordNotification(ctx context.Context, p auth.Principal, ref string, n NewNotification) (*store.Notification, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	if strings.TrimSpace(n.Recipient) == "" {
		v.Add("recipient", "Enter who was told, for example the ICO")
	}
	if strings.TrimSpace(n.Method) == "" {
		v.Add("method", "Enter how they were told, for example the ICO's online form")
	}
	now := s.now()
	if n.SentAt.IsZero() {
		n.SentAt = now
	}
	if n.SentAt.After(now.Add(time.Minute)) {
		v.Add("sent_at", "A notification cannot be recorded before it is made")
	}
	validateSent(v, &n)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.statementApproved(ctx, inc, n.Method); err != nil {
		return nil, err
	}
	rec := &store.Notification{IncidentID: inc.ID, Rule: n.Rule, Scope: n.Scope, Recipient: strings.TrimSpace(n.Recipient), Method: strings.TrimSpace(n.Method),
		SentAt: domain.Instant(n.SentAt), Reference: strings.TrimSpace(n.Reference), LateReason: strings.TrimSpace(n.LateReason), RecordedBy: p.Label(), CreatedAt: domain.Instant(now),
		Phase: n.Phase, DocumentSHA256: n.DocumentSHA256, PeopleCount: n.PeopleCount}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.IncidentByRef(s.orgID, inc.Ref)
		if err != nil {
			return err
		}
		if n.LetterRun != 0 {
			if err := fromLetterRun(tx, cur.ID, n.LetterRun, rec); err != nil {
				return err
			}
		}
		if n.Rule != "" {
			cs, err := tx.ClockOf(cur.ID, n.Rule, n.Scope)
			if errors.Is(err, store.ErrNotFound) {
				return &domain.ValidationError{Fields: []domain.FieldError{{Field: "rule", Message: "This incident has no such clock"}}}
			}
			if err != nil {
				return err
			}
			if rec.SentAt.After(cs.DueAt) && rec.LateReason == "" {
				return &domain.ValidationError{Fields: []domain.FieldError{{Field: "late_reason", Message: "The deadline had passed: give the reasons for the delay"}}}
			}
		}
		if err := tx.InsertNotification(s.orgID, rec); err != nil {
			return err
		}
		if rec.LateReason != "" && n.Rule != "" {
			if err := tx.SetLateReason(cur.ID, n.Rule, n.Scope, rec.LateReason); err != nil {
				return err
			}
		}
		if err := tx.Append(s.entry(p, "notification.recorded", cur, rec)); err != nil {
			return err
		}
		return s.syncClocks(tx, p, cur, false)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return rec, nil
}

// Notifications lists the notifications recorded on an incident.
func (s *Service) Notifications(ctx context.Context, p auth.Principal, ref string) ([]*store.Notification, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	return s.store.Notifications(ctx, inc.ID)
}

// NextDeadlines maps incidents to their most urgent running or missed clock, for lists.
func (s *Service) NextDeadlines(ctx context.Context, incs []*domain.Incident) (map[int64]*clocks.Clock, error) {
	ids := make([]int64, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	return s.store.NextDue(ctx, ids)
}

// WebhookSecret returns the signing secret configured for a webhook URL.
func (s *Service) WebhookSecret(ctx context.Context, url string) (string, error) {
	cs, err := decodeSettings(s.store.Setting(ctx, s.orgID, clockSettingsKey))
	if err != nil {
		return "", err
	}
	for _, w := range cs.Webhooks {
		if w.URL == url {
			return w.Secret, nil
		}
	}
	return "", domain.ErrNotFound
}

// MethodPublicStatement is how a public statement is recorded as a notification.
const MethodPublicStatement = "public statement"

// statementApproved refuses to record a public statement as published while the
// organisation requires an approver's agreement to public statements and none has agreed
// to one on this incident (seed 001 §5.5: the senior risk owner approves what the
// organisation says in public).
func (s *Service) statementApproved(ctx context.Context, inc *domain.Incident, method string) error {
	if !strings.EqualFold(strings.TrimSpace(method), MethodPublicStatement) {
		return nil
	}
	need, err := s.ApprovalRequired(ctx, s.System(), approval.PublicStatement)
	if err != nil || !need {
		return err
	}
	all, err := s.store.Approvals(ctx, inc.ID)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Kind == string(approval.PublicStatement) && a.State == string(approval.Approved) {
			return nil
		}
	}
	return &domain.ValidationError{Fields: []domain.FieldError{{Field: "method",
		Message: "A public statement needs an approver's agreement before it is published: ask for approval on the incident's response page"}}}
}

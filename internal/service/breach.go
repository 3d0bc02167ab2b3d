package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
)

// Harms the annex two and the JOIC guidance (seed 002) ask about.
var Harms = []string{"physical_safety", "reputation", "financial_loss", "discrimination", "identity_theft", "emotional_distress"}

// Annex holds the free-text answers of seed 001 annex two and the JOIC guidance's assessment
// questions (seed 002) that the facts document cannot express. They are recorded with the
// assessment for the breach log; the engine does not read them.
type Annex struct {
	// What could the data tell a third party about the people affected?
	DataTells string `json:"data_tells,omitempty"`
	// Who does the information belong to?
	BelongsTo string `json:"belongs_to,omitempty"`
	// Who was involved in the breach?
	Involved string `json:"involved,omitempty"`
	// Who has seen the information and what have they done with it?
	SeenBy string `json:"seen_by,omitempty"`
	// How did the breach happen?
	HowItHappened string `json:"how_it_happened,omitempty"`
	// Has any action been taken? Are the people affected aware?
	ActionTaken string `json:"action_taken,omitempty"`
	// Harms that could come to the people affected (see Harms) and in what way.
	Harms     []string `json:"harms,omitempty"`
	HarmNotes string   `json:"harm_notes,omitempty"`
	// JOIC: what is the worst that could happen, and how likely is it to happen?
	WorstCase string `json:"worst_case,omitempty"`
	// Annex three: would telling the people help them act to reduce the risks?
	NotifyingHelps string `json:"notifying_helps,omitempty"`
	// JOIC: contractual requirements to tell the people or third bodies.
	ContractualDuties string `json:"contractual_duties,omitempty"`
}

// decodeAnnex decodes annex answers strictly; errors name the field.
func decodeAnnex(raw []byte) (Annex, error) {
	var a Annex
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return a, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		msg := err.Error()
		field := "annex"
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			field = "annex." + strings.Trim(f, `"`)
			msg = "is not an annex question"
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field, msg = "annex."+te.Field, "has the wrong type"
		}
		return a, &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: msg}}}
	}
	for i, h := range a.Harms {
		if !slices.Contains(Harms, h) {
			return a, &domain.ValidationError{Fields: []domain.FieldError{{Field: fmt.Sprintf("annex.harms[%d]", i),
				Message: fmt.Sprintf("%q is not one of %s", h, strings.Join(Harms, ", "))}}}
		}
	}
	return a, nil
}

// Assessment is one saved version of an incident's breach assessment.
type Assessment struct {
	Version   int             `json:"version"`
	Facts     json.RawMessage `json:"facts"`
	Annex     Annex           `json:"annex"`
	Decision  breach.Decision `json:"decision"`
	Reason    string          `json:"reason"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// ParsedFacts decodes the assessment's facts.
func (a *Assessment) ParsedFacts() (breach.Facts, error) { return breach.DecodeFacts(a.Facts) }

func assessmentOf(r *store.BreachAssessment) (*Assessment, error) {
	a := &Assessment{Version: r.Version, Facts: json.RawMessage(r.Facts), Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Annex), &a.Annex); err != nil {
		return nil, fmt.Errorf("breach assessment %d: annex: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Decision), &a.Decision); err != nil {
		return nil, fmt.Errorf("breach assessment %d: decision: %w", r.ID, err)
	}
	return a, nil
}

// factsError turns the engine's input errors into a validation error naming the field.
func factsError(err error) error {
	var ie *breach.InputError
	if errors.As(err, &ie) {
		field := ie.Path
		if field == "" {
			field = "facts"
		}
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: ie.Msg}}}
	}
	return err
}

// Assess decodes a facts document and runs the decision engine. It is stateless: nothing is
// stored and no authorisation is needed. Bad input is a *domain.ValidationError naming the field.
func (s *Service) Assess(facts []byte) (breach.Decision, error) {
	f, err := breach.DecodeFacts(facts)
	if err != nil {
		return breach.Decision{}, factsError(err)
	}
	return breach.Assess(f), nil
}

// SaveAssessment stores a new version of an incident's breach assessment with the engine's
// decision on its facts. Earlier versions stay readable.
func (s *Service) SaveAssessment(ctx context.Context, p auth.Principal, ref string, facts []byte, annex []byte, reason string) (*Assessment, error) {
	inc, err := s.authorize(ctx, p, ref, auth.AssessBreach)
	if err != nil {
		return nil, err
	}
	f, err := breach.DecodeFacts(facts)
	if err != nil {
		return nil, factsError(err)
	}
	an, err := decodeAnnex(annex)
	if err != nil {
		return nil, err
	}
	d := breach.Assess(f)
	// The facts are kept as the engine read them, so every version decodes again.
	normal, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	annexJSON, _ := json.Marshal(an)
	decJSON, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	rec := &store.BreachAssessment{IncidentID: inc.ID, Facts: string(normal), Annex: string(annexJSON), Decision: string(decJSON),
		Reason: strings.TrimSpace(reason), CreatedBy: p.Label(), CreatedAt: domain.Instant(s.now())}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertBreachAssessment(s.orgID, rec); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "breach.assessed", inc, map[string]any{
			"version": rec.Version, "risk": d.Risk, "notify_authority": d.NotifyAuthority, "notify_subjects": d.NotifySubjects,
			"reason": rec.Reason, "unknowns": d.Unknowns}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return assessmentOf(rec)
}

// Assessments lists every version of an incident's breach assessment, newest first.
func (s *Service) Assessments(ctx context.Context, p auth.Principal, ref string) ([]*Assessment, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.BreachAssessments(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*Assessment, 0, len(recs))
	for _, r := range recs {
		a, err := assessmentOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// BreachDecisions lists an incident's breach decisions, newest first. The one in force is
// the newest that needed no sign-off or was approved (store.BreachDecision.InForce).
func (s *Service) BreachDecisions(ctx context.Context, p auth.Principal, ref string) ([]*store.BreachDecision, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	return s.store.BreachDecisions(ctx, inc.ID)
}

const breachSettingsKey = "breach"

// BreachSettings are the organisation's rules for breach decisions.
type BreachSettings struct {
	// SignOffRequired makes every decision wait for an approver before it takes effect.
	SignOffRequired bool `json:"sign_off_required"`
}

func decodeBreachSettings(raw string, err error) (BreachSettings, error) {
	bs := BreachSettings{SignOffRequired: true} // default: decisions need sign-off
	if errors.Is(err, store.ErrNotFound) {
		return bs, nil
	}
	if err != nil {
		return bs, err
	}
	if err := json.Unmarshal([]byte(raw), &bs); err != nil {
		return bs, fmt.Errorf("reading breach settings: %w", err)
	}
	return bs, nil
}

// BreachSettings returns the organisation's breach decision settings.
func (s *Service) BreachSettings(ctx context.Context, p auth.Principal) (BreachSettings, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return BreachSettings{}, domain.ErrForbidden
	}
	return decodeBreachSettings(s.store.Setting(ctx, s.orgID, breachSettingsKey))
}

// SetBreachSettings changes whether breach decisions need an approver's sign-off.
func (s *Service) SetBreachSettings(ctx context.Context, p auth.Principal, bs BreachSettings) error {
	if !auth.Can(p, auth.ManageUsers, nil) {
		return domain.ErrForbidden
	}
	raw, _ := json.Marshal(bs)
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(s.orgID, breachSettingsKey, string(raw)); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "settings.breach_changed", nil, bs))
	})
}

// BreachOverride is what a DPO decides instead of the recommendation. Jurisdictions left
// out of NotifyAuthority keep the recommendation; a nil NotifySubjects keeps it too.
type BreachOverride struct {
	NotifyAuthority map[string]bool `json:"notify_authority"`
	NotifySubjects  *bool           `json:"notify_subjects"`
}

// Decide records the DPO's decision on the latest assessment: accept its recommendation, or
// override it (a justification is then mandatory). When the organisation requires sign-off
// the decision waits for an approver; otherwise it takes effect at once and the incident's
// clocks follow it. Recommendation and decision are both kept.
func (s *Service) Decide(ctx context.Context, p auth.Principal, ref string, accept bool, o BreachOverride, justification string) (*store.BreachDecision, error) {
	inc, err := s.authorize(ctx, p, ref, auth.DecideBreach)
	if err != nil {
		return nil, err
	}
	justification = strings.TrimSpace(justification)
	v := &domain.ValidationError{}
	if !accept && justification == "" {
		v.Add("justification", "Explain why you are not following the recommendation")
	}
	if accept && (len(o.NotifyAuthority) > 0 || o.NotifySubjects != nil) {
		v.Add("accept", "An accepted recommendation cannot change what it says; override it instead")
	}
	for j := range o.NotifyAuthority {
		if j != string(breach.JurisdictionUK) && j != string(breach.JurisdictionEU) && j != string(breach.JurisdictionJE) {
			v.Add("notify_authority."+j, "is not one of UK, EU, JE")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *store.BreachDecision
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.IncidentByRef(s.orgID, inc.Ref)
		if err != nil {
			return err
		}
		rec, err := tx.LatestBreachAssessment(cur.ID)
		if errors.Is(err, store.ErrNotFound) {
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: "assessment", Message: "Answer the breach questions first: there is no assessment to decide on"}}}
		}
		if err != nil {
			return err
		}
		a, err := assessmentOf(rec)
		if err != nil {
			return err
		}
		bs, err := decodeBreachSettings(tx.Setting(s.orgID, breachSettingsKey))
		if err != nil {
			return err
		}
		d := &store.BreachDecision{IncidentID: cur.ID, AssessmentVersion: a.Version, Accepted: accept, NotifyAuthority: map[string]bool{},
			NotifySubjects: a.Decision.NotifySubjects, Justification: justification, DecidedBy: p.Label(), DecidedAt: domain.Instant(s.now()),
			ApprovalState: store.ApprovalNotNeeded}
		for _, ob := range a.Decision.Obligations {
			d.NotifyAuthority[string(ob.Jurisdiction)] = ob.NotifyAuthority
		}
		for j, n := range o.NotifyAuthority {
			d.NotifyAuthority[j] = n
		}
		if o.NotifySubjects != nil {
			d.NotifySubjects = *o.NotifySubjects
		}
		if bs.SignOffRequired {
			d.ApprovalState = store.ApprovalPending
		}
		if err := tx.InsertBreachDecision(s.orgID, d); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "breach.decided", cur, map[string]any{
			"assessment_version": d.AssessmentVersion, "accepted": d.Accepted, "recommended_authority": a.Decision.NotifyAuthority,
			"recommended_subjects": a.Decision.NotifySubjects, "notify_authority": d.NotifyAuthority, "notify_subjects": d.NotifySubjects,
			"justification": d.Justification, "approval_state": d.ApprovalState})); err != nil {
			return err
		}
		out = d
		if !d.InForce() {
			return nil
		}
		return s.syncClocks(tx, p, cur, false)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// Approve signs off (or rejects) the incident's pending breach decision. Only an approved
// decision takes effect; a rejected one leaves the decision before it in force. An approver
// cannot sign off their own decision.
func (s *Service) Approve(ctx context.Context, p auth.Principal, ref string, approve bool, comment string) (*store.BreachDecision, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ApproveBreach)
	if err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if !approve && comment == "" {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "comment", Message: "Explain why you are rejecting the decision"}}}
	}
	var out *store.BreachDecision
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.IncidentByRef(s.orgID, inc.Ref)
		if err != nil {
			return err
		}
		d, err := tx.LatestBreachDecision(cur.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.ApprovalState != store.ApprovalPending) {
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: "approve", Message: "There is no decision waiting for sign-off"}}}
		}
		if err != nil {
			return err
		}
		if p.Kind == auth.KindUser && d.DecidedBy == p.Label() {
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: "approve", Message: "Another approver must sign off a decision you made"}}}
		}
		now := domain.Instant(s.now())
		d.ApprovalState, d.ApprovedBy, d.ApprovedAt, d.ApprovalComment = store.ApprovalRejected, p.Label(), &now, comment
		if approve {
			d.ApprovalState = store.ApprovalApproved
		}
		if err := tx.SetBreachApproval(d); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "breach.decision_"+d.ApprovalState, cur, map[string]any{
			"assessment_version": d.AssessmentVersion, "notify_authority": d.NotifyAuthority, "notify_subjects": d.NotifySubjects, "comment": comment})); err != nil {
			return err
		}
		out = d
		if !approve {
			return nil
		}
		return s.syncClocks(tx, p, cur, false)
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

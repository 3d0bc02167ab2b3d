package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// assess answers POST /api/v1/assess: the decision engine on a breach-facts document, with
// nothing stored. The answer is the output contract of BREACH_FACTS.md.
func (a *API) assess(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	d, err := a.svc.Assess(body)
	if err != nil {
		a.breachInputError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// breachInputError answers a facts or annex document the engine refused: 400 naming the field.
func (a *API) breachInputError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		badRequest(w, err)
		return
	}
	a.fail(w, r, err)
}

// AssessmentRequest is the wrapped form of PUT …/breach-assessment; a bare facts document
// (one with "jurisdictions" at the top level) is accepted too.
type AssessmentRequest struct {
	Facts  json.RawMessage `json:"facts"`
	Annex  json.RawMessage `json:"annex"`
	Reason string          `json:"reason"`
}

// AssessmentSaved answers PUT …/breach-assessment.
type AssessmentSaved struct {
	Version   int             `json:"version"`
	Decision  breach.Decision `json:"decision"`
	CreatedAt time.Time       `json:"created_at"`
	CreatedBy string          `json:"created_by"`
}

func (a *API) saveAssessment(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		// Let the facts decoder name what is wrong with the document.
		_, err := a.svc.Assess(body)
		a.breachInputError(w, r, err)
		return
	}
	req := AssessmentRequest{Facts: body}
	wrapped := false
	if _, bare := top["jurisdictions"]; !bare {
		wrapped = true
		req = AssessmentRequest{}
		if err := decodeStrict(body, &req); err != nil {
			badRequest(w, err)
			return
		}
		if len(bytes.TrimSpace(req.Facts)) == 0 || string(bytes.TrimSpace(req.Facts)) == "null" {
			badRequest(w, &domain.ValidationError{Fields: []domain.FieldError{{Field: "facts", Message: "is required: send a breach-facts document, bare or as \"facts\""}}})
			return
		}
	}
	saved, err := a.svc.SaveAssessment(r.Context(), p, r.PathValue("ref"), req.Facts, req.Annex, req.Reason)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		if wrapped {
			for i, f := range ve.Fields {
				if !strings.HasPrefix(f.Field, "annex") {
					ve.Fields[i].Field = "facts." + f.Field
				}
			}
		}
		badRequest(w, ve)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if saved.Version == 1 {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/api/v1/incidents/"+r.PathValue("ref")+"/breach-assessment")
	writeJSON(w, status, AssessmentSaved{Version: saved.Version, Decision: saved.Decision, CreatedAt: saved.CreatedAt, CreatedBy: saved.CreatedBy})
}

// BreachAssessment answers GET …/breach-assessment: the latest version, every version
// (newest first), and the decisions taken, with the one in force.
type BreachAssessment struct {
	Latest          *service.Assessment     `json:"latest"`
	Versions        []*service.Assessment   `json:"versions"`
	Decisions       []*store.BreachDecision `json:"decisions"`
	DecisionInForce *store.BreachDecision   `json:"decision_in_force"`
}

func (a *API) getAssessment(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	versions, err := a.svc.Assessments(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(versions) == 0 {
		writeProblem(w, http.StatusNotFound, "Not assessed", "This incident has no breach assessment yet.", nil)
		return
	}
	decisions, err := a.svc.BreachDecisions(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := BreachAssessment{Latest: versions[0], Versions: versions, Decisions: decisions}
	if out.Decisions == nil {
		out.Decisions = []*store.BreachDecision{}
	}
	for _, d := range decisions {
		if d.InForce() {
			out.DecisionInForce = d
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// DecisionRequest is the DPO's decision: accept the recommendation, or override it with a
// justification.
type DecisionRequest struct {
	Accept          *bool           `json:"accept"`
	NotifyAuthority map[string]bool `json:"notify_authority"`
	NotifySubjects  *bool           `json:"notify_subjects"`
	Justification   string          `json:"justification"`
}

func (a *API) decideBreach(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req DecisionRequest
	if err := decodeStrict(body, &req); err != nil {
		badRequest(w, err)
		return
	}
	if req.Accept == nil {
		a.fail(w, r, &domain.ValidationError{Fields: []domain.FieldError{{Field: "accept", Message: "Say whether you accept the recommendation (true) or override it (false)"}}})
		return
	}
	d, err := a.svc.Decide(r.Context(), p, r.PathValue("ref"), *req.Accept,
		service.BreachOverride{NotifyAuthority: req.NotifyAuthority, NotifySubjects: req.NotifySubjects}, req.Justification)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// ApprovalRequest signs off, or rejects, the pending breach decision.
type ApprovalRequest struct {
	Approve *bool  `json:"approve"`
	Comment string `json:"comment"`
}

func (a *API) approveBreach(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req ApprovalRequest
	if err := decodeStrict(body, &req); err != nil {
		badRequest(w, err)
		return
	}
	if req.Approve == nil {
		a.fail(w, r, &domain.ValidationError{Fields: []domain.FieldError{{Field: "approve", Message: "Say whether you approve (true) or reject (false) the decision"}}})
		return
	}
	d, err := a.svc.Approve(r.Context(), p, r.PathValue("ref"), *req.Approve, req.Comment)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

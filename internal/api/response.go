package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

// registerResponse adds the incident response routes (issue 8): the annex one assessment,
// actions, approvals, the lessons-learnt review, people matters and playbooks.
func (a *API) registerResponse(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/incidents/{ref}/response-assessment", a.authed(a.getResponseAssessment))
	mux.Handle("PUT /api/v1/incidents/{ref}/response-assessment", a.authed(a.putResponseAssessment))
	mux.Handle("GET /api/v1/incidents/{ref}/actions", a.authed(a.listActions))
	mux.Handle("POST /api/v1/incidents/{ref}/actions", a.authed(a.addAction))
	mux.Handle("PUT /api/v1/incidents/{ref}/actions/{id}", a.authed(a.putAction))
	mux.Handle("GET /api/v1/actions", a.authed(a.myActions))
	mux.Handle("GET /api/v1/incidents/{ref}/approvals", a.authed(a.incidentApprovals))
	mux.Handle("POST /api/v1/incidents/{ref}/approvals", a.authed(a.requestApproval))
	mux.Handle("GET /api/v1/approvals", a.authed(a.pendingApprovals))
	mux.Handle("POST /api/v1/approvals/{id}/decision", a.authed(a.decideApproval))
	mux.Handle("POST /api/v1/approvals/{id}/withdrawal", a.authed(a.withdrawApproval))
	mux.Handle("GET /api/v1/incidents/{ref}/review", a.authed(a.getReview))
	mux.Handle("PUT /api/v1/incidents/{ref}/review", a.authed(a.putReview))
	mux.Handle("POST /api/v1/incidents/{ref}/review/waiver", a.authed(a.waiveReview))
	mux.Handle("GET /api/v1/incidents/{ref}/people-matters", a.authed(a.getPeopleMatters))
	mux.Handle("PUT /api/v1/incidents/{ref}/people-matters", a.authed(a.putPeopleMatters))
	mux.Handle("GET /api/v1/incidents/{ref}/playbook-tasks", a.authed(a.playbookTasks))
	mux.Handle("PUT /api/v1/incidents/{ref}/playbook-tasks/{id}", a.authed(a.tickTask))
	mux.Handle("GET /api/v1/playbooks", a.authed(a.listPlaybooks))
	mux.Handle("PUT /api/v1/playbooks/{id}", a.authed(a.putPlaybook))
}

// decodeInto reads a strict JSON body into v; on failure the problem is written.
func decodeInto(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		badRequest(w, err)
		return false
	}
	return true
}

// pathID reads a numeric path segment; a malformed one is a missing resource.
func (a *API) pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		a.fail(w, r, domain.ErrNotFound)
		return 0, false
	}
	return id, true
}

// answer writes v, or the problem for err.
func (a *API) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// ResponseAssessmentInput is the annex one assessment.
type ResponseAssessmentInput struct {
	Risk   string `json:"risk"`
	Inform string `json:"inform"`
}

func (a *API) getResponseAssessment(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.ResponseAssessment(r.Context(), p, r.PathValue("ref"))
	a.answer(w, r, http.StatusOK, v, err)
}

func (a *API) putResponseAssessment(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in ResponseAssessmentInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.SaveResponseAssessment(r.Context(), p, r.PathValue("ref"), in.Risk, in.Inform)
	a.answer(w, r, http.StatusOK, v, err)
}

// ActionInput is an action document; owner is a user's e-mail address.
type ActionInput struct {
	Kind              string     `json:"kind"`
	Title             string     `json:"title"`
	Owner             string     `json:"owner"`
	DueAt             *time.Time `json:"due_at"`
	Status            string     `json:"status"`
	Evidence          string     `json:"evidence"`
	AttachmentID      int64      `json:"attachment_id"`
	Effectiveness     string     `json:"effectiveness"`
	EffectivenessNote string     `json:"effectiveness_note"`
}

func (in ActionInput) service() service.ActionInput { return service.ActionInput(in) }

func (a *API) listActions(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.Actions(r.Context(), p, r.PathValue("ref"))
	a.answer(w, r, http.StatusOK, map[string]any{"items": v}, err)
}

func (a *API) addAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in ActionInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.AddAction(r.Context(), p, r.PathValue("ref"), in.service())
	if err == nil {
		w.Header().Set("Location", "/api/v1/incidents/"+v.Ref+"/actions/"+strconv.FormatInt(v.ID, 10))
	}
	a.answer(w, r, http.StatusCreated, v, err)
}

func (a *API) putAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := a.pathID(w, r)
	if !ok {
		return
	}
	var in ActionInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.UpdateAction(r.Context(), p, r.PathValue("ref"), id, in.service())
	a.answer(w, r, http.StatusOK, v, err)
}

func (a *API) myActions(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.MyActions(r.Context(), p)
	a.answer(w, r, http.StatusOK, map[string]any{"items": v}, err)
}

func (a *API) incidentApprovals(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.IncidentApprovals(r.Context(), p, r.PathValue("ref"))
	a.answer(w, r, http.StatusOK, map[string]any{"items": v}, err)
}

// ApprovalInput asks for an approver's decision on a public statement or a suspension.
type ApprovalInput struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
}

func (a *API) requestApproval(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in ApprovalInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.RequestApproval(r.Context(), p, r.PathValue("ref"), approval.Kind(in.Kind), in.Summary)
	if err == nil {
		err = &service.ApprovalPending{Approval: v}
	}
	a.fail(w, r, err)
}

func (a *API) pendingApprovals(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.PendingApprovals(r.Context(), p)
	a.answer(w, r, http.StatusOK, v, err)
}

// DecisionInput approves or rejects a request; a rejection needs a comment.
type DecisionInput struct {
	Approve *bool  `json:"approve"`
	Comment string `json:"comment"`
}

func (a *API) decideApproval(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := a.pathID(w, r)
	if !ok {
		return
	}
	var in DecisionInput
	if !decodeInto(w, r, &in) {
		return
	}
	if in.Approve == nil {
		a.fail(w, r, &domain.ValidationError{Fields: []domain.FieldError{{Field: "approve", Message: "Say whether you approve (true) or reject (false) the request"}}})
		return
	}
	v, err := a.svc.DecideApproval(r.Context(), p, id, *in.Approve, in.Comment)
	a.answer(w, r, http.StatusOK, v, err)
}

// withdrawApproval takes back the caller's own pending request.
func (a *API) withdrawApproval(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := a.pathID(w, r)
	if !ok {
		return
	}
	v, err := a.svc.WithdrawApproval(r.Context(), p, id)
	a.answer(w, r, http.StatusOK, v, err)
}

// ReviewInput is the lessons-learnt review.
type ReviewInput struct {
	AssetsReviewed   bool   `json:"asset_register_reviewed"`
	AssetsNote       string `json:"asset_register_note"`
	PoliciesReviewed bool   `json:"policies_reviewed"`
	PoliciesNote     string `json:"policies_note"`
	TrainingReviewed bool   `json:"training_reviewed"`
	TrainingNote     string `json:"training_note"`
	WentWell         string `json:"went_well"`
	WentBadly        string `json:"went_badly"`
	Completed        bool   `json:"completed"`
}

func (a *API) getReview(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.Review(r.Context(), p, r.PathValue("ref"))
	a.answer(w, r, http.StatusOK, v, err)
}

func (a *API) putReview(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in ReviewInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.SaveReview(r.Context(), p, r.PathValue("ref"), service.ReviewInput{AssetsReviewed: in.AssetsReviewed, AssetsNote: in.AssetsNote,
		PoliciesReviewed: in.PoliciesReviewed, PoliciesNote: in.PoliciesNote, TrainingReviewed: in.TrainingReviewed, TrainingNote: in.TrainingNote,
		WentWell: in.WentWell, WentBadly: in.WentBadly, Complete: in.Completed})
	a.answer(w, r, http.StatusOK, v, err)
}

// WaiverInput is an approver's reason for closing without a review.
type WaiverInput struct {
	Reason string `json:"reason"`
}

func (a *API) waiveReview(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in WaiverInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.WaiveReview(r.Context(), p, r.PathValue("ref"), in.Reason)
	a.answer(w, r, http.StatusOK, v, err)
}

// PeopleMattersInput is a new version of the people-matters record.
type PeopleMattersInput struct {
	Support    string `json:"support"`
	Conduct    string `json:"conduct"`
	Continuity string `json:"continuity"`
}

func (a *API) getPeopleMatters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.PeopleMatters(r.Context(), p, r.PathValue("ref"))
	a.answer(w, r, http.StatusOK, map[string]any{"versions": v}, err)
}

func (a *API) putPeopleMatters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in PeopleMattersInput
	if !decodeInto(w, r, &in) {
		return
	}
	v, err := a.svc.SavePeopleMatters(r.Context(), p, r.PathValue("ref"), in.Support, in.Conduct, in.Continuity)
	a.answer(w, r, http.StatusOK, v, err)
}

// TaskInput ticks or unticks a checklist item.
type TaskInput struct {
	Done *bool `json:"done"`
}

func (a *API) playbookTasks(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.PlaybookTasks(r.Context(), p, r.PathValue("ref"))
	a.answer(w, r, http.StatusOK, map[string]any{"items": v}, err)
}

func (a *API) tickTask(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := a.pathID(w, r)
	if !ok {
		return
	}
	var in TaskInput
	if !decodeInto(w, r, &in) {
		return
	}
	if in.Done == nil {
		a.fail(w, r, &domain.ValidationError{Fields: []domain.FieldError{{Field: "done", Message: "Say whether the task is done (true) or not (false)"}}})
		return
	}
	v, err := a.svc.TickTask(r.Context(), p, r.PathValue("ref"), id, *in.Done)
	a.answer(w, r, http.StatusOK, v, err)
}

func (a *API) listPlaybooks(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := a.svc.Playbooks(r.Context(), p)
	a.answer(w, r, http.StatusOK, map[string]any{"items": v}, err)
}

func (a *API) putPlaybook(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	v, err := a.svc.SavePlaybook(r.Context(), p, r.PathValue("id"), body)
	a.answer(w, r, http.StatusOK, v, err)
}

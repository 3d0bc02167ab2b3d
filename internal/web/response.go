package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/approval"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/playbook"
	"github.com/vigil-ir/vigil/internal/service"
)

// registerResponse adds the incident response pages (issue 8): assessment, actions and the
// playbook checklist; the lessons-learnt review; people matters; approvals; and the
// administration of approval rules and playbooks.
func (h *Handler) registerResponse(mux *http.ServeMux) {
	mux.Handle("GET /incidents/{ref}/response", h.staff(h.responsePage))
	mux.Handle("POST /incidents/{ref}/response/assessment", h.staff(h.saveResponseAssessment))
	mux.Handle("POST /incidents/{ref}/actions", h.staff(h.addAction))
	mux.Handle("POST /incidents/{ref}/actions/{id}", h.staff(h.updateAction))
	mux.Handle("POST /incidents/{ref}/tasks/{id}", h.staff(h.tickTask))
	mux.Handle("GET /incidents/{ref}/review", h.staff(h.reviewPage))
	mux.Handle("POST /incidents/{ref}/review", h.staff(h.saveReview))
	mux.Handle("POST /incidents/{ref}/review/waiver", h.staff(h.waiveReview))
	mux.Handle("GET /incidents/{ref}/people", h.staff(h.peoplePage))
	mux.Handle("POST /incidents/{ref}/people", h.staff(h.savePeople))
	mux.Handle("POST /incidents/{ref}/people/suspension", h.staff(h.requestSuspension))
	mux.Handle("GET /approvals", h.staff(h.approvalsPage))
	mux.Handle("POST /approvals/{id}", h.staff(h.decide))
	mux.Handle("POST /approvals/{id}/withdraw", h.staff(h.withdraw))
	mux.Handle("GET /admin/approvals", h.staff(h.approvalRules))
	mux.Handle("POST /admin/approvals", h.staff(h.saveApprovalRules))
	mux.Handle("GET /admin/playbooks", h.staff(h.playbooksPage))
	mux.Handle("POST /admin/playbooks/{id}", h.staff(h.savePlaybook))
}

// CanPeople says whether to offer the people-matters section (the service decides anyway).
func (p page) CanPeople() bool {
	return p.User != nil && (p.User.Has(auth.RolePeople) || p.User.Has(auth.RoleApprover))
}

// CanEditIncidents says whether to offer forms that change incidents.
func (p page) CanEditIncidents() bool {
	return p.User != nil && (p.User.Has(auth.RoleHandler) || p.User.Has(auth.RoleDPO) || p.User.Has(auth.RoleApprover))
}

// CanDecide says whether the user is an approver.
func (p page) CanDecide() bool { return p.User != nil && p.User.Has(auth.RoleApprover) }

// incidentTitle is the page title of an incident page; exercises say so first.
func incidentTitle(inc *domain.Incident, what string) string {
	t := inc.Ref + " " + inc.Title
	if what != "" {
		t = what + ": " + t
	}
	return domain.ExerciseSubject(inc, t)
}

func responseFlash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "assessment":
		return "The assessment has been saved."
	case "action":
		return "The action has been saved."
	case "task":
		return "The checklist has been updated."
	case "review":
		return "The review has been saved."
	case "waived":
		return "The review has been waived."
	case "people":
		return "The people-matters record has been saved."
	case "approval":
		return "Sent for approval. Nothing changes until an approver approves it."
	case "withdrawn":
		return "The request has been withdrawn. Nothing it asked for was changed."
	case "decided":
		return "Your decision has been recorded."
	case "rules":
		return "The approval rules have been saved."
	case "playbook":
		return "A new version of the playbook has been saved. Incidents that already use it keep their version."
	}
	return ""
}

// problems splits a service error into form problems (shown on the page again) and others.
func problems(err error) ([]domain.FieldError, error) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields, nil
	}
	return nil, err
}

// formOf keeps what was typed so a refused form loses nothing.
func typed(r *http.Request) map[string]string {
	out := map[string]string{}
	for k := range r.PostForm {
		out[k] = r.PostFormValue(k)
	}
	return out
}

// ---- Assessment, actions and checklist ----

type responseView struct {
	Inc        *domain.Incident
	Assessment *service.ResponseAssessment
	Actions    []*domain.Action
	Tasks      []*service.PlaybookTask
	Approvals  []*service.Approval
	Assignees  []service.Assignee
	Files      []*service.Attachment
	Form       map[string]string
	Kinds      []string
	Statuses   []string
	Effects    []string
	Location   *time.Location
}

func (h *Handler) responsePage(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showResponse(w, r, p, http.StatusOK, nil)
}

func (h *Handler) showResponse(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	ctx, ref := r.Context(), r.PathValue("ref")
	inc, err := h.svc.Incident(ctx, p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &responseView{Inc: inc, Form: map[string]string{}, Kinds: domain.ActionKinds, Statuses: domain.ActionStatuses, Effects: domain.Effectiveness, Location: h.opts.Location}
	if v.Assessment, err = h.svc.ResponseAssessment(ctx, p, ref); err == nil {
		if v.Actions, err = h.svc.Actions(ctx, p, ref); err == nil {
			if v.Tasks, err = h.svc.PlaybookTasks(ctx, p, ref); err == nil {
				if v.Approvals, err = h.svc.IncidentApprovals(ctx, p, ref); err == nil {
					if v.Assignees, err = h.svc.Assignees(ctx, p); err == nil {
						v.Files, err = h.svc.Attachments(ctx, p, ref)
					}
				}
			}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if errs != nil {
		v.Form = typed(r)
	}
	h.render(w, r, status, "response", page{Title: incidentTitle(inc, "Response"), Data: v, Errors: errs, BackLink: "/incidents/" + inc.Ref, Flash: responseFlash(r)})
}

// after shows the page again with the problems, or goes back to it with a message.
func (h *Handler) after(w http.ResponseWriter, r *http.Request, p auth.Principal, err error, page, done string,
	show func(http.ResponseWriter, *http.Request, auth.Principal, int, []domain.FieldError)) {
	errs, err := problems(err)
	var held *service.ApprovalPending
	switch {
	case errors.As(err, &held):
		done = "approval"
	case err != nil:
		h.fail(w, r, err)
		return
	case errs != nil:
		show(w, r, p, http.StatusUnprocessableEntity, errs)
		return
	}
	http.Redirect(w, r, "/incidents/"+r.PathValue("ref")+"/"+page+"?done="+done, http.StatusSeeOther)
}

func (h *Handler) saveResponseAssessment(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, err := h.svc.SaveResponseAssessment(r.Context(), p, r.PathValue("ref"), r.PostFormValue("risk"), r.PostFormValue("inform"))
	h.after(w, r, p, err, "response", "assessment", h.showResponse)
}

// dueDate reads a due date typed as YYYY-MM-DD; the action is due by the end of that day in
// the organisation's time zone.
func (h *Handler) dueDate(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, h.opts.Location)
	if err != nil {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "due", Message: "Enter the due date as year-month-day, for example 2026-11-30"}}}
	}
	end := d.AddDate(0, 0, 1).Add(-time.Microsecond)
	return &end, nil
}

// actionInput reads an action form; suffix tells apart the forms of several actions.
func (h *Handler) actionInput(r *http.Request, base *domain.Action, suffix string) (service.ActionInput, error) {
	in := service.ActionInput{}
	if base != nil {
		in = service.ActionInput{Kind: base.Kind, Title: base.Title, Owner: base.Owner, DueAt: base.DueAt, Status: base.Status, Evidence: base.Evidence,
			AttachmentID: base.AttachmentID, Effectiveness: base.Effectiveness, EffectivenessNote: base.EffectivenessNote}
	}
	val := func(k string) (string, bool) {
		_, ok := r.PostForm[k+suffix]
		return r.PostFormValue(k + suffix), ok
	}
	if v, ok := val("kind"); ok {
		in.Kind = v
	}
	if v, ok := val("title"); ok {
		in.Title = v
	}
	if v, ok := val("owner"); ok {
		in.Owner = v
	}
	if v, ok := val("status"); ok {
		in.Status = v
	}
	if v, ok := val("evidence"); ok {
		in.Evidence = v
	}
	if v, ok := val("effectiveness"); ok {
		in.Effectiveness = v
	}
	if v, ok := val("effectiveness_note"); ok {
		in.EffectivenessNote = v
	}
	if v, ok := val("attachment_id"); ok {
		in.AttachmentID, _ = strconv.ParseInt(v, 10, 64)
	}
	if v, ok := val("due"); ok {
		due, err := h.dueDate(v)
		if err != nil {
			return in, err
		}
		in.DueAt = due
	}
	return in, nil
}

// renamed points a refused row form's problems at that row's inputs.
func renamed(err error, suffix string) error {
	var ve *domain.ValidationError
	if suffix == "" || !errors.As(err, &ve) {
		return err
	}
	for i := range ve.Fields {
		if ve.Fields[i].Field == "due_at" {
			ve.Fields[i].Field = "due"
		}
		ve.Fields[i].Field += suffix
	}
	return ve
}

func (h *Handler) addAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	back := r.PostFormValue("back")
	if back != "review" {
		back = "response"
	}
	show := h.showResponse
	if back == "review" {
		show = h.showReview
	}
	in, err := h.actionInput(r, nil, "")
	if err == nil {
		_, err = h.svc.AddAction(r.Context(), p, r.PathValue("ref"), in)
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			if ve.Fields[i].Field == "due_at" {
				ve.Fields[i].Field = "due"
			}
		}
	}
	h.after(w, r, p, err, back, "action", show)
}

func (h *Handler) updateAction(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	actions, err := h.svc.Actions(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var base *domain.Action
	for _, a := range actions {
		if a.ID == id {
			base = a
		}
	}
	if base == nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	suffix := "-" + r.PathValue("id")
	in, err := h.actionInput(r, base, suffix)
	if err == nil {
		_, err = h.svc.UpdateAction(r.Context(), p, r.PathValue("ref"), id, in)
	}
	h.after(w, r, p, renamed(err, suffix), "response", "action", h.showResponse)
}

func (h *Handler) tickTask(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	_, err := h.svc.TickTask(r.Context(), p, r.PathValue("ref"), id, r.PostFormValue("done") == "yes")
	h.after(w, r, p, err, "response", "task", h.showResponse)
}

// ---- Lessons-learnt review ----

type reviewView struct {
	Inc       *domain.Incident
	Review    *service.Review
	Actions   []*domain.Action // improvement actions
	Assignees []service.Assignee
	Form      map[string]string
}

func (h *Handler) reviewPage(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showReview(w, r, p, http.StatusOK, nil)
}

func (h *Handler) showReview(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	ctx, ref := r.Context(), r.PathValue("ref")
	inc, err := h.svc.Incident(ctx, p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &reviewView{Inc: inc, Form: map[string]string{}}
	var all []*domain.Action
	if v.Review, err = h.svc.Review(ctx, p, ref); err == nil {
		if all, err = h.svc.Actions(ctx, p, ref); err == nil {
			v.Assignees, err = h.svc.Assignees(ctx, p)
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, a := range all {
		if a.Kind == domain.ActionImprovement {
			v.Actions = append(v.Actions, a)
		}
	}
	if errs != nil {
		v.Form = typed(r)
	} else {
		rv := v.Review
		v.Form = map[string]string{"assets_note": rv.AssetsNote, "policies_note": rv.PoliciesNote, "training_note": rv.TrainingNote,
			"went_well": rv.WentWell, "went_badly": rv.WentBadly}
		for k, on := range map[string]bool{"assets_reviewed": rv.AssetsReviewed, "policies_reviewed": rv.PoliciesReviewed, "training_reviewed": rv.TrainingReviewed, "complete": rv.Completed} {
			if on {
				v.Form[k] = "yes"
			}
		}
	}
	h.render(w, r, status, "review", page{Title: incidentTitle(inc, "Lessons-learnt review"), Data: v, Errors: errs, BackLink: "/incidents/" + inc.Ref, Flash: responseFlash(r)})
}

func (h *Handler) saveReview(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	yes := func(k string) bool { return r.PostFormValue(k) == "yes" }
	in := service.ReviewInput{AssetsReviewed: yes("assets_reviewed"), PoliciesReviewed: yes("policies_reviewed"), TrainingReviewed: yes("training_reviewed"),
		AssetsNote: r.PostFormValue("assets_note"), PoliciesNote: r.PostFormValue("policies_note"), TrainingNote: r.PostFormValue("training_note"),
		WentWell: r.PostFormValue("went_well"), WentBadly: r.PostFormValue("went_badly"), Complete: yes("complete")}
	_, err := h.svc.SaveReview(r.Context(), p, r.PathValue("ref"), in)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			if ve.Fields[i].Field == "checklist" {
				ve.Fields[i].Field = "assets_reviewed" // the first box of the checklist
			}
		}
	}
	h.after(w, r, p, err, "review", "review", h.showReview)
}

func (h *Handler) waiveReview(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, err := h.svc.WaiveReview(r.Context(), p, r.PathValue("ref"), r.PostFormValue("waiver_reason"))
	h.after(w, r, p, err, "review", "waived", h.showReview)
}

// ---- People matters ----

type peopleView struct {
	Inc       *domain.Incident
	Versions  []*service.PeopleMatters
	Current   *service.PeopleMatters
	Approvals []*service.Approval
	Form      map[string]string
}

func (h *Handler) peoplePage(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showPeople(w, r, p, http.StatusOK, nil)
}

func (h *Handler) showPeople(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	ctx, ref := r.Context(), r.PathValue("ref")
	versions, err := h.svc.PeopleMatters(ctx, p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := h.svc.Incident(ctx, p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := h.svc.IncidentApprovals(ctx, p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &peopleView{Inc: inc, Versions: versions, Form: map[string]string{}}
	for _, a := range all {
		if approval.Kind(a.Kind).Restricted() {
			v.Approvals = append(v.Approvals, a)
		}
	}
	if len(versions) > 0 {
		v.Current = versions[0]
		v.Form = map[string]string{"support": v.Current.Support, "conduct": v.Current.Conduct, "continuity": v.Current.Continuity}
	}
	if errs != nil {
		v.Form = typed(r)
	}
	h.render(w, r, status, "people", page{Title: incidentTitle(inc, "People matters"), Data: v, Errors: errs, BackLink: "/incidents/" + inc.Ref, Flash: responseFlash(r)})
}

func (h *Handler) savePeople(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, err := h.svc.SavePeopleMatters(r.Context(), p, r.PathValue("ref"), r.PostFormValue("support"), r.PostFormValue("conduct"), r.PostFormValue("continuity"))
	h.after(w, r, p, err, "people", "people", h.showPeople)
}

func (h *Handler) requestSuspension(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, err := h.svc.RequestApproval(r.Context(), p, r.PathValue("ref"), approval.SuspendStaff, r.PostFormValue("summary"))
	h.after(w, r, p, err, "people", "approval", h.showPeople)
}

// ---- Approvals ----

type approvalsView struct {
	Waiting *service.Waiting
	Form    map[string]string
	Me      int64 // the reader, who may withdraw their own requests
}

func (h *Handler) approvalsPage(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showApprovals(w, r, p, http.StatusOK, nil)
}

func (h *Handler) showApprovals(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	waiting, err := h.svc.PendingApprovals(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := approvalsView{Waiting: waiting, Form: map[string]string{}, Me: p.UserID}
	if errs != nil {
		v.Form = typed(r)
	}
	h.render(w, r, status, "approvals", page{Title: "Approvals", Data: v, Errors: errs, Flash: responseFlash(r)})
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	choice := r.PostFormValue("decision-" + r.PathValue("id"))
	if choice != "approve" && choice != "reject" {
		h.showApprovals(w, r, p, http.StatusUnprocessableEntity, []domain.FieldError{{Field: "decision-" + r.PathValue("id"), Message: "Choose approve or reject"}})
		return
	}
	_, err = h.svc.DecideApproval(r.Context(), p, id, choice == "approve", r.PostFormValue("comment-"+r.PathValue("id")))
	errs, err := problems(err)
	switch {
	case err != nil:
		h.fail(w, r, err)
	case errs != nil:
		for i := range errs {
			errs[i].Field += "-" + r.PathValue("id")
			if strings.HasPrefix(errs[i].Field, "approve-") {
				errs[i].Field = "decision-" + r.PathValue("id")
			}
		}
		h.showApprovals(w, r, p, http.StatusUnprocessableEntity, errs)
	default:
		http.Redirect(w, r, "/approvals?done=decided", http.StatusSeeOther)
	}
}

// withdraw takes back the reader's own pending request.
func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	_, err = h.svc.WithdrawApproval(r.Context(), p, id)
	errs, err := problems(err)
	switch {
	case err != nil:
		h.fail(w, r, err)
	case errs != nil:
		h.showApprovals(w, r, p, http.StatusUnprocessableEntity, errs)
	default:
		http.Redirect(w, r, "/approvals?done=withdrawn", http.StatusSeeOther)
	}
}

// ---- Administration: approval rules and playbooks ----

type rulesView struct {
	Kinds    []approval.Kind
	Settings approval.Settings
}

func (h *Handler) approvalRules(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !p.Has(auth.RoleAdmin) {
		h.fail(w, r, domain.ErrForbidden)
		return
	}
	st, err := h.svc.ApprovalSettings(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var kinds []approval.Kind
	for _, k := range approval.Kinds {
		if k != approval.BreachDecision {
			kinds = append(kinds, k)
		}
	}
	h.render(w, r, http.StatusOK, "approval_rules", page{Title: "Approval rules", Data: rulesView{Kinds: kinds, Settings: st}, Flash: responseFlash(r)})
}

func (h *Handler) saveApprovalRules(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	st := approval.Settings{Require: map[approval.Kind]bool{}}
	for _, k := range approval.Kinds {
		st.Require[k] = false
	}
	for _, k := range r.PostForm["require"] {
		st.Require[approval.Kind(k)] = true
	}
	if err := h.svc.SetApprovalSettings(r.Context(), p, st); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/approvals?done=rules", http.StatusSeeOther)
}

type playbooksView struct {
	Books []*playbook.Playbook
	Text  map[string]string // each playbook as editable JSON
}

func (h *Handler) playbooksPage(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showPlaybooks(w, r, p, http.StatusOK, nil)
}

func (h *Handler) showPlaybooks(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	if !p.Has(auth.RoleAdmin) {
		h.fail(w, r, domain.ErrForbidden)
		return
	}
	books, err := h.svc.Playbooks(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := playbooksView{Books: books, Text: map[string]string{}}
	for _, b := range books {
		v.Text[b.ID] = b.JSON()
	}
	if id := r.PathValue("id"); errs != nil && id != "" {
		v.Text[id] = r.PostFormValue("body")
		for i := range errs {
			errs[i] = domain.FieldError{Field: "body-" + id, Message: "Playbook " + id + ": " + errs[i].Field + " " + errs[i].Message}
		}
	}
	h.render(w, r, status, "playbooks", page{Title: "Playbooks", Data: v, Errors: errs, Flash: responseFlash(r)})
}

func (h *Handler) savePlaybook(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, err := h.svc.SavePlaybook(r.Context(), p, r.PathValue("id"), []byte(r.PostFormValue("body")))
	errs, err := problems(err)
	switch {
	case err != nil:
		h.fail(w, r, err)
	case errs != nil:
		h.showPlaybooks(w, r, p, http.StatusUnprocessableEntity, errs)
	default:
		http.Redirect(w, r, "/admin/playbooks?done=playbook", http.StatusSeeOther)
	}
}

// responseLabels word the response vocabularies on screen.
var responseLabels = map[string]string{
	domain.ActionContainment: "Containment", domain.ActionRecovery: "Recovery", domain.ActionFurther: "Further action", domain.ActionImprovement: "Improvement",
	domain.ActionOpen: "Open", domain.ActionDone: "Done", domain.ActionCancelled: "Cancelled",
	"effective": "Effective", "partly": "Partly effective", "not_effective": "Not effective", "": "Not judged yet",
	"pending": "Waiting for a decision", "approved": "Approved", "rejected": "Rejected", "withdrawn": "Withdrawn",
	"contain": "Contain", "eradicate": "Eradicate", "recover": "Recover", "notify": "Notify", "review": "Review",
}

// Label words a response vocabulary value, or an approval kind.
func (p page) Label(s string) string {
	if l, ok := responseLabels[s]; ok {
		return l
	}
	return approval.Kind(s).Label()
}

package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

type incidentView struct {
	Inc       *domain.Incident
	Notes     []*service.Note
	Timeline  []timelineEntry
	Files     []*service.Attachment
	Clocks    []*clocks.Clock
	Sent      []*store.Notification
	Assignees []service.Assignee
	CanEdit   bool
	Form      map[string]string
	// Vocab is what the classification form offers; Grade is the severity grade explained.
	Vocab   vocabulary
	Impacts []struct{ ID, Label string }
	Grade   *service.Grading
}

func (h *Handler) incidentView(r *http.Request, p auth.Principal, ref string) (*incidentView, error) {
	inc, err := h.svc.Incident(r.Context(), p, ref)
	if err != nil {
		return nil, err
	}
	notes, err := h.svc.Notes(r.Context(), p, ref)
	if err != nil {
		return nil, err
	}
	events, err := h.svc.IncidentEvents(r.Context(), p, ref)
	if err != nil {
		return nil, err
	}
	assignees, err := h.svc.Assignees(r.Context(), p)
	if err != nil {
		return nil, err
	}
	files, err := h.svc.Attachments(r.Context(), p, ref)
	if err != nil {
		return nil, err
	}
	cl, err := h.svc.Clocks(r.Context(), p, ref)
	if err != nil {
		return nil, err
	}
	sent, err := h.svc.Notifications(r.Context(), p, ref)
	if err != nil {
		return nil, err
	}
	canEdit := h.svc.Permits(r.Context(), p, inc, auth.UpdateIncident)
	return &incidentView{Inc: inc, Notes: notes, Timeline: describe(events), Assignees: assignees, Files: files, Clocks: cl, Sent: sent, CanEdit: canEdit, Form: map[string]string{},
		Vocab: vocab, Impacts: impacts, Grade: h.svc.Grade(inc)}, nil
}

func (h *Handler) incident(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, err := h.incidentView(r, p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "incident", page{Title: incidentTitle(v.Inc, ""), Data: v, BackLink: "/queue", Flash: flashFrom(r)})
}

func versionOf(r *http.Request) (int, error) { return strconv.Atoi(r.PostFormValue("version")) }

// updateErr applies a form's change with the version the handler saw when the page was drawn.
func (h *Handler) updateErr(r *http.Request, p auth.Principal, patch domain.Patch) error {
	version, err := versionOf(r)
	if err != nil {
		return domain.ErrConflict
	}
	_, err = h.svc.UpdateIncident(r.Context(), p, r.PathValue("ref"), patch, version)
	return err
}

// update applies a change and returns to the incident page.
func (h *Handler) update(w http.ResponseWriter, r *http.Request, p auth.Principal, patch domain.Patch, done string) {
	h.afterAction(w, r, p, h.updateErr(r, p, patch), done)
}

func (h *Handler) classify(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		h.updateError(w, r, p, domain.FieldError{Field: "reason", Message: "Enter why you are changing the classification"})
		return
	}
	patch := domain.Patch{
		Class:        domain.Opt[domain.TriageClass]{Set: true, Value: domain.TriageClass(r.PostFormValue("class"))},
		PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Tristate(r.PostFormValue("personal_data"))},
		NearMiss:     domain.Opt[bool]{Set: true, Value: r.PostFormValue("near_miss") == "yes"},
		// Sector regimes: a significant (NIS2) or major (DORA) incident starts their reporting
		// clocks when the organisation has switched the regime on in its settings.
		NIS2Significant: domain.Opt[bool]{Set: true, Value: r.PostFormValue("nis2_significant") == "yes"},
		DORAMajor:       domain.Opt[bool]{Set: true, Value: r.PostFormValue("dora_major") == "yes"},
		Reason:          reason,
	}
	classificationPatch(r, &patch)
	// Confirming that personal data is involved is the moment the organisation becomes
	// aware of a breach (EDPB Guidelines 9/2022: reasonable certainty), unless an earlier
	// moment is already recorded; the 72-hour clock starts there. It can be corrected on
	// the details page.
	if patch.PersonalData.Value == domain.Yes {
		inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if inc.AwareAt == nil {
			now := h.opts.Now()
			patch.AwareAt = domain.Opt[*time.Time]{Set: true, Value: &now}
		}
	}
	h.afterAction(w, r, p, formFields(h.updateErr(r, p, patch)), "classified")
}

func (h *Handler) assign(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	owner := r.PostFormValue("owner")
	if owner == "me" {
		owner = p.Email
	}
	h.update(w, r, p, domain.Patch{Owner: domain.Opt[string]{Set: true, Value: owner}}, "assigned")
}

func (h *Handler) confirmStatus(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := domain.Status(r.URL.Query().Get("to"))
	if !domain.CanTransition(inc.Status, to) {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	h.render(w, r, http.StatusOK, "status_confirm", page{Title: "Change the status of " + inc.Ref, BackLink: "/incidents/" + inc.Ref,
		Data: map[string]any{"Inc": inc, "To": to}})
}

func (h *Handler) changeStatus(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	patch := domain.Patch{Status: domain.Opt[domain.Status]{Set: true, Value: domain.Status(r.PostFormValue("to"))},
		Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	h.update(w, r, p, patch, "status")
}

func (h *Handler) recordNotification(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, err := notificationFrom(r)
	if err == nil {
		_, err = h.svc.RecordNotification(r.Context(), p, r.PathValue("ref"), n)
	}
	h.afterAction(w, r, p, err, "notified")
}

func (h *Handler) addNote(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.afterAction(w, r, p, h.svc.AddNote(r.Context(), p, r.PathValue("ref"), r.PostFormValue("kind"), r.PostFormValue("body")), "note")
}

// updateError shows the incident page again with the problems and what was typed.
func (h *Handler) updateError(w http.ResponseWriter, r *http.Request, p auth.Principal, errs ...domain.FieldError) {
	v, err := h.incidentView(r, p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for k := range r.PostForm {
		v.Form[k] = r.PostFormValue(k)
	}
	h.render(w, r, http.StatusUnprocessableEntity, "incident", page{Title: incidentTitle(v.Inc, ""), Data: v, BackLink: "/queue", Errors: errs})
}

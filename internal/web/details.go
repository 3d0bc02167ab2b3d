package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

// localLayout is how instants are typed on forms, in the organisation's time zone.
const localLayout = "2006-01-02 15:04"

func (h *Handler) editDetails(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := map[string]string{"title": inc.Title, "nature": inc.Nature, "systems": inc.Systems, "people": inc.People, "discovery": inc.Discovery}
	for k, t := range map[string]*time.Time{"occurred_at": inc.OccurredAt, "discovered_at": inc.DiscoveredAt, "aware_at": inc.AwareAt} {
		if t != nil {
			form[k] = t.In(h.opts.Location).Format(localLayout)
		}
	}
	h.render(w, r, http.StatusOK, "details", page{Title: "Edit the details of " + inc.Ref, BackLink: "/incidents/" + inc.Ref, Data: inc, Form: form})
}

func (h *Handler) saveDetails(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	text := func(k string) domain.Opt[string] { return domain.Opt[string]{Set: true, Value: r.PostFormValue(k)} }
	patch := domain.Patch{Title: text("title"), Nature: text("nature"), Systems: text("systems"), People: text("people"), Discovery: text("discovery"),
		Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	form := map[string]string{}
	for _, k := range []string{"title", "nature", "systems", "people", "discovery", "reason", "occurred_at", "discovered_at", "aware_at"} {
		form[k] = r.PostFormValue(k)
	}
	var bad []domain.FieldError
	for _, f := range []struct {
		name string
		dst  *domain.Opt[*time.Time]
	}{{"occurred_at", &patch.OccurredAt}, {"discovered_at", &patch.DiscoveredAt}, {"aware_at", &patch.AwareAt}} {
		v := strings.TrimSpace(form[f.name])
		if v == "" {
			*f.dst = domain.Opt[*time.Time]{Set: true}
			continue
		}
		t, err := time.ParseInLocation(localLayout, v, h.opts.Location)
		if err != nil {
			bad = append(bad, domain.FieldError{Field: f.name, Message: "Enter a date and time like 2026-11-20 16:55"})
			continue
		}
		*f.dst = domain.Opt[*time.Time]{Set: true, Value: &t}
	}
	again := func(errs []domain.FieldError) {
		inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, http.StatusUnprocessableEntity, "details", page{Title: "Edit the details of " + inc.Ref, BackLink: "/incidents/" + inc.Ref, Data: inc, Form: form, Errors: errs})
	}
	if patch.Reason == "" {
		bad = append(bad, domain.FieldError{Field: "reason", Message: "Enter why you are changing the details"})
	}
	if bad != nil {
		again(bad)
		return
	}
	err := h.updateErr(r, p, patch)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		again(ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+r.PathValue("ref")+"?done=details", http.StatusSeeOther)
}

func (h *Handler) link(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	_, err := h.svc.LinkIncidents(r.Context(), p, r.PathValue("ref"), strings.ToUpper(strings.TrimSpace(r.PostFormValue("other"))), "related")
	h.afterAction(w, r, p, err, "linked")
}

func (h *Handler) merge(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, _ := versionOf(r)
	_, err := h.svc.MergeIncident(r.Context(), p, r.PathValue("ref"), strings.ToUpper(strings.TrimSpace(r.PostFormValue("into"))), version)
	h.afterAction(w, r, p, err, "merged")
}

// afterAction returns to the incident page, with the problems if the action was refused.
func (h *Handler) afterAction(w http.ResponseWriter, r *http.Request, p auth.Principal, err error, done string) {
	var ve *domain.ValidationError
	var held *service.ApprovalPending
	if errors.As(err, &held) {
		// Closing waits for an approver: nothing changed yet.
		err, done = nil, "approval"
	}
	if errors.As(err, &ve) {
		fields := ve.Fields
		for i := range fields {
			// The forms name their inputs "other" and "into"; point the summary at them.
			if fields[i].Field == "ref" {
				fields[i].Field = "other"
			}
		}
		h.updateError(w, r, p, fields...)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+r.PathValue("ref")+"?done="+done, http.StatusSeeOther)
}

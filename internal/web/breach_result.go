package web

import (
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

// obligationView is one jurisdiction's obligations with the deadline in the organisation's time.
type obligationView struct {
	breach.Obligation
	Due string
}

// icoQuestion is one of the ICO's three self-assessment questions with Vigil's answer.
type icoQuestion struct {
	Question, Answer, Then string
	Yes                    bool
}

type resultPage struct {
	Ref           string
	Assessment    *service.Assessment
	Versions      []*service.Assessment
	Obligations   []obligationView
	ICO           []icoQuestion
	Latest        *store.BreachDecision
	InForce       *store.BreachDecision
	CanDecide     bool
	CanApprove    bool
	Jurisdictions []string
}

func (h *Handler) breachResult(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showResult(w, r, p, http.StatusOK, nil, nil)
}

func (h *Handler) showResult(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError, form map[string]string) {
	ref := strings.ToUpper(r.PathValue("ref"))
	versions, err := h.svc.Assessments(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(versions) == 0 {
		http.Redirect(w, r, "/incidents/"+ref+"/breach", http.StatusSeeOther)
		return
	}
	decisions, err := h.svc.BreachDecisions(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := versions[0]
	v := resultPage{Ref: ref, Assessment: a, Versions: versions,
		CanDecide: p.Has(auth.RoleDPO) || p.Has(auth.RoleApprover)}
	for _, ob := range a.Decision.Obligations {
		ov := obligationView{Obligation: ob}
		if t, err := time.Parse(time.RFC3339, ob.Deadline); err == nil {
			ov.Due = t.In(h.opts.Location).Format("Monday 2 January 2006 at 15:04") + " (UK time)"
		}
		v.Obligations = append(v.Obligations, ov)
		v.Jurisdictions = append(v.Jurisdictions, string(ob.Jurisdiction))
	}
	if len(decisions) > 0 {
		v.Latest = decisions[0]
		v.CanApprove = p.Has(auth.RoleApprover) && v.Latest.ApprovalState == store.ApprovalPending && v.Latest.DecidedBy != p.Label()
	}
	for _, d := range decisions {
		if d.InForce() {
			v.InForce = d
			break
		}
	}
	d := a.Decision
	q1 := icoQuestion{Question: "1. Is the breach likely to result in a risk to people's rights and freedoms?", Yes: d.Risk != breach.RiskUnlikely}
	q1.Answer, q1.Then = "No", "You need not report it to the ICO; record why in the breach log."
	if q1.Yes {
		q1.Answer, q1.Then = "Yes", "Report it to the ICO (and any other authority above) within 72 hours of becoming aware."
	}
	q2 := icoQuestion{Question: "2. Is it likely to result in a high risk to people's rights and freedoms?", Yes: d.Risk == breach.RiskHigh}
	q2.Answer, q2.Then = "No", "You need not tell the people affected."
	if q2.Yes {
		q2.Answer, q2.Then = "Yes", "Tell the people affected without undue delay, unless an exemption applies."
	}
	q3 := icoQuestion{Question: "3. Record the breach in the breach log", Yes: true, Answer: "Always", Then: "Every breach is recorded, whether or not it is reported."}
	v.ICO = []icoQuestion{q1, q2, q3}
	h.render(w, r, status, "breach_result", page{Title: "Breach assessment of " + ref, BackLink: "/incidents/" + ref, Data: v, Errors: errs, Form: form})
}

// breachDecide records the DPO's acceptance or override of the recommendation.
func (h *Handler) breachDecide(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	ref := strings.ToUpper(r.PathValue("ref"))
	form := map[string]string{"choice": r.PostFormValue("choice"), "justification": r.PostFormValue("justification"), "notify_subjects": r.PostFormValue("notify_subjects")}
	var o service.BreachOverride
	accept := form["choice"] == "accept"
	if form["choice"] == "" {
		h.showResult(w, r, p, http.StatusUnprocessableEntity, []domain.FieldError{{Field: "choice", Message: "Select whether you accept the recommendation"}}, form)
		return
	}
	if !accept {
		o.NotifyAuthority = map[string]bool{}
		for _, j := range []string{"UK", "EU", "JE"} {
			if s := r.PostFormValue("authority_" + j); s != "" {
				o.NotifyAuthority[j] = s == "yes"
				form["authority_"+j] = s
			}
		}
		if s := form["notify_subjects"]; s != "" {
			b := s == "yes"
			o.NotifySubjects = &b
		}
	}
	_, err := h.svc.Decide(r.Context(), p, ref, accept, o, form["justification"])
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.showResult(w, r, p, http.StatusUnprocessableEntity, ve.Fields, form)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+ref+"/breach/result?done=decided", http.StatusSeeOther)
}

// breachApprove signs off or rejects the pending decision.
func (h *Handler) breachApprove(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	ref := strings.ToUpper(r.PathValue("ref"))
	form := map[string]string{"approve": r.PostFormValue("approve"), "comment": r.PostFormValue("comment")}
	if form["approve"] == "" {
		h.showResult(w, r, p, http.StatusUnprocessableEntity, []domain.FieldError{{Field: "approve", Message: "Select whether you approve the decision"}}, form)
		return
	}
	_, err := h.svc.Approve(r.Context(), p, ref, form["approve"] == "yes", form["comment"])
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.showResult(w, r, p, http.StatusUnprocessableEntity, ve.Fields, form)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+ref+"/breach/result?done=approval", http.StatusSeeOther)
}

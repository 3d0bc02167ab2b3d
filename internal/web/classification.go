package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// registerClassification adds the severity grading and suggestion pages.
func (h *Handler) registerClassification(mux *http.ServeMux) {
	mux.Handle("GET /incidents/{ref}/severity", h.staff(h.severity))
	mux.Handle("POST /incidents/{ref}/severity", h.staff(h.gradeSeverity))
	mux.Handle("POST /incidents/{ref}/suggestion", h.staff(h.acceptSuggestion))
}

// vocabulary is what the classification form offers.
type vocabulary struct {
	RSIT []taxonomy.RSITClass
	ICO  []taxonomy.ICOType
	TLP  []taxonomy.Marking
	PAP  []taxonomy.Marking
}

var vocab = vocabulary{RSIT: taxonomy.RSITClasses(), ICO: taxonomy.ICOTypes(), TLP: taxonomy.TLPLevels(), PAP: taxonomy.PAPLevels()}

// impacts are the seed 004 impacts in the order the form shows them.
var impacts = []struct{ ID, Label string }{
	{"confidentiality", "Confidentiality"}, {"integrity", "Integrity"}, {"availability", "Availability"},
}

func rsitLabel(class, typ string) string {
	if class == "" {
		return ""
	}
	c, ok := taxonomy.LookupRSITClass(class)
	t, tok := taxonomy.LookupRSIT(class, typ)
	if !ok || !tok {
		return class + ": " + typ
	}
	return c.Label + ": " + t.Label
}

func icoLabel(id string) string {
	if t, ok := taxonomy.LookupICOType(id); ok {
		return t.Label
	}
	return id
}

// classificationPatch reads the classification vocabulary from the workspace form. Inputs
// the form did not send are left as they are, so an older form changes only what it shows.
func classificationPatch(r *http.Request, p *domain.Patch) {
	has := func(k string) bool { _, ok := r.PostForm[k]; return ok }
	set := func(v string) domain.Opt[string] { return domain.Opt[string]{Set: true, Value: strings.TrimSpace(v)} }
	if has("rsit") {
		v := strings.TrimSpace(r.PostFormValue("rsit"))
		class, typ, ok := taxonomy.SplitRSIT(v)
		if !ok && v != "" {
			class, typ = v, ""
		}
		p.RSITClass, p.RSITType = set(class), set(typ)
	}
	for _, f := range []struct {
		name string
		dst  *domain.Opt[string]
	}{{"ico_type", &p.ICOType}, {"tlp", &p.TLP}, {"pap", &p.PAP}} {
		if has(f.name) {
			*f.dst = set(r.PostFormValue(f.name))
		}
	}
	for _, im := range []struct {
		name string
		dst  *domain.Opt[domain.ImpactNote]
	}{{"confidentiality", &p.Impact.Confidentiality}, {"integrity", &p.Impact.Integrity}, {"availability", &p.Impact.Availability}} {
		if has(im.name + "_note") {
			*im.dst = domain.Opt[domain.ImpactNote]{Set: true, Value: domain.ImpactNote{
				Affected: r.PostFormValue(im.name) == "yes", Note: strings.TrimSpace(r.PostFormValue(im.name + "_note"))}}
		}
	}
}

// formFields points validation problems at the workspace form's inputs.
func formFields(err error) error {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for i, f := range ve.Fields {
		switch {
		case f.Field == "rsit_class" || f.Field == "rsit_type":
			ve.Fields[i].Field = "rsit"
		case strings.HasPrefix(f.Field, "impact."):
			ve.Fields[i].Field = strings.ReplaceAll(strings.TrimPrefix(f.Field, "impact."), ".", "_")
		}
	}
	return ve
}

// acceptSuggestion applies what Vigil suggested when the report arrived.
func (h *Handler) acceptSuggestion(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, err := versionOf(r)
	if err != nil {
		h.fail(w, r, domain.ErrConflict)
		return
	}
	_, err = h.svc.AcceptSuggestion(r.Context(), p, r.PathValue("ref"), version)
	h.afterAction(w, r, p, err, "classified")
}

// severityView is the severity grading page.
type severityView struct {
	Inc     *domain.Incident
	Schemes []*taxonomy.Scheme
	Scheme  *taxonomy.Scheme
	Grade   *service.Grading
	Answers map[string]string
	Reason  string
	Graded  bool
	// CanGrade hides the grading form from people who may read but not change the incident.
	CanGrade bool
}

func (h *Handler) severityPage(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, answers map[string]string, errs []domain.FieldError) {
	inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.svc.SeveritySchemes(p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &severityView{Inc: inc, Schemes: list, Grade: h.svc.Grade(inc), Answers: answers, Reason: r.PostFormValue("reason"),
		Graded: r.URL.Query().Get("graded") != "", CanGrade: h.svc.Permits(r.Context(), p, inc, auth.UpdateIncident)}
	id := r.FormValue("scheme")
	if id == "" && inc.Severity != nil {
		id = inc.Severity.Scheme
	}
	if s, ok := h.svc.SeverityScheme(id); ok {
		v.Scheme = s
	} else if s, ok := h.svc.SeverityScheme("ncsc-uk"); ok {
		v.Scheme = s
	}
	if v.Answers == nil {
		v.Answers = map[string]string{}
	}
	flash := ""
	if v.Graded {
		flash = "The severity has been saved."
	}
	h.render(w, r, status, "severity", page{Title: "Severity of " + inc.Ref, Data: v, BackLink: "/incidents/" + inc.Ref, Errors: errs, Flash: flash})
}

func (h *Handler) severity(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.severityPage(w, r, p, http.StatusOK, nil, nil)
}

// gradeSeverity answers the scheme's guided questions and saves the category they give.
func (h *Handler) gradeSeverity(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, err := versionOf(r)
	if err != nil {
		h.fail(w, r, domain.ErrConflict)
		return
	}
	answers := map[string]string{}
	for k := range r.PostForm {
		if q, ok := strings.CutPrefix(k, "answer-"); ok {
			answers[q] = r.PostFormValue(k)
		}
	}
	_, err = h.svc.GradeSeverity(r.Context(), p, r.PathValue("ref"), r.PostFormValue("scheme"), answers, r.PostFormValue("reason"), version)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i, f := range ve.Fields {
			// Point each unanswered question at its first radio.
			if s, ok := h.svc.SeverityScheme(r.PostFormValue("scheme")); ok {
				for _, q := range s.Questions {
					if q.ID == f.Field {
						ve.Fields[i].Field = "answer-" + q.ID
					}
				}
			}
		}
		h.severityPage(w, r, p, http.StatusUnprocessableEntity, answers, ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+r.PathValue("ref")+"/severity?graded=1", http.StatusSeeOther)
}

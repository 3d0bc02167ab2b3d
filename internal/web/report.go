package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// The reporting journey asks what seed 001 §3.3 requires, one topic per page, and keeps the
// answers server-side in a draft so it works without JavaScript and without an account.

const draftCookie = "vigil_report"

// draft is a report in progress, as the reporter typed it.
type draft struct {
	Example         string          `json:"example"`
	Nature          string          `json:"nature"`
	Systems         string          `json:"systems"`
	People          string          `json:"people"`
	OccurredDay     string          `json:"occurred_day"`
	OccurredMonth   string          `json:"occurred_month"`
	OccurredYear    string          `json:"occurred_year"`
	OccurredTime    string          `json:"occurred_time"`
	OccurredUnknown bool            `json:"occurred_unknown"`
	DiscoveredDay   string          `json:"discovered_day"`
	DiscoveredMonth string          `json:"discovered_month"`
	DiscoveredYear  string          `json:"discovered_year"`
	DiscoveredTime  string          `json:"discovered_time"`
	PersonalData    string          `json:"personal_data"`
	Relationship    string          `json:"relationship"`
	Name            string          `json:"name"`
	Contact         string          `json:"contact"`
	Done            map[string]bool `json:"done"`
}

// step is one question page.
type step struct {
	Name     string
	Template string
	Title    string
	// save reads the form into d and returns the problems, with fields named as the inputs.
	save func(h *Handler, r *http.Request, d *draft) []domain.FieldError
}

var steps = []step{
	// Seed 004's everyday examples in plain words, so nobody has to know a taxonomy.
	{"example", "report_example", "Which of these is closest to what happened?", func(_ *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.Example = r.PostFormValue("example")
		if d.Example == "none" {
			return nil
		}
		for _, ex := range taxonomy.Examples() {
			if ex.ID == d.Example {
				return nil
			}
		}
		return []domain.FieldError{{Field: "example", Message: "Select the example closest to what happened, or 'Something else'"}}
	}},
	{"what", "report_text", "What happened?", func(_ *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.Nature = strings.TrimSpace(r.PostFormValue("nature"))
		if d.Nature == "" {
			return []domain.FieldError{{Field: "nature", Message: "Enter what happened"}}
		}
		return lengthError("nature", d.Nature, domain.MaxLongText)
	}},
	{"information", "report_text", "What information or systems are involved?", func(_ *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.Systems = strings.TrimSpace(r.PostFormValue("systems"))
		return lengthError("systems", d.Systems, domain.MaxShortText)
	}},
	{"people", "report_text", "Who is involved?", func(_ *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.People = strings.TrimSpace(r.PostFormValue("people"))
		return lengthError("people", d.People, domain.MaxShortText)
	}},
	{"when", "report_date", "When did it happen?", func(h *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.OccurredDay, d.OccurredMonth, d.OccurredYear = r.PostFormValue("occurred-day"), r.PostFormValue("occurred-month"), r.PostFormValue("occurred-year")
		d.OccurredTime = strings.TrimSpace(r.PostFormValue("occurred-time"))
		d.OccurredUnknown = r.PostFormValue("occurred-unknown") == "yes"
		if d.OccurredUnknown {
			d.OccurredDay, d.OccurredMonth, d.OccurredYear, d.OccurredTime = "", "", "", ""
			return nil
		}
		_, errs := h.parseDate("occurred", "when it happened", d.OccurredDay, d.OccurredMonth, d.OccurredYear, d.OccurredTime)
		return errs
	}},
	{"discovered", "report_date", "When did you find out?", func(h *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.DiscoveredDay, d.DiscoveredMonth, d.DiscoveredYear = r.PostFormValue("discovered-day"), r.PostFormValue("discovered-month"), r.PostFormValue("discovered-year")
		d.DiscoveredTime = strings.TrimSpace(r.PostFormValue("discovered-time"))
		disc, errs := h.discovered(d)
		if errs != nil {
			return errs
		}
		if occ, _ := h.occurred(d); occ != nil && disc.Before(*occ) {
			return []domain.FieldError{{Field: "discovered-day", Message: "The date you found out must be the same as or after the date it happened"}}
		}
		return nil
	}},
	{"personal-data", "report_personal", "Is information about people involved?", func(_ *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.PersonalData = r.PostFormValue("personal_data")
		switch domain.Tristate(d.PersonalData) {
		case domain.Yes, domain.No, domain.Unknown:
			return nil
		}
		return []domain.FieldError{{Field: "personal_data", Message: "Select yes, no or not sure"}}
	}},
	{"about-you", "report_about", "About you", func(_ *Handler, r *http.Request, d *draft) []domain.FieldError {
		d.Relationship = r.PostFormValue("relationship")
		d.Name, d.Contact = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("contact"))
		switch domain.Relationship(d.Relationship) {
		case domain.RelAnonymous:
			d.Name, d.Contact = "", ""
			return nil
		case domain.RelStaff, domain.RelContractor, domain.RelSupplier, domain.RelPublic:
			return append(lengthError("name", d.Name, domain.MaxName), lengthError("contact", d.Contact, domain.MaxContact)...)
		}
		return []domain.FieldError{{Field: "relationship", Message: "Select how you are connected to us, or that you would rather not say"}}
	}},
	// Files are saved by reportFiles as they are uploaded; continuing needs nothing more.
	{"files", "report_files", "Do you have anything to add, such as the e-mail itself?", func(*Handler, *http.Request, *draft) []domain.FieldError { return nil }},
}

func lengthError(field, v string, max int) []domain.FieldError {
	if len([]rune(v)) > max {
		return []domain.FieldError{{Field: field, Message: fmt.Sprintf("Must be %d characters or fewer", max)}}
	}
	return nil
}

func stepIndex(name string) int {
	for i, s := range steps {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// parseDate reads a GOV.UK date input (day, month, year, optional hh:mm) in the organisation's zone.
func (h *Handler) parseDate(prefix, what, day, month, year, hm string) (time.Time, []domain.FieldError) {
	bad := func(field, msg string) (time.Time, []domain.FieldError) {
		return time.Time{}, []domain.FieldError{{Field: prefix + "-" + field, Message: msg}}
	}
	if strings.TrimSpace(day+month+year) == "" {
		return bad("day", "Enter "+what)
	}
	d, errD := strconv.Atoi(strings.TrimSpace(day))
	m, errM := strconv.Atoi(strings.TrimSpace(month))
	y, errY := strconv.Atoi(strings.TrimSpace(year))
	switch {
	case errD != nil || d < 1 || d > 31:
		return bad("day", "Enter a real day, for example 27")
	case errM != nil || m < 1 || m > 12:
		return bad("month", "Enter a real month, for example 3")
	case errY != nil || y < 1970 || y > 9999:
		return bad("year", "Enter a year with 4 numbers, for example 2026")
	}
	hour, minute := 0, 0
	if hm != "" {
		t, err := time.Parse("15:04", hm)
		if err != nil {
			return bad("time", "Enter a time like 16:55, or leave it blank")
		}
		hour, minute = t.Hour(), t.Minute()
	}
	t := time.Date(y, time.Month(m), d, hour, minute, 0, 0, h.opts.Location)
	if t.Day() != d {
		return bad("day", "Enter a real date; that month has fewer days")
	}
	if t.After(h.opts.Now()) {
		return bad("day", "The date must be today or in the past")
	}
	return t, nil
}

// occurred is when it happened and how precisely, from the draft.
func (h *Handler) occurred(d *draft) (*time.Time, domain.Precision) {
	if d.OccurredUnknown || d.OccurredYear == "" {
		return nil, domain.PrecisionUnknown
	}
	t, errs := h.parseDate("occurred", "", d.OccurredDay, d.OccurredMonth, d.OccurredYear, d.OccurredTime)
	if errs != nil {
		return nil, domain.PrecisionUnknown
	}
	if d.OccurredTime == "" {
		return &t, domain.PrecisionDay
	}
	return &t, domain.PrecisionExact
}

// discovered is when the reporter found out. Without a time, a discovery on the day it
// happened is taken as no earlier than the occurrence, so a date-only answer never puts
// discovery before the event.
func (h *Handler) discovered(d *draft) (time.Time, []domain.FieldError) {
	t, errs := h.parseDate("discovered", "when you found out", d.DiscoveredDay, d.DiscoveredMonth, d.DiscoveredYear, d.DiscoveredTime)
	if errs != nil || d.DiscoveredTime != "" {
		return t, errs
	}
	if occ, _ := h.occurred(d); occ != nil && occ.After(t) && occ.Before(t.AddDate(0, 0, 1)) {
		return *occ, nil
	}
	return t, nil
}

func (h *Handler) loadDraft(r *http.Request) (*draft, string, bool) {
	c, err := r.Cookie(draftCookie)
	if err != nil {
		return nil, "", false
	}
	raw, err := h.svc.Draft(r.Context(), c.Value)
	if err != nil {
		return nil, "", false
	}
	var d draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, "", false
	}
	if d.Done == nil {
		d.Done = map[string]bool{}
	}
	return &d, c.Value, true
}

// mayReport says whether this visitor may use the journey: anyone when public reporting
// is on, otherwise signed-in users.
func (h *Handler) mayReport(w http.ResponseWriter, r *http.Request) (*auth.Principal, bool) {
	p, _, ok := h.principal(r)
	if ok {
		return &p, true
	}
	if !h.opts.PublicReports {
		http.Redirect(w, r, "/signin?next=/report", http.StatusSeeOther)
		return nil, false
	}
	return nil, true
}

func (h *Handler) reportStart(w http.ResponseWriter, r *http.Request) {
	p, ok := h.mayReport(w, r)
	if !ok {
		return
	}
	notice, err := h.svc.ReportNotice(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "report_start", page{Title: "Report a security incident", User: p, Data: notice})
}

func (h *Handler) reportBegin(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.mayReport(w, r); !ok {
		return
	}
	secret := auth.NewSecret("vgd_")
	raw, _ := json.Marshal(draft{Done: map[string]bool{}})
	if err := h.svc.SaveDraft(r.Context(), secret, raw); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: draftCookie, Value: secret, Path: "/report", HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/report/"+steps[0].Name, http.StatusSeeOther)
}

// reportPage is the state every page of the journey starts from.
type reportPage struct {
	p      *auth.Principal
	d      *draft
	secret string
	name   string // the step's name, or "check"
	i      int    // the step's index; -1 for "check"
}

// openReportPage loads the visitor's draft and step; ok is false when a response was sent
// (sign-in needed, no draft, no such step).
func (h *Handler) openReportPage(w http.ResponseWriter, r *http.Request) (rp reportPage, ok bool) {
	if rp.p, ok = h.mayReport(w, r); !ok {
		return rp, false
	}
	if rp.d, rp.secret, ok = h.loadDraft(r); !ok {
		http.Redirect(w, r, "/report", http.StatusSeeOther)
		return rp, false
	}
	rp.name, rp.i = r.PathValue("step"), -1
	if rp.name == "check" {
		return rp, true
	}
	if rp.i = stepIndex(rp.name); rp.i < 0 {
		h.render(w, r, http.StatusNotFound, "notfound", page{Title: "Page not found", User: rp.p})
		return rp, false
	}
	return rp, true
}

func (h *Handler) reportStep(w http.ResponseWriter, r *http.Request) {
	rp, ok := h.openReportPage(w, r)
	if !ok {
		return
	}
	p, d, i := rp.p, rp.d, rp.i
	if rp.name == "check" {
		h.renderCheck(w, r, p, d, nil)
		return
	}
	h.renderStep(w, r, p, i, d, nil, http.StatusOK)
}

type stepView struct {
	Step   step
	Draft  *draft
	Change bool
	Action string
	Files  []*service.Attachment
}

// reportFiles handles the upload button of the files step; done is false when the reporter
// pressed Continue instead, which the generic step handling then takes.
func (h *Handler) reportFiles(w http.ResponseWriter, r *http.Request, p *auth.Principal, i int, d *draft, secret string) (done bool) {
	r.Body = http.MaxBytesReader(w, r.Body, service.MaxAttachment+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		h.renderStep(w, r, p, i, d, []domain.FieldError{{Field: "file", Message: "The file must be smaller than 20 MB"}}, http.StatusUnprocessableEntity)
		return true
	}
	if r.PostFormValue("action") != "upload" {
		return false
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		h.renderStep(w, r, p, i, d, []domain.FieldError{{Field: "file", Message: "Select a file to add"}}, http.StatusUnprocessableEntity)
		return true
	}
	defer f.Close()
	_, err = h.svc.AddDraftAttachment(r.Context(), secret, hdr.Filename, hdr.Header.Get("Content-Type"), f)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.renderStep(w, r, p, i, d, ve.Fields, http.StatusUnprocessableEntity)
		return true
	}
	if err != nil {
		h.serverError(w, r, err)
		return true
	}
	http.Redirect(w, r, r.URL.RequestURI(), http.StatusSeeOther)
	return true
}

func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, p *auth.Principal, i int, d *draft, errs []domain.FieldError, status int) {
	back := "/report"
	if i > 0 {
		back = "/report/" + steps[i-1].Name
	}
	change := r.URL.Query().Get("change") == "1"
	if change {
		back = "/report/check"
	}
	action := "/report/" + steps[i].Name
	if change {
		action += "?change=1"
	}
	view := stepView{Step: steps[i], Draft: d, Change: change, Action: action}
	if steps[i].Name == "files" {
		if c, err := r.Cookie(draftCookie); err == nil {
			view.Files, _ = h.svc.DraftAttachments(r.Context(), c.Value)
		}
	}
	h.render(w, r, status, steps[i].Template, page{Title: steps[i].Title, User: p, BackLink: back, Errors: errs, Data: view})
}

func (h *Handler) reportSave(w http.ResponseWriter, r *http.Request) {
	rp, ok := h.openReportPage(w, r)
	if !ok {
		return
	}
	p, d, secret, name, i := rp.p, rp.d, rp.secret, rp.name, rp.i
	if name == "check" {
		h.reportSubmit(w, r, p, d, secret)
		return
	}
	if name == "files" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if done := h.reportFiles(w, r, p, i, d, secret); done {
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if errs := steps[i].save(h, r, d); len(errs) > 0 {
		h.renderStep(w, r, p, i, d, errs, http.StatusUnprocessableEntity)
		return
	}
	d.Done[name] = true
	raw, _ := json.Marshal(d)
	if err := h.svc.SaveDraft(r.Context(), secret, raw); err != nil {
		h.serverError(w, r, err)
		return
	}
	next := "/report/check"
	if r.URL.Query().Get("change") != "1" && i+1 < len(steps) {
		next = "/report/" + steps[i+1].Name
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

type checkView struct {
	Files      []*service.Attachment
	Draft      *draft
	Occurred   *time.Time
	Discovered time.Time
	Missing    []string
}

func (h *Handler) renderCheck(w http.ResponseWriter, r *http.Request, p *auth.Principal, d *draft, errs []domain.FieldError) {
	v := checkView{Draft: d}
	if c, err := r.Cookie(draftCookie); err == nil {
		v.Files, _ = h.svc.DraftAttachments(r.Context(), c.Value)
	}
	v.Occurred, _ = h.occurred(d)
	v.Discovered, _ = h.discovered(d)
	for _, s := range steps {
		if !d.Done[s.Name] {
			v.Missing = append(v.Missing, s.Name)
		}
	}
	if len(v.Missing) > 0 {
		// Someone jumped ahead: send them to the first unanswered question.
		http.Redirect(w, r, "/report/"+v.Missing[0], http.StatusSeeOther)
		return
	}
	status := http.StatusOK
	if errs != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "report_check", page{Title: "Check your answers before sending your report", User: p, BackLink: "/report/" + steps[len(steps)-1].Name, Data: v, Errors: errs})
}

func (h *Handler) reportSubmit(w http.ResponseWriter, r *http.Request, p *auth.Principal, d *draft, secret string) {
	occurred, precision := h.occurred(d)
	discovered, errs := h.discovered(d)
	if errs != nil {
		h.renderCheck(w, r, p, d, errs)
		return
	}
	in := domain.Patch{
		Nature:            domain.Opt[string]{Set: true, Value: d.Nature},
		Systems:           domain.Opt[string]{Set: true, Value: d.Systems},
		People:            domain.Opt[string]{Set: true, Value: d.People},
		OccurredAt:        domain.Opt[*time.Time]{Set: true, Value: occurred},
		OccurredPrecision: domain.Opt[domain.Precision]{Set: true, Value: precision},
		DiscoveredAt:      domain.Opt[*time.Time]{Set: true, Value: &discovered},
		PersonalData:      domain.Opt[domain.Tristate]{Set: true, Value: domain.Tristate(d.PersonalData)},
		Reporter:          domain.Opt[domain.Reporter]{Set: true, Value: domain.Reporter{Name: d.Name, Contact: d.Contact, Relationship: domain.Relationship(d.Relationship)}},
		Example:           d.Example,
	}
	actor := auth.Principal{Kind: auth.KindPublic}
	if p != nil {
		actor = *p
	}
	inc, token, err := h.svc.SubmitReportAs(r.Context(), actor, domain.ChannelWeb, in, secret)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.renderCheck(w, r, p, d, ve.Fields)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.svc.DeleteDraft(r.Context(), secret); err != nil {
		h.log.Warn("deleting report draft", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: draftCookie, Value: "", Path: "/report", HttpOnly: true, Secure: isHTTPS(r), MaxAge: -1})
	// The status link is shown once, on the confirmation page: it is the reporter's key.
	http.Redirect(w, r, "/report/done/"+inc.Ref+"?token="+token, http.StatusSeeOther)
}

func (h *Handler) reportDone(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	st, err := h.svc.StatusByToken(r.Context(), token)
	if err != nil || st.Ref != r.PathValue("ref") {
		h.render(w, r, http.StatusNotFound, "notfound", page{Title: "Page not found"})
		return
	}
	h.render(w, r, http.StatusOK, "report_done", page{Title: "Report sent", Data: map[string]string{"Ref": st.Ref, "Link": "/status/" + token}})
}

func (h *Handler) reporterStatus(w http.ResponseWriter, r *http.Request) {
	h.showReporterStatus(w, r, nil, "", http.StatusOK)
}

func (h *Handler) showReporterStatus(w http.ResponseWriter, r *http.Request, errs []domain.FieldError, flash string, status int) {
	v, err := h.svc.ReporterViewByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "status", page{Title: "Your report " + v.Ref, Data: v, Errors: errs, Flash: flash,
		Form: map[string]string{"action": "/status/" + r.PathValue("token")}})
}

func (h *Handler) reporterAddInfo(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	err := h.svc.AddReporterInfo(r.Context(), r.PathValue("token"), r.PostFormValue("body"))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.showReporterStatus(w, r, ve.Fields, "", http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showReporterStatus(w, r, nil, "Thank you. We have added this to your report.", http.StatusOK)
}

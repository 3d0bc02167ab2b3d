package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/download"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// registerNotices adds the notices pages (issue 7 items 1–4): the plan, regulator packs,
// letters to the people affected, the public statement and the record of notifications.
func (h *Handler) registerNotices(mux *http.ServeMux) {
	mux.Handle("GET /incidents/{ref}/notices", h.staff(h.notices))
	mux.Handle("POST /incidents/{ref}/notices/plan", h.staff(h.savePlan))
	mux.Handle("GET /incidents/{ref}/notices/packs/{authority}", h.staff(h.pack))
	mux.Handle("GET /incidents/{ref}/notices/packs/{authority}/pdf", h.staff(h.packPDF))
	mux.Handle("POST /incidents/{ref}/notices/answers", h.staff(h.saveAnswers))
	mux.Handle("GET /incidents/{ref}/notices/letters", h.staff(h.letters))
	mux.Handle("POST /incidents/{ref}/notices/letters", h.staff(h.uploadLetters))
	mux.Handle("GET /incidents/{ref}/notices/letters/{run}", h.staff(h.letterRun))
	mux.Handle("POST /incidents/{ref}/notices/letters/{run}/send", h.staff(h.sendLetters))
	mux.Handle("GET /incidents/{ref}/notices/letters/{run}/pdf", h.staff(h.letterRunPDF))
	mux.Handle("GET /incidents/{ref}/notices/statement", h.staff(h.statement))
	mux.Handle("GET /incidents/{ref}/notices/statement/pdf", h.staff(h.statementPDF))
	mux.Handle("POST /incidents/{ref}/notices/record", h.staff(h.recordNotice))
	mux.Handle("GET /notices/settings", h.staff(h.noticeSettings))
	mux.Handle("POST /notices/settings", h.staff(h.saveNoticeSettings))
	mux.Handle("POST /notices/templates/{kind}", h.staff(h.saveTemplate))
}

// noticesView is the Notifications page of an incident.
type noticesView struct {
	Inc         *domain.Incident
	Plan        []notice.Party
	Decisions   []notice.Decision
	Authorities []notice.Authority
	Phases      []notice.Phase
	Sent        []*store.Notification
	Clocks      []*clocks.Clock
	Runs        []*store.LetterRun
	CanPrepare  bool
	Form        map[string]string
}

func (h *Handler) notices(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.renderNotices(w, r, p, http.StatusOK, nil)
}

func (h *Handler) renderNotices(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	ref := r.PathValue("ref")
	inc, err := h.svc.Incident(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	plan, err := h.svc.NotificationPlan(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sent, err := h.svc.Notifications(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cl, err := h.svc.Clocks(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &noticesView{Inc: inc, Plan: plan, Decisions: notice.Decisions, Authorities: notice.Authorities, Phases: notice.Phases, Sent: sent, Clocks: cl,
		CanPrepare: h.svc.Permits(r.Context(), p, inc, auth.PrepareNotice), Form: map[string]string{}}
	for k := range r.PostForm {
		v.Form[k] = r.PostFormValue(k)
	}
	// Arriving from a letter run or the public statement fills in what was sent.
	for _, k := range []string{"letter_run", "recipient", "method", "document_sha256", "clock", "phase", "people_count"} {
		if q := r.URL.Query().Get(k); q != "" && v.Form[k] == "" {
			v.Form[k] = q
		}
	}
	if v.CanPrepare {
		if v.Runs, err = h.svc.LetterRuns(r.Context(), p, ref); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	flash := map[string]string{"plan": "The notification plan has been saved.", "notified": "The notification has been recorded."}[r.URL.Query().Get("done")]
	h.render(w, r, status, "notices", page{Title: "Notifications for " + inc.Ref, Data: v, BackLink: "/incidents/" + inc.Ref, Errors: errs, Flash: flash})
}

// savePlan takes one decision and reason per party, as decision-<id> and reason-<id>.
func (h *Handler) savePlan(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	ref := r.PathValue("ref")
	plan, err := h.svc.NotificationPlan(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var edits []service.PlanEdit
	for _, pt := range plan {
		d := r.PostFormValue("decision-" + pt.ID)
		if d == "" {
			continue
		}
		edits = append(edits, service.PlanEdit{Party: pt.ID, Decision: notice.Decision(d), Reason: r.PostFormValue("reason-" + pt.ID)})
	}
	_, err = h.svc.SetNotificationPlan(r.Context(), p, ref, edits)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		// Errors name parties by position; the form names them by ID.
		for i := range ve.Fields {
			var n int
			var rest string
			if _, scanErr := fmt.Sscanf(ve.Fields[i].Field, "parties[%d].%s", &n, &rest); scanErr == nil && n < len(edits) {
				ve.Fields[i].Field = rest + "-" + edits[n].Party
			}
		}
		h.renderNotices(w, r, p, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+ref+"/notices?done=plan", http.StatusSeeOther)
}

// packView is a regulator pack page.
type packView struct {
	Inc  *domain.Incident
	Pack *notice.Pack
	Text string
	// SHA256 is the hash of Text, to record with the notification once it is pasted and sent.
	SHA256     string
	Clock      string // the authority's clock, rule/scope
	Phases     []notice.Phase
	CanPrepare bool
}

func (h *Handler) packFor(r *http.Request, p auth.Principal) (*notice.Pack, error) {
	a, ok := notice.ParseAuthority(r.PathValue("authority"))
	if !ok {
		return nil, domain.ErrNotFound
	}
	phase, ok := notice.ParsePhase(r.URL.Query().Get("phase"))
	if !ok {
		return nil, domain.ErrNotFound
	}
	return h.svc.Pack(r.Context(), p, r.PathValue("ref"), a, phase)
}

func (h *Handler) pack(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.renderPack(w, r, p, http.StatusOK, nil)
}

func (h *Handler) renderPack(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	pk, err := h.packFor(r, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	text, err := pk.Text()
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	inc, err := h.svc.Incident(r.Context(), p, pk.Ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	flash := ""
	if r.URL.Query().Get("done") == "answers" {
		flash = "Your answers have been saved."
	}
	sum := sha256.Sum256([]byte(text))
	pv := &packView{Inc: inc, Pack: pk, Text: text, SHA256: hex.EncodeToString(sum[:]), Clock: deadline.RuleAuthority72h + "/" + string(pk.Authority.Jurisdiction()),
		Phases: notice.Phases, CanPrepare: h.svc.Permits(r.Context(), p, inc, auth.PrepareNotice)}
	h.render(w, r, status, "notice_pack", page{Title: "Notification to " + pk.AuthorityName, Data: pv,
		BackLink: "/incidents/" + pk.Ref + "/notices", Errors: errs, Flash: flash})
}

func (h *Handler) packPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	pk, err := h.packFor(r, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := pk.PDF(&buf); err != nil {
		h.serverError(w, r, err)
		return
	}
	_ = download.Send(w, "application/pdf", fmt.Sprintf("%s-%s-%s.pdf", pk.Ref, strings.ToLower(string(pk.Authority)), pk.Phase), buf.Bytes())
}

// saveAnswers stores the answers typed on a pack page (answer-<field>) and returns to it.
func (h *Handler) saveAnswers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	answers := map[string]string{}
	for k := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "answer-"); ok {
			answers[id] = r.PostFormValue(k)
		}
	}
	// Answers given on other packs stay: a pack page shows only its own questions.
	back := "/incidents/" + r.PathValue("ref") + "/notices/packs/" + r.PostFormValue("authority") + "?phase=" + r.PostFormValue("phase")
	err := h.svc.SetNoticeAnswers(r.Context(), p, r.PathValue("ref"), h.mergeAnswers(r, p, answers))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			ve.Fields[i].Field = strings.Replace(ve.Fields[i].Field, "answers.", "answer-", 1)
		}
		r.SetPathValue("authority", r.PostFormValue("authority"))
		r.URL.RawQuery = "phase=" + r.PostFormValue("phase")
		h.renderPack(w, r, p, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, back+"&done=answers", http.StatusSeeOther)
}

// mergeAnswers keeps the answers already given to questions this form did not show.
func (h *Handler) mergeAnswers(r *http.Request, p auth.Principal, answers map[string]string) map[string]string {
	for _, a := range notice.Authorities {
		pk, err := h.svc.Pack(r.Context(), p, r.PathValue("ref"), a, notice.PhaseFinal)
		if err != nil {
			return answers
		}
		for _, f := range pk.Fields {
			if _, shown := answers[f.ID]; !shown && f.Answered {
				answers[f.ID] = f.Value
			}
		}
	}
	return answers
}

// lettersView is the letters page: the wording, the upload form and earlier runs.
type lettersView struct {
	Inc      *domain.Incident
	Template *service.LetterTemplates
	Sample   notice.Letter
	Content  notice.Content
	Runs     []*store.LetterRun
	Form     map[string]string
}

func (h *Handler) letters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.renderLetters(w, r, p, http.StatusOK, nil)
}

func (h *Handler) renderLetters(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	ref := r.PathValue("ref")
	content, err := h.svc.LetterContent(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := h.svc.Incident(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tpl, err := h.svc.LetterTemplates(r.Context(), p, notice.KindLetter)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	runs, err := h.svc.LetterRuns(r.Context(), p, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sample, err := h.svc.PreviewLetter(r.Context(), p, ref, content)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &lettersView{Inc: inc, Template: tpl, Sample: sample, Content: content, Runs: runs, Form: map[string]string{"method": service.MethodEmail, "per_minute": strconv.Itoa(service.DefaultPerMinute)}}
	for k := range r.PostForm {
		v.Form[k] = r.PostFormValue(k)
	}
	h.render(w, r, status, "notice_letters", page{Title: "Letters to the people affected by " + inc.Ref, Data: v, BackLink: "/incidents/" + inc.Ref + "/notices", Errors: errs})
}

// maxUpload bounds a recipients file sent through the web form.
const maxUpload = 20 << 20

func (h *Handler) uploadLetters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		h.renderLetters(w, r, p, http.StatusUnprocessableEntity, []domain.FieldError{{Field: "recipients", Message: "Choose a CSV file of recipients, up to 20 MB"}})
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("recipients")
	if err != nil {
		h.renderLetters(w, r, p, http.StatusUnprocessableEntity, []domain.FieldError{{Field: "recipients", Message: "Choose a CSV file of recipients"}})
		return
	}
	defer f.Close()
	perMinute, _ := strconv.Atoi(r.PostFormValue("per_minute"))
	if r.PostFormValue("per_minute") != "" && perMinute == 0 {
		perMinute = -1 // not a number: let the service say what it must be
	}
	v, err := h.svc.DraftLetters(r.Context(), p, r.PathValue("ref"), service.LetterRequest{Method: r.PostFormValue("method"), PerMinute: perMinute, Recipients: f,
		Content: notice.Content{WhatHappened: r.PostFormValue("what_happened"), WhatData: r.PostFormValue("what_data"), Consequences: r.PostFormValue("consequences"),
			WhatWeAreDoing: r.PostFormValue("what_we_are_doing"), WhatYouCanDo: r.PostFormValue("what_you_can_do")}})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			ve.Fields[i].Field = strings.TrimPrefix(ve.Fields[i].Field, "content.")
		}
		h.renderLetters(w, r, p, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/incidents/%s/notices/letters/%d", r.PathValue("ref"), v.Run.ID), http.StatusSeeOther)
}

// runView is a letter run's page: check answers before sending, then progress.
type runView struct {
	Inc     *domain.Incident
	View    *service.LetterRunView
	Shown   []*store.LetterSend
	CanSend bool
}

// shownRecipients bounds the recipients listed on the page; the PDF and API have them all.
const shownRecipients = 100

func (h *Handler) letterRun(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.renderRun(w, r, p, http.StatusOK, nil)
}

func (h *Handler) renderRun(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError) {
	id, err := strconv.ParseInt(r.PathValue("run"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	v, err := h.svc.LetterRun(r.Context(), p, r.PathValue("ref"), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shown := v.Sends
	if len(shown) > shownRecipients {
		shown = shown[:shownRecipients]
	}
	rv := &runView{Inc: inc, View: v, Shown: shown, CanSend: h.svc.Permits(r.Context(), p, inc, auth.SendLetters)}
	h.render(w, r, status, "notice_run", page{Title: fmt.Sprintf("Letter run %d for %s", id, inc.Ref), Data: rv, BackLink: "/incidents/" + inc.Ref + "/notices/letters", Errors: errs})
}

func (h *Handler) sendLetters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("run"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	_, err = h.svc.StartLetters(r.Context(), p, r.PathValue("ref"), id)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.renderRun(w, r, p, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/incidents/%s/notices/letters/%d", r.PathValue("ref"), id), http.StatusSeeOther)
}

func (h *Handler) letterRunPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("run"), 10, 64)
	if err != nil {
		h.fail(w, r, domain.ErrNotFound)
		return
	}
	run, letters, rows, err := h.svc.Letters(r.Context(), p, r.PathValue("ref"), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	name := fmt.Sprintf("%s-letters-%d", r.PathValue("ref"), id)
	if r.URL.Query().Get("layout") == "zip" {
		if err := notice.LettersZip(&buf, letters, rows, run.CreatedAt); err != nil {
			h.serverError(w, r, err)
			return
		}
		_ = download.Send(w, "application/zip", name+".zip", buf.Bytes())
		return
	}
	if err := notice.LettersPDF(&buf, letters, run.CreatedAt); err != nil {
		h.serverError(w, r, err)
		return
	}
	_ = download.Send(w, "application/pdf", name+".pdf", buf.Bytes())
}

// statementView is the public statement page.
type statementView struct {
	Inc       *domain.Incident
	Statement notice.Letter
	SHA256    string
}

func (h *Handler) statement(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	l, sum, err := h.svc.PublicStatement(r.Context(), p, r.PathValue("ref"), notice.Content{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inc, err := h.svc.Incident(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "notice_statement", page{Title: "Public statement about " + inc.Ref, Data: &statementView{Inc: inc, Statement: l, SHA256: sum},
		BackLink: "/incidents/" + inc.Ref + "/notices"})
}

func (h *Handler) statementPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	l, _, err := h.svc.PublicStatement(r.Context(), p, r.PathValue("ref"), notice.Content{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := notice.LettersPDF(&buf, []notice.Letter{l}, h.opts.Now()); err != nil {
		h.serverError(w, r, err)
		return
	}
	_ = download.Send(w, "application/pdf", r.PathValue("ref")+"-public-statement.pdf", buf.Bytes())
}

// noticeSettingsView is the organisation's notice settings and templates.
type noticeSettingsView struct {
	Org       notice.Organisation
	Letter    *service.LetterTemplates
	Statement *service.LetterTemplates
	CanEdit   bool
	Form      map[string]string
}

func (h *Handler) noticeSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.renderNoticeSettings(w, r, p, http.StatusOK, nil, "")
}

func (h *Handler) renderNoticeSettings(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, errs []domain.FieldError, flash string) {
	org, err := h.svc.NoticeSettings(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := &noticeSettingsView{Org: org, CanEdit: auth.Can(p, auth.EditLetterTemplates, nil), Form: map[string]string{}}
	if v.Letter, err = h.svc.LetterTemplates(r.Context(), p, notice.KindLetter); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Statement, err = h.svc.LetterTemplates(r.Context(), p, notice.KindPublicStatement); err != nil {
		h.fail(w, r, err)
		return
	}
	for k := range r.PostForm {
		v.Form[k] = r.PostFormValue(k)
	}
	if kind := r.PathValue("kind"); kind != "" {
		// Both templates' forms name their fields subject and body: keep the one typed.
		v.Form[kind+"-subject"], v.Form[kind+"-body"] = r.PostFormValue("subject"), r.PostFormValue("body")
	}
	switch r.URL.Query().Get("done") {
	case "settings":
		flash = "The notice settings have been saved."
	case "template":
		flash = "The new version of the wording has been saved."
	}
	h.render(w, r, status, "notice_settings", page{Title: "Notices: settings and wording", Data: v, Errors: errs, Flash: flash})
}

func (h *Handler) saveNoticeSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	o := notice.Organisation{Controller: r.PostFormValue("controller"), DPOName: r.PostFormValue("dpo_name"), DPOContact: r.PostFormValue("dpo_contact"),
		Sponsor: r.PostFormValue("sponsor"), Insurers: strings.Split(r.PostFormValue("insurers"), "\n"), Processors: strings.Split(r.PostFormValue("processors"), "\n")}
	h.afterSettings(w, r, p, h.svc.SetNoticeSettings(r.Context(), p, o), "settings")
}

func (h *Handler) saveTemplate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	kind := r.PathValue("kind")
	_, err := h.svc.SaveLetterTemplate(r.Context(), p, notice.Template{Kind: kind, Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body")})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			ve.Fields[i].Field = kind + "-" + ve.Fields[i].Field
		}
	}
	h.afterSettings(w, r, p, err, "template")
}

func (h *Handler) afterSettings(w http.ResponseWriter, r *http.Request, p auth.Principal, err error, done string) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.renderNoticeSettings(w, r, p, http.StatusUnprocessableEntity, ve.Fields, "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notices/settings?done="+done, http.StatusSeeOther)
}

// notificationFrom reads the record-a-notification form, on the incident page and here.
func notificationFrom(r *http.Request) (service.NewNotification, error) {
	rule, scope, _ := strings.Cut(r.PostFormValue("clock"), "/")
	n := service.NewNotification{Rule: rule, Scope: scope, Recipient: r.PostFormValue("recipient"), Method: r.PostFormValue("method"),
		Reference: r.PostFormValue("reference"), LateReason: r.PostFormValue("late_reason"), Phase: r.PostFormValue("phase"),
		DocumentSHA256: r.PostFormValue("document_sha256")}
	v := &domain.ValidationError{}
	if s := strings.TrimSpace(r.PostFormValue("people_count")); s != "" {
		c, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.Add("people_count", "Enter how many people were told as a whole number, for example 1200")
		}
		n.PeopleCount = &c
	}
	if s := strings.TrimSpace(r.PostFormValue("letter_run")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.Add("letter_run", "Choose a letter run of this incident")
		}
		n.LetterRun = id
	}
	return n, v.Err()
}

// recordNotice records a notification from the Notifications page and returns to it.
func (h *Handler) recordNotice(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	n, err := notificationFrom(r)
	if err == nil {
		_, err = h.svc.RecordNotification(r.Context(), p, r.PathValue("ref"), n)
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.renderNotices(w, r, p, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+r.PathValue("ref")+"/notices?done=notified", http.StatusSeeOther)
}

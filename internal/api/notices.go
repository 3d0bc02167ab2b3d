package api

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/download"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// registerNotices adds the notices routes (issue 7 items 1–4).
func (a *API) registerNotices(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/notice-settings", a.authed(a.getNoticeSettings))
	mux.Handle("PUT /api/v1/notice-settings", a.authed(a.putNoticeSettings))
	mux.Handle("GET /api/v1/letter-templates/{kind}", a.authed(a.getLetterTemplate))
	mux.Handle("PUT /api/v1/letter-templates/{kind}", a.authed(a.putLetterTemplate))
	mux.Handle("GET /api/v1/incidents/{ref}/notification-plan", a.authed(a.getPlan))
	mux.Handle("PUT /api/v1/incidents/{ref}/notification-plan", a.authed(a.putPlan))
	mux.Handle("GET /api/v1/incidents/{ref}/packs/{authority}", a.authed(a.getPack))
	mux.Handle("PUT /api/v1/incidents/{ref}/pack-answers", a.authed(a.putPackAnswers))
	mux.Handle("GET /api/v1/incidents/{ref}/public-statement", a.authed(a.getPublicStatement))
	mux.Handle("GET /api/v1/incidents/{ref}/letters", a.authed(a.listLetterRuns))
	mux.Handle("POST /api/v1/incidents/{ref}/letters", a.authed(a.draftLetters))
	mux.Handle("GET /api/v1/incidents/{ref}/letters/{run}", a.authed(a.getLetterRun))
	mux.Handle("POST /api/v1/incidents/{ref}/letters/{run}/send", a.authed(a.sendLetters))
	mux.Handle("GET /api/v1/incidents/{ref}/letters/{run}/pdf", a.authed(a.letterRunPDF))
}

func (a *API) getNoticeSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	o, err := a.svc.NoticeSettings(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (a *API) putNoticeSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var o notice.Organisation
	if !a.decodeBody(w, r, &o) {
		return
	}
	if err := a.svc.SetNoticeSettings(r.Context(), p, o); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getNoticeSettings(w, r, p)
}

// decodeBody reads a strict JSON body into v; false when it has answered with a problem.
func (a *API) decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
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

func (a *API) getLetterTemplate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	t, err := a.svc.LetterTemplates(r.Context(), p, r.PathValue("kind"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// LetterTemplateInput is the body of PUT /api/v1/letter-templates/{kind}.
type LetterTemplateInput struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

func (a *API) putLetterTemplate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in LetterTemplateInput
	if !a.decodeBody(w, r, &in) {
		return
	}
	saved, err := a.svc.SaveLetterTemplate(r.Context(), p, notice.Template{Kind: r.PathValue("kind"), Subject: in.Subject, Body: in.Body})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, saved)
}

// PlanList is an incident's notification plan.
type PlanList struct {
	Items []notice.Party `json:"items"`
}

func (a *API) getPlan(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	items, err := a.svc.NotificationPlan(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PlanList{Items: items})
}

// PlanInput is the body of PUT …/notification-plan.
type PlanInput struct {
	Parties []service.PlanEdit `json:"parties"`
}

func (a *API) putPlan(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in PlanInput
	if !a.decodeBody(w, r, &in) {
		return
	}
	items, err := a.svc.SetNotificationPlan(r.Context(), p, r.PathValue("ref"), in.Parties)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PlanList{Items: items})
}

// formatOf reads ?format=, answering 400 for anything but the allowed values.
func formatOf(w http.ResponseWriter, r *http.Request, allowed ...string) (string, bool) {
	f := r.URL.Query().Get("format")
	if f == "" {
		return allowed[0], true
	}
	for _, a := range allowed {
		if f == a {
			return f, true
		}
	}
	badRequest(w, &domain.ValidationError{Fields: []domain.FieldError{{Field: "format", Message: "must be one of " + strings.Join(allowed, ", ")}}})
	return "", false
}

func (a *API) getPack(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	authority, ok := notice.ParseAuthority(r.PathValue("authority"))
	if !ok {
		a.fail(w, r, domain.ErrNotFound)
		return
	}
	phase, ok := notice.ParsePhase(r.URL.Query().Get("phase"))
	if !ok {
		badRequest(w, &domain.ValidationError{Fields: []domain.FieldError{{Field: "phase", Message: "must be initial, follow_up or final"}}})
		return
	}
	format, ok := formatOf(w, r, "json", "text", "html", "pdf")
	if !ok {
		return
	}
	pk, err := a.svc.Pack(r.Context(), p, r.PathValue("ref"), authority, phase)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, format, pk.Ref+"-"+strings.ToLower(string(authority))+"-"+string(phase), pk, pk.Text, pk.HTML, pk.PDF)
}

// render answers with one of a notice's renderings.
func (a *API) render(w http.ResponseWriter, r *http.Request, format, name string, v any, text, html func() (string, error), pdf func(io.Writer) error) {
	var (
		s   string
		err error
		buf bytes.Buffer
	)
	switch format {
	case "json":
		writeJSON(w, http.StatusOK, v)
		return
	case "text":
		if s, err = text(); err == nil {
			_ = download.Send(w, "text/plain; charset=utf-8", "", []byte(s))
		}
	case "html":
		if s, err = html(); err == nil {
			_ = download.Send(w, "text/html; charset=utf-8", "", []byte(s))
		}
	case "pdf":
		if err = pdf(&buf); err == nil {
			_ = download.Send(w, "application/pdf", name+".pdf", buf.Bytes())
		}
	}
	if err != nil {
		a.fail(w, r, err)
	}
}

// PackAnswersInput is the body of PUT …/pack-answers.
type PackAnswersInput struct {
	Answers map[string]string `json:"answers"`
}

func (a *API) putPackAnswers(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	var in PackAnswersInput
	if !a.decodeBody(w, r, &in) {
		return
	}
	if err := a.svc.SetNoticeAnswers(r.Context(), p, r.PathValue("ref"), in.Answers); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PublicStatement answers GET …/public-statement?format=json.
type PublicStatement struct {
	Subject        string `json:"subject"`
	Text           string `json:"text"`
	DocumentSHA256 string `json:"document_sha256"`
}

func (a *API) getPublicStatement(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	format, ok := formatOf(w, r, "json", "text", "html", "pdf")
	if !ok {
		return
	}
	l, sum, err := a.svc.PublicStatement(r.Context(), p, r.PathValue("ref"), notice.Content{})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("X-Document-SHA256", sum)
	page := func() (string, error) {
		return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html.EscapeString(l.Subject) + "</title></head><body><main><h1>" +
			html.EscapeString(l.Subject) + "</h1>\n" + l.HTML() + "</main></body></html>\n", nil
	}
	text := func() (string, error) { return l.Subject + "\n\n" + l.Text(), nil }
	pdf := func(w io.Writer) error { return notice.LettersPDF(w, []notice.Letter{l}, time.Now()) }
	a.render(w, r, format, r.PathValue("ref")+"-public-statement", PublicStatement{Subject: l.Subject, Text: l.Text(), DocumentSHA256: sum}, text, page, pdf)
}

// LetterRunList lists an incident's letter runs.
type LetterRunList struct {
	Items []*store.LetterRun `json:"items"`
}

func (a *API) listLetterRuns(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	items, err := a.svc.LetterRuns(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, LetterRunList{Items: items})
}

// LetterRun answers the letter endpoints: the run, its content, counts by state, each
// recipient, and the first letter as it will read.
type LetterRun struct {
	*service.LetterRunView
	Preview LetterPreview `json:"preview"`
}

// LetterPreview is one merged letter.
type LetterPreview struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

func letterRunOf(v *service.LetterRunView) LetterRun {
	return LetterRun{LetterRunView: v, Preview: LetterPreview{Subject: v.Preview.Subject, Text: v.Preview.Text()}}
}

// MaxRecipientsUpload bounds an uploaded recipients file (about 100,000 rows).
const MaxRecipientsUpload = 20 << 20

func (a *API) draftLetters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	// Authorise before reading the upload, so a refused caller learns nothing from its checks.
	if _, err := a.svc.LetterRuns(r.Context(), p, r.PathValue("ref")); err != nil {
		a.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxRecipientsUpload)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "Too large", "The upload must be 20 MiB or smaller.", []domain.FieldError{{Field: "recipients", Message: "is larger than 20 MiB"}})
			return
		}
		writeProblem(w, http.StatusUnsupportedMediaType, "Send a form", "Send multipart/form-data with the recipients CSV as the file \"recipients\".", nil)
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("recipients")
	if err != nil {
		badRequest(w, &domain.ValidationError{Fields: []domain.FieldError{{Field: "recipients", Message: "attach the recipients as a CSV file named \"recipients\""}}})
		return
	}
	defer f.Close()
	req := service.LetterRequest{Method: r.FormValue("method"), Recipients: f, Content: notice.Content{WhatHappened: r.FormValue("what_happened"),
		WhatData: r.FormValue("what_data"), Consequences: r.FormValue("consequences"), WhatWeAreDoing: r.FormValue("what_we_are_doing"), WhatYouCanDo: r.FormValue("what_you_can_do")}}
	if s := r.FormValue("per_minute"); s != "" {
		if req.PerMinute, err = strconv.Atoi(s); err != nil {
			badRequest(w, &domain.ValidationError{Fields: []domain.FieldError{{Field: "per_minute", Message: "must be a whole number"}}})
			return
		}
	}
	v, err := a.svc.DraftLetters(r.Context(), p, r.PathValue("ref"), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/incidents/%s/letters/%d", r.PathValue("ref"), v.Run.ID))
	writeJSON(w, http.StatusCreated, letterRunOf(v))
}

func runID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("run"), 10, 64)
	return id, err == nil && id > 0
}

func (a *API) getLetterRun(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := runID(r)
	if !ok {
		a.fail(w, r, domain.ErrNotFound)
		return
	}
	v, err := a.svc.LetterRun(r.Context(), p, r.PathValue("ref"), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, letterRunOf(v))
}

func (a *API) sendLetters(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := runID(r)
	if !ok {
		a.fail(w, r, domain.ErrNotFound)
		return
	}
	v, err := a.svc.StartLetters(r.Context(), p, r.PathValue("ref"), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, letterRunOf(v))
}

func (a *API) letterRunPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, ok := runID(r)
	if !ok {
		a.fail(w, r, domain.ErrNotFound)
		return
	}
	layout := r.URL.Query().Get("layout")
	if layout != "" && layout != "combined" && layout != "zip" {
		badRequest(w, &domain.ValidationError{Fields: []domain.FieldError{{Field: "layout", Message: "must be combined or zip"}}})
		return
	}
	run, letters, rows, err := a.svc.Letters(r.Context(), p, r.PathValue("ref"), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	name := fmt.Sprintf("%s-letters-%d", r.PathValue("ref"), id)
	if layout == "zip" {
		if err := notice.LettersZip(&buf, letters, rows, run.CreatedAt); err != nil {
			a.fail(w, r, err)
			return
		}
		_ = download.Send(w, "application/zip", name+".zip", buf.Bytes())
		return
	}
	if err := notice.LettersPDF(&buf, letters, run.CreatedAt); err != nil {
		a.fail(w, r, err)
		return
	}
	_ = download.Send(w, "application/pdf", name+".pdf", buf.Bytes())
}

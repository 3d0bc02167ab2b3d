package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/store"
)

// KindLetter is the outbox kind of a letter e-mailed to a person affected by a breach.
const KindLetter = "letter"

// LetterMail is the outbox payload of one letter by e-mail: the merged letter, ready to send.
type LetterMail struct {
	Event  string        `json:"event"` // "letter"
	Ref    string        `json:"ref"`
	Run    int64         `json:"run"`
	Send   int64         `json:"send"`
	Letter notice.Letter `json:"letter"`
}

// Letter methods.
const (
	MethodEmail = "email"
	MethodPDF   = "pdf"
)

// DefaultPerMinute is how many letters a run e-mails per minute unless told otherwise: slow
// enough not to trip a relay's rate limit or a spam filter, fast enough for thousands in a day.
const DefaultPerMinute = 60

// MaxPerMinute bounds the rate a run may ask for.
const MaxPerMinute = 1000

// LetterTemplates is the current wording of a kind of template and its history.
type LetterTemplates struct {
	// Current is the version in use; version 0 is Vigil's default wording, never saved.
	Current  store.LetterTemplate    `json:"current"`
	Versions []*store.LetterTemplate `json:"versions"`
}

// LetterTemplates returns the organisation's letter (or public statement) wording.
func (s *Service) LetterTemplates(ctx context.Context, p auth.Principal, kind string) (*LetterTemplates, error) {
	if !auth.Can(p, auth.ReadNotices, nil) {
		return nil, domain.ErrForbidden
	}
	if kind != notice.KindLetter && kind != notice.KindPublicStatement {
		return nil, domain.ErrNotFound
	}
	return s.letterTemplates(ctx, kind)
}

func (s *Service) letterTemplates(ctx context.Context, kind string) (*LetterTemplates, error) {
	vs, err := s.store.LetterTemplates(ctx, s.orgID, kind)
	if err != nil {
		return nil, err
	}
	out := &LetterTemplates{Versions: vs}
	if len(vs) > 0 {
		out.Current = *vs[0]
	} else {
		d := notice.DefaultTemplate(kind)
		out.Current = store.LetterTemplate{Kind: kind, Subject: d.Subject, Body: d.Body, CreatedBy: "Vigil"}
	}
	return out, nil
}

// SaveLetterTemplate stores a new version of a template after checking it merges and holds
// what seed 002 requires. Runs already made keep the wording they were merged from.
func (s *Service) SaveLetterTemplate(ctx context.Context, p auth.Principal, t notice.Template) (*store.LetterTemplate, error) {
	if !auth.Can(p, auth.EditLetterTemplates, nil) {
		return nil, domain.ErrForbidden
	}
	if _, err := notice.Compile(t); err != nil {
		return nil, templateError(err)
	}
	rec := &store.LetterTemplate{Kind: t.Kind, Subject: t.Subject, Body: t.Body, CreatedBy: p.Label(), CreatedAt: domain.Instant(s.now())}
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertLetterTemplate(s.orgID, rec); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "notice.template_saved", nil, map[string]any{"kind": rec.Kind, "version": rec.Version, "subject": rec.Subject}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return rec, nil
}

// templateError names the part of the template each problem is in.
func templateError(err error) error {
	var te *notice.TemplateError
	if !errors.As(err, &te) {
		return err
	}
	v := &domain.ValidationError{}
	for _, p := range te.Problems {
		field, msg, _ := strings.Cut(p, ": ")
		v.Add(field, msg)
	}
	return v
}

// LetterContent suggests the incident-specific text of letters from the breach assessment:
// a starting point the team rewrites in plain language for the people affected.
func (s *Service) LetterContent(ctx context.Context, p auth.Principal, ref string) (notice.Content, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return notice.Content{}, err
	}
	return s.defaultContent(ctx, inc)
}

func (s *Service) defaultContent(ctx context.Context, inc *domain.Incident) (notice.Content, error) {
	in, err := s.noticeInput(ctx, inc)
	if err != nil {
		return notice.Content{}, err
	}
	pk := notice.Prepare(in, notice.ICO, notice.PhaseFinal)
	field := func(id string) string {
		for _, f := range pk.Fields {
			if f.ID == id {
				return f.Value
			}
		}
		return ""
	}
	return notice.Content{WhatHappened: field("summary"), WhatData: field("data_content"), Consequences: field("consequences"),
		WhatWeAreDoing: field("measures"), WhatYouCanDo: adviceFor(in.Facts)}, nil
}

// runContent is what a run was merged with, kept so every later merge is the same letter.
type runContent struct {
	notice.Content
	Organisation notice.Organisation `json:"organisation"`
	Date         string              `json:"date"`
}

func (rc runContent) merge(ref string, sd *store.LetterSend) (notice.Merge, error) {
	m := notice.Merge{Organisation: rc.Organisation.Controller, DPOName: rc.Organisation.DPOName, DPOContact: rc.Organisation.DPOContact,
		Ref: ref, Date: rc.Date, WhatHappened: rc.WhatHappened, WhatData: rc.WhatData, Consequences: rc.Consequences,
		WhatWeAreDoing: rc.WhatWeAreDoing, WhatYouCanDo: rc.WhatYouCanDo}
	if sd == nil {
		return m, nil
	}
	m.Name, m.Email, m.Address = sd.Name, sd.Email, sd.Address
	if err := json.Unmarshal([]byte(sd.Fields), &m.Fields); err != nil {
		return m, fmt.Errorf("letter recipient %d: %w", sd.ID, err)
	}
	return m, nil
}

// LetterRequest starts a run of letters.
type LetterRequest struct {
	Method     string         // email or pdf
	PerMinute  int            // e-mails per minute; 0 is DefaultPerMinute
	Content    notice.Content // blank parts are filled from the breach assessment
	Recipients io.Reader      // CSV, see notice.ParseRecipients
}

// LetterRunView is a run with its recipients and what became of each letter.
type LetterRunView struct {
	Run     *store.LetterRun    `json:"run"`
	Content notice.Content      `json:"content"`
	Counts  map[string]int      `json:"counts"`
	Sends   []*store.LetterSend `json:"recipients"`
	// Preview is the first recipient's letter, to check before sending.
	Preview notice.Letter `json:"-"`
}

// DraftLetters checks a list of recipients and merges every letter, storing the run as a
// draft: nothing is sent until StartLetters. Each problem in the file is reported with its
// row and none of the file is kept until all are fixed.
func (s *Service) DraftLetters(ctx context.Context, p auth.Principal, ref string, req LetterRequest) (*LetterRunView, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	switch req.Method {
	case MethodEmail, MethodPDF:
	default:
		v.Add("method", "Choose e-mail or PDF letters to post")
	}
	if req.PerMinute == 0 {
		req.PerMinute = DefaultPerMinute
	}
	if req.PerMinute < 1 || req.PerMinute > MaxPerMinute {
		v.Add("per_minute", fmt.Sprintf("must be from 1 to %d letters a minute", MaxPerMinute))
	}
	defaults, err := s.defaultContent(ctx, inc)
	if err != nil {
		return nil, err
	}
	c := fillContent(req.Content, defaults)
	for _, f := range []struct{ name, val string }{{"what_happened", c.WhatHappened}, {"what_data", c.WhatData}, {"consequences", c.Consequences},
		{"what_we_are_doing", c.WhatWeAreDoing}, {"what_you_can_do", c.WhatYouCanDo}} {
		switch {
		case f.val == "":
			v.Add("content."+f.name, "Write this part of the letter: seed 002 requires it in every notice to the people affected")
		case len(f.val) > domain.MaxShortText:
			v.Add("content."+f.name, fmt.Sprintf("must be %d characters or fewer", domain.MaxShortText))
		}
	}
	org, err := s.noticeSettings(ctx)
	if err != nil {
		return nil, err
	}
	if org.DPOName == "" || org.DPOContact == "" {
		v.Add("dpo_contact", "Set the data protection officer's name and contact in the notice settings first: every letter must give them")
	}
	tpls, err := s.letterTemplates(ctx, notice.KindLetter)
	if err != nil {
		return nil, err
	}
	compiled, err := notice.Compile(notice.Template{Kind: notice.KindLetter, Subject: tpls.Current.Subject, Body: tpls.Current.Body})
	if err != nil {
		return nil, templateError(err)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	people, err := notice.ParseRecipients(req.Recipients, notice.Needs{Email: req.Method == MethodEmail, Address: req.Method == MethodPDF, Columns: compiled.CustomFields()})
	var re *notice.RecipientsError
	if errors.As(err, &re) {
		for _, e := range re.Errors {
			where := fmt.Sprintf("Row %d", e.Row)
			if e.Column != "" {
				where += ", " + e.Column
			}
			v.Add("recipients", where+": "+e.Message)
		}
		if re.More > 0 {
			v.Add("recipients", fmt.Sprintf("and %d more problems", re.More))
		}
		return nil, v
	}
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rc := runContent{Content: c, Organisation: org, Date: notice.LetterDate(now, cal.Location())}
	sends := make([]*store.LetterSend, len(people))
	manifest := sha256.New()
	var preview notice.Letter
	for i, r := range people {
		fields, _ := json.Marshal(r.Fields)
		sd := &store.LetterSend{Row: r.Row, Name: r.Name, Email: r.Email, Address: r.Address, Fields: string(fields)}
		l, err := s.mergeSend(compiled, rc, inc.Ref, sd)
		if err != nil {
			v.Add("recipients", fmt.Sprintf("Row %d: %v", r.Row, err))
			continue
		}
		if req.Method == MethodEmail {
			l = l.ForEmail()
		}
		sd.DocumentSHA256 = letterHash(l)
		fmt.Fprintf(manifest, "%d\t%s\n", sd.Row, sd.DocumentSHA256)
		sends[i] = sd
		if i == 0 {
			preview = l
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	contentJSON, _ := json.Marshal(rc)
	run := &store.LetterRun{IncidentID: inc.ID, Method: req.Method, TemplateVersion: tpls.Current.Version, Subject: tpls.Current.Subject, Body: tpls.Current.Body,
		Content: string(contentJSON), PerMinute: req.PerMinute, Recipients: len(sends), State: store.RunDraft,
		DocumentSHA256: hex.EncodeToString(manifest.Sum(nil)), CreatedBy: p.Label(), CreatedAt: domain.Instant(now)}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertLetterRun(s.orgID, run, sends); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "letters.drafted", inc, map[string]any{"run": run.ID, "method": run.Method, "recipients": run.Recipients,
			"template_version": run.TemplateVersion, "document_sha256": run.DocumentSHA256}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return &LetterRunView{Run: run, Content: c, Counts: map[string]int{store.RunDraft: len(sends)}, Sends: sends, Preview: preview}, nil
}

func fillContent(c, d notice.Content) notice.Content {
	pick := func(v, def string) string {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
		return def
	}
	return notice.Content{WhatHappened: pick(c.WhatHappened, d.WhatHappened), WhatData: pick(c.WhatData, d.WhatData),
		Consequences: pick(c.Consequences, d.Consequences), WhatWeAreDoing: pick(c.WhatWeAreDoing, d.WhatWeAreDoing), WhatYouCanDo: pick(c.WhatYouCanDo, d.WhatYouCanDo)}
}

func (s *Service) mergeSend(c *notice.Compiled, rc runContent, ref string, sd *store.LetterSend) (notice.Letter, error) {
	m, err := rc.merge(ref, sd)
	if err != nil {
		return notice.Letter{}, err
	}
	return c.Merge(m)
}

// letterHash is the SHA-256 of a letter's subject and text as sent: the e-mail's subject and
// plain-text body, or the printed letter's words, so it does not depend on PDF metadata.
func letterHash(l notice.Letter) string {
	sum := sha256.Sum256([]byte(l.Subject + "\n\n" + l.Text()))
	return hex.EncodeToString(sum[:])
}

func (s *Service) calendar(ctx context.Context) (*deadline.Calendar, error) {
	cs, err := decodeSettings(s.store.Setting(ctx, s.orgID, clockSettingsKey))
	if err != nil {
		return nil, err
	}
	return deadline.LoadCalendar(cs.Calendar)
}

// StartLetters sends a draft run: for e-mail, one outbox item per recipient, spaced to the
// run's rate so the scheduler delivers them with retries at no more than PerMinute a
// minute; for PDF, the run is marked generated (the letters are downloaded and posted).
func (s *Service) StartLetters(ctx context.Context, p auth.Principal, ref string, runID int64) (*LetterRunView, error) {
	inc, err := s.authorize(ctx, p, ref, auth.SendLetters)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		run, err := tx.LetterRunTx(inc.ID, runID)
		if err != nil {
			return err
		}
		if run.State != store.RunDraft {
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: "run", Message: "These letters have already been sent or generated"}}}
		}
		run.State, run.StartedBy, run.StartedAt = store.RunGenerated, p.Label(), &now
		if run.Method == MethodEmail {
			run.State = store.RunSending
			if err := s.queueLetters(tx, inc, run, now); err != nil {
				return err
			}
		}
		if err := tx.StartLetterRun(run); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "letters.started", inc, map[string]any{"run": run.ID, "method": run.Method, "recipients": run.Recipients,
			"per_minute": run.PerMinute, "document_sha256": run.DocumentSHA256}))
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return s.letterRun(ctx, inc, runID)
}

func (s *Service) queueLetters(tx *store.Tx, inc *domain.Incident, run *store.LetterRun, now time.Time) error {
	compiled, rc, err := compileRun(run)
	if err != nil {
		return err
	}
	sends, err := tx.LetterSendsTx(run.ID)
	if err != nil {
		return err
	}
	gap := time.Minute / time.Duration(run.PerMinute)
	prefix := fmt.Sprintf("letter/%d/", run.ID)
	for i, sd := range sends {
		l, err := s.mergeSend(compiled, rc, inc.Ref, sd)
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(LetterMail{Event: "letter", Ref: inc.Ref, Run: run.ID, Send: sd.ID, Letter: l.ForEmail()})
		if _, err := tx.Enqueue(&store.OutboxItem{OrgID: s.orgID, DedupeKey: prefix + fmt.Sprint(sd.ID), Kind: KindLetter, Target: sd.Email,
			Payload: string(payload), NextAttemptAt: now.Add(time.Duration(i) * gap), CreatedAt: now}); err != nil {
			return err
		}
	}
	return tx.SetSendOutbox(run.ID, prefix)
}

func compileRun(run *store.LetterRun) (*notice.Compiled, runContent, error) {
	var rc runContent
	if err := json.Unmarshal([]byte(run.Content), &rc); err != nil {
		return nil, rc, fmt.Errorf("letter run %d: %w", run.ID, err)
	}
	c, err := notice.Compile(notice.Template{Kind: notice.KindLetter, Subject: run.Subject, Body: run.Body})
	if err != nil {
		return nil, rc, fmt.Errorf("letter run %d: %w", run.ID, err)
	}
	return c, rc, nil
}

// LetterRun shows a run with the state of each recipient's letter.
func (s *Service) LetterRun(ctx context.Context, p auth.Principal, ref string, runID int64) (*LetterRunView, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return nil, err
	}
	return s.letterRun(ctx, inc, runID)
}

func (s *Service) letterRun(ctx context.Context, inc *domain.Incident, runID int64) (*LetterRunView, error) {
	run, err := s.store.LetterRun(ctx, inc.ID, runID)
	if err != nil {
		return nil, mapErr(err)
	}
	sends, err := s.store.LetterSends(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	compiled, rc, err := compileRun(run)
	if err != nil {
		return nil, err
	}
	view := &LetterRunView{Run: run, Content: rc.Content, Counts: map[string]int{}, Sends: sends}
	for _, sd := range sends {
		switch {
		case run.State == store.RunDraft:
			sd.State = store.RunDraft
		case run.Method == MethodPDF:
			sd.State = store.RunGenerated
		}
		view.Counts[sd.State]++
	}
	if len(sends) > 0 {
		if view.Preview, err = s.mergeSend(compiled, rc, inc.Ref, sends[0]); err != nil {
			return nil, err
		}
	}
	return view, nil
}

// PreviewLetter merges the current letter wording for an example recipient with content
// (blank parts filled from the breach assessment), so the team sees a letter before
// uploading anyone.
func (s *Service) PreviewLetter(ctx context.Context, p auth.Principal, ref string, content notice.Content) (notice.Letter, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return notice.Letter{}, err
	}
	defaults, err := s.defaultContent(ctx, inc)
	if err != nil {
		return notice.Letter{}, err
	}
	org, err := s.noticeSettings(ctx)
	if err != nil {
		return notice.Letter{}, err
	}
	tpls, err := s.letterTemplates(ctx, notice.KindLetter)
	if err != nil {
		return notice.Letter{}, err
	}
	compiled, err := notice.Compile(notice.Template{Kind: notice.KindLetter, Subject: tpls.Current.Subject, Body: tpls.Current.Body})
	if err != nil {
		return notice.Letter{}, templateError(err)
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return notice.Letter{}, err
	}
	rc := runContent{Content: fillContent(content, defaults), Organisation: org, Date: notice.LetterDate(s.now(), cal.Location())}
	fields := map[string]string{}
	for _, f := range compiled.CustomFields() {
		fields[f] = "(" + f + ")"
	}
	raw, _ := json.Marshal(fields)
	return s.mergeSend(compiled, rc, inc.Ref, &store.LetterSend{Name: "Alex Example", Email: "alex@example.org", Address: []string{"1 Example Street", "Example Town", "EX1 2PL"}, Fields: string(raw)})
}

// LetterRuns lists an incident's letter runs, newest first.
func (s *Service) LetterRuns(ctx context.Context, p auth.Principal, ref string) ([]*store.LetterRun, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return nil, err
	}
	return s.store.LetterRuns(ctx, inc.ID)
}

// Letters merges every letter of a run, in file order, for printing. The rows are the
// recipients' rows in the uploaded file; the run's creation time dates the PDF, so the same
// run always prints the same document.
func (s *Service) Letters(ctx context.Context, p auth.Principal, ref string, runID int64) (*store.LetterRun, []notice.Letter, []int, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return nil, nil, nil, err
	}
	run, err := s.store.LetterRun(ctx, inc.ID, runID)
	if err != nil {
		return nil, nil, nil, mapErr(err)
	}
	compiled, rc, err := compileRun(run)
	if err != nil {
		return nil, nil, nil, err
	}
	sends, err := s.store.LetterSends(ctx, run.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	letters, rows := make([]notice.Letter, len(sends)), make([]int, len(sends))
	for i, sd := range sends {
		if letters[i], err = s.mergeSend(compiled, rc, inc.Ref, sd); err != nil {
			return nil, nil, nil, err
		}
		rows[i] = sd.Row
	}
	return run, letters, rows, nil
}

// PublicStatement merges the organisation's public statement for an incident: the way to
// tell people when telling each would take disproportionate effort (GDPR Art. 34(3)(c)).
// Blank parts of content are filled from the breach assessment. The hash is what to record
// with the notification once it is published.
func (s *Service) PublicStatement(ctx context.Context, p auth.Principal, ref string, content notice.Content) (notice.Letter, string, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return notice.Letter{}, "", err
	}
	defaults, err := s.defaultContent(ctx, inc)
	if err != nil {
		return notice.Letter{}, "", err
	}
	org, err := s.noticeSettings(ctx)
	if err != nil {
		return notice.Letter{}, "", err
	}
	tpls, err := s.letterTemplates(ctx, notice.KindPublicStatement)
	if err != nil {
		return notice.Letter{}, "", err
	}
	compiled, err := notice.Compile(notice.Template{Kind: notice.KindPublicStatement, Subject: tpls.Current.Subject, Body: tpls.Current.Body})
	if err != nil {
		return notice.Letter{}, "", templateError(err)
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return notice.Letter{}, "", err
	}
	rc := runContent{Content: fillContent(content, defaults), Organisation: org, Date: notice.LetterDate(s.now(), cal.Location())}
	m, _ := rc.merge(inc.Ref, nil)
	l, err := compiled.Merge(m)
	if err != nil {
		return notice.Letter{}, "", err
	}
	return l, letterHash(l), nil
}

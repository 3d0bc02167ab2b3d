package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/store"
)

const noticeSettingsKey = "notice"

// NoticeSettings returns what the organisation says about itself in notices. Until someone
// sets it, the controller is the organisation's name and the DPO is blank (a pack then says
// the contact is missing rather than inventing one).
func (s *Service) NoticeSettings(ctx context.Context, p auth.Principal) (notice.Organisation, error) {
	if !auth.Can(p, auth.ReadNotices, nil) {
		return notice.Organisation{}, domain.ErrForbidden
	}
	return s.noticeSettings(ctx)
}

func (s *Service) noticeSettings(ctx context.Context) (notice.Organisation, error) {
	var o notice.Organisation
	raw, err := s.store.Setting(ctx, s.orgID, noticeSettingsKey)
	if errors.Is(err, store.ErrNotFound) {
		org, _, err := s.store.DefaultOrg(ctx, "")
		if err != nil {
			return o, err
		}
		o.Controller = org.Name
		return o, nil
	}
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return o, fmt.Errorf("reading notice settings: %w", err)
	}
	return o, nil
}

// SetNoticeSettings changes the organisation's notice details (DPO or administrator).
func (s *Service) SetNoticeSettings(ctx context.Context, p auth.Principal, o notice.Organisation) error {
	if !auth.Can(p, auth.EditLetterTemplates, nil) {
		return domain.ErrForbidden
	}
	v := &domain.ValidationError{}
	o.Controller, o.DPOName, o.DPOContact, o.Sponsor = strings.TrimSpace(o.Controller), strings.TrimSpace(o.DPOName), strings.TrimSpace(o.DPOContact), strings.TrimSpace(o.Sponsor)
	if o.Controller == "" {
		v.Add("controller", "Enter the data controller's name as the regulator knows it")
	}
	if o.DPOName == "" {
		v.Add("dpo_name", "Enter the name of the data protection officer or contact point")
	}
	if o.DPOContact == "" {
		v.Add("dpo_contact", "Enter how people and regulators can reach the data protection officer")
	}
	for _, f := range []struct {
		name string
		val  string
		max  int
	}{{"controller", o.Controller, domain.MaxName}, {"dpo_name", o.DPOName, domain.MaxName}, {"dpo_contact", o.DPOContact, domain.MaxShortText}, {"sponsor", o.Sponsor, domain.MaxName}} {
		if len(f.val) > f.max {
			v.Add(f.name, fmt.Sprintf("must be %d characters or fewer", f.max))
		}
	}
	o.Insurers, o.Processors = cleanList(o.Insurers), cleanList(o.Processors)
	if err := v.Err(); err != nil {
		return err
	}
	raw, _ := json.Marshal(o)
	return s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(s.orgID, noticeSettingsKey, string(raw)); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "settings.notice_changed", nil, o))
	})
}

func cleanList(in []string) []string {
	out := []string{}
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// noticeInput gathers what notices about an incident are prepared from.
func (s *Service) noticeInput(ctx context.Context, inc *domain.Incident) (*notice.Input, error) {
	org, err := s.noticeSettings(ctx)
	if err != nil {
		return nil, err
	}
	in := &notice.Input{Ref: inc.Ref, Title: inc.Title, Nature: inc.Nature, Marking: "TLP:" + strings.ToUpper(inc.TLP), OccurredAt: inc.OccurredAt,
		OccurredEstimate: inc.OccurredPrecision != domain.PrecisionExact, AwareAt: inc.AwareAt, ContainedAt: inc.ContainedAt,
		Org: org, Clocks: map[string]notice.AuthorityClock{}, NIS2Significant: inc.NIS2Significant, Classified: inc.Class != domain.ClassUnknown,
		Now: s.now()}
	if g := s.Grade(inc); g != nil {
		in.HighSeverity = g.Category.Rank >= 1 && g.Category.Rank <= 2
		if g.NotifyCSIRT && g.CSIRT != nil {
			in.CSIRT = g.CSIRT.Name
		}
	}
	recs, err := s.store.BreachAssessments(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	if len(recs) > 0 {
		a, err := assessmentOf(recs[0])
		if err != nil {
			return nil, err
		}
		f, err := a.ParsedFacts()
		if err != nil {
			return nil, fmt.Errorf("breach assessment %d: %w", a.Version, err)
		}
		in.Facts, in.Recommendation = &f, &a.Decision
		in.Narrative = notice.Narrative{HowItHappened: a.Annex.HowItHappened, Involved: a.Annex.Involved, SeenBy: a.Annex.SeenBy,
			DataTells: a.Annex.DataTells, ActionTaken: a.Annex.ActionTaken, Harms: a.Annex.Harms, HarmNotes: a.Annex.HarmNotes, WorstCase: a.Annex.WorstCase}
	}
	decisions, err := s.store.BreachDecisions(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range decisions {
		if d.InForce() {
			in.Decided = &notice.Decided{NotifyAuthority: d.NotifyAuthority, NotifySubjects: d.NotifySubjects}
			break
		}
	}
	cls, err := s.store.Clocks(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cls {
		if c.Rule == deadline.RuleAuthority72h && c.State != clocks.NotApplicable {
			in.Clocks[c.Scope] = notice.AuthorityClock{Due: c.DueAt, Met: c.MetAt, LateReason: c.LateReason}
		}
	}
	sent, err := s.store.Notifications(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range sent {
		in.Sent = append(in.Sent, notice.Sent{Rule: n.Rule, Scope: n.Scope, Recipient: n.Recipient, Method: n.Method, SentAt: n.SentAt,
			Phase: n.Phase, Reference: n.Reference, PeopleCount: n.PeopleCount})
	}
	raw, err := s.store.NoticeAnswers(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(raw), &in.Answers); err != nil {
		return nil, fmt.Errorf("reading notice answers: %w", err)
	}
	// The extract is the log's own entry. Whoever prepares a pack may read the incident, and
	// the regulator is told everything, so nothing is withheld for marking.
	f := store.BreachLogFilter{OrgID: s.orgID, IncidentID: inc.ID}
	err = s.store.BreachLog(ctx, f, func(e *store.BreachLogEntry) error {
		in.Log = logLines(logEntry(s.System(), e, inc.TLP))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// logLines lays out a breach-log entry as labelled lines, in the log's column order.
func logLines(e *BreachLogEntry) []notice.LogLine {
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	hours := ""
	if e.HoursToNotify != nil {
		hours = fmt.Sprintf("%.1f hours", *e.HoursToNotify)
	}
	lines := []notice.LogLine{
		{Label: "Reference", Value: e.Ref}, {Label: "Breach happened", Value: when(e.OccurredAt)},
		{Label: "Discovered", Value: when(e.DiscoveredAt)}, {Label: "Became aware", Value: when(e.AwareAt)},
		{Label: "Facts and circumstances", Value: e.WhatHappened}, {Label: "Personal data concerned", Value: e.DataCategories},
		{Label: "People affected", Value: e.People}, {Label: "Records", Value: e.Records},
		{Label: "Effects and likely consequences", Value: e.Effects}, {Label: "Remedial action", Value: e.RemedialAction},
		{Label: "Risk assessed", Value: e.Risk}, {Label: "Recommendation", Value: e.Recommendation},
		{Label: "Decision", Value: e.Decision}, {Label: "Reasoning", Value: e.Reasoning},
		{Label: "Why not notified", Value: e.WhyNotNotified}, {Label: "Authority notified", Value: when(e.NotifiedAuthorityAt)},
		{Label: "People notified", Value: when(e.NotifiedSubjectsAt)}, {Label: "Time to notify", Value: hours},
		{Label: "Reasons for delay", Value: e.LateReason},
	}
	for i := range lines {
		if strings.TrimSpace(lines[i].Value) == "" {
			lines[i].Value = "Not recorded yet"
		}
	}
	return lines
}

// Pack prepares the notification to an authority in a phase, with its completeness check.
func (s *Service) Pack(ctx context.Context, p auth.Principal, ref string, a notice.Authority, phase notice.Phase) (*notice.Pack, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	in, err := s.noticeInput(ctx, inc)
	if err != nil {
		return nil, err
	}
	return notice.Prepare(in, a, phase), nil
}

// MaxAnswer bounds one typed answer to a regulator's question.
const MaxAnswer = domain.MaxShortText

// SetNoticeAnswers stores the team's answers to questions Vigil cannot derive (or wants to
// word differently); an empty answer removes one. Keys are pack field IDs.
func (s *Service) SetNoticeAnswers(ctx context.Context, p auth.Principal, ref string, answers map[string]string) error {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	ids := notice.FieldIDs()
	clean := map[string]string{}
	for k, val := range answers {
		val = strings.TrimSpace(val)
		switch {
		case !slices.Contains(ids, k) || k == "phase":
			v.Add("answers."+k, "is not a question of any authority's form")
		case len(val) > MaxAnswer:
			v.Add("answers."+k, fmt.Sprintf("must be %d characters or fewer", MaxAnswer))
		case val != "":
			clean[k] = val
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	raw, _ := json.Marshal(clean)
	return mapErr(s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetNoticeAnswers(s.orgID, inc.ID, string(raw), p.Label(), s.now()); err != nil {
			return err
		}
		return tx.Append(s.entry(p, "notice.answers_changed", inc, clean))
	}))
}

// NotificationPlan lists the parties to consider for an incident: Vigil's suggestion for
// each, replaced by the team's decision where someone has edited the row.
func (s *Service) NotificationPlan(ctx context.Context, p auth.Principal, ref string) ([]notice.Party, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	return s.plan(ctx, inc)
}

func (s *Service) plan(ctx context.Context, inc *domain.Incident) ([]notice.Party, error) {
	in, err := s.noticeInput(ctx, inc)
	if err != nil {
		return nil, err
	}
	parties := notice.Plan(in)
	saved, err := s.store.Plan(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for i := range parties {
		if r, ok := saved[parties[i].ID]; ok {
			at := r.UpdatedAt
			parties[i].Decision, parties[i].Reason, parties[i].EditedBy, parties[i].EditedAt = notice.Decision(r.Decision), r.Reason, r.UpdatedBy, &at
		}
	}
	return parties, nil
}

// PlanEdit is a person's decision on one party of the plan.
type PlanEdit struct {
	Party    string          `json:"party"`
	Decision notice.Decision `json:"decision"`
	Reason   string          `json:"reason"`
}

// SetNotificationPlan records the team's decisions on the plan. Parties left out keep their
// earlier decision; a decision other than Vigil's suggestion needs a reason.
func (s *Service) SetNotificationPlan(ctx context.Context, p auth.Principal, ref string, edits []PlanEdit) ([]notice.Party, error) {
	inc, err := s.authorize(ctx, p, ref, auth.PrepareNotice)
	if err != nil {
		return nil, err
	}
	current, err := s.plan(ctx, inc)
	if err != nil {
		return nil, err
	}
	byID := map[string]*notice.Party{}
	for i := range current {
		byID[current[i].ID] = &current[i]
	}
	v := &domain.ValidationError{}
	seen := map[string]bool{}
	for i, e := range edits {
		field := fmt.Sprintf("parties[%d]", i)
		e.Reason = strings.TrimSpace(e.Reason)
		edits[i].Reason = e.Reason
		pt, ok := byID[e.Party]
		switch {
		case !ok:
			v.Add(field+".party", fmt.Sprintf("%q is not a party in this incident's plan", e.Party))
		case seen[e.Party]:
			v.Add(field+".party", fmt.Sprintf("%q appears twice", e.Party))
		case !slices.Contains(notice.Decisions, e.Decision):
			v.Add(field+".decision", "must be now, later or not")
		case e.Reason == "" && e.Decision != pt.Suggested:
			v.Add(field+".reason", "Give the reason for deciding differently from the suggestion")
		case len(e.Reason) > domain.MaxShortText:
			v.Add(field+".reason", fmt.Sprintf("must be %d characters or fewer", domain.MaxShortText))
		}
		seen[e.Party] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	saved, err := s.store.Plan(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var changes []map[string]string
	for _, e := range edits {
		pt := byID[e.Party]
		reason := e.Reason
		if reason == "" {
			reason = pt.SuggestedReason
		}
		if pt.Decision == e.Decision && pt.Reason == reason {
			continue
		}
		changes = append(changes, map[string]string{"party": e.Party, "from": string(pt.Decision), "to": string(e.Decision), "reason": reason})
		saved[e.Party] = store.PlanRow{Party: e.Party, Decision: string(e.Decision), Reason: reason, UpdatedBy: p.Label(), UpdatedAt: now}
	}
	if len(changes) > 0 {
		rows := make([]store.PlanRow, 0, len(saved))
		for _, id := range sortedPlanKeys(saved) {
			rows = append(rows, saved[id])
		}
		err = s.store.Write(ctx, func(tx *store.Tx) error {
			if err := tx.ReplacePlan(s.orgID, inc.ID, rows); err != nil {
				return err
			}
			return tx.Append(s.entry(p, "notice.plan_changed", inc, map[string]any{"changes": changes}))
		})
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return s.plan(ctx, inc)
}

func sortedPlanKeys(m map[string]store.PlanRow) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// adviceFor suggests what people can do, from the categories of data involved (seed 002:
// "recommending resetting relevant usernames/passwords or offering credit monitoring").
func adviceFor(f *breach.Facts) string {
	advice := []string{"Be wary of unexpected e-mails, calls or letters that mention this incident or ask for personal details; we will never ask for your password."}
	if f == nil {
		return strings.Join(advice, "\n")
	}
	for _, c := range f.Data.Categories {
		switch c {
		case breach.CategoryCredentials:
			advice = append(advice, "Change your password, and anywhere else you use the same one.")
		case breach.CategoryFinancial, breach.CategoryPaymentCard:
			advice = append(advice, "Check your bank and card statements, and tell your bank about anything you do not recognise.")
		case breach.CategoryIdentificationNumbers, breach.CategoryOfficialDocuments:
			advice = append(advice, "Consider checking your credit file for applications you did not make.")
		}
	}
	return strings.Join(advice, "\n")
}

// validateSent checks what a notification record says about the document sent.
func validateSent(v *domain.ValidationError, n *NewNotification) {
	n.Phase = strings.TrimSpace(n.Phase)
	if n.Phase != "" {
		ph, ok := notice.ParsePhase(n.Phase)
		if !ok {
			v.Add("phase", "must be initial, follow_up or final")
		}
		n.Phase = string(ph)
	}
	n.DocumentSHA256 = strings.ToLower(strings.TrimSpace(n.DocumentSHA256))
	if n.DocumentSHA256 != "" && !isSHA256(n.DocumentSHA256) {
		v.Add("document_sha256", "must be the SHA-256 of the document: 64 hexadecimal characters")
	}
	if n.PeopleCount != nil && *n.PeopleCount < 0 {
		v.Add("people_count", "must be 0 or more")
	}
	if n.LetterRun < 0 {
		v.Add("letter_run", "must be the number of a letter run of this incident")
	}
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// fromLetterRun ties a notification to the letter run that made it: the people told are
// the run's recipients and the document is the run's manifest, unless the caller said
// otherwise. A draft has told nobody.
func fromLetterRun(tx *store.Tx, incidentID, runID int64, rec *store.Notification) error {
	run, err := tx.LetterRunTx(incidentID, runID)
	if errors.Is(err, store.ErrNotFound) {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "letter_run", Message: "This incident has no such letter run"}}}
	}
	if err != nil {
		return err
	}
	if run.State == store.RunDraft {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "letter_run", Message: "The letters have not been sent or generated yet"}}}
	}
	rec.LetterRunID = &run.ID
	if rec.PeopleCount == nil {
		n := int64(run.Recipients)
		rec.PeopleCount = &n
	}
	if rec.DocumentSHA256 == "" {
		rec.DocumentSHA256 = run.DocumentSHA256
	}
	return nil
}

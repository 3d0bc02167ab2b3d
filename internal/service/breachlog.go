package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Period is a span of whole days (UTC): From inclusive, To exclusive. Nil ends are open.
type Period struct {
	From, To *time.Time
}

// ParsePeriod reads the inclusive dates people type (YYYY-MM-DD, either may be empty).
func ParsePeriod(from, to string) (Period, error) {
	var p Period
	v := &domain.ValidationError{}
	day := func(field, s string) *time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			v.Add(field, fmt.Sprintf("%q is not a date: use YYYY-MM-DD, for example 2026-07-01", s))
			return nil
		}
		return &t
	}
	p.From = day("from", from)
	if t := day("to", to); t != nil {
		next := t.AddDate(0, 0, 1) // the last day is included
		p.To = &next
	}
	if p.From != nil && p.To != nil && !p.From.Before(*p.To) {
		v.Add("to", "The end of the period must not be before its start")
	}
	return p, v.Err()
}

// Describe says the period in words for headings and file names.
func (p Period) Describe() string {
	f, t := "the beginning", "today"
	if p.From != nil {
		f = p.From.Format(time.DateOnly)
	}
	if p.To != nil {
		t = p.To.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return f + " to " + t
}

// BreachLogEntry is one line of the breach log (seed 002, DPJL 2018 Art. 20(5); GDPR Art.
// 33(5)), derived from the incident, its newest assessment, the decision standing on it and
// the notifications recorded. Free text is replaced by "[withheld: …]" when the reader may not
// see it; the entry itself is always there, because the log must be complete.
type BreachLogEntry struct {
	Ref                 string     `json:"ref"`
	Title               string     `json:"title"`
	Withheld            string     `json:"withheld,omitempty"`
	TLP                 string     `json:"tlp"`
	WhatHappened        string     `json:"what_happened"`
	DataCategories      string     `json:"data_categories"`
	People              string     `json:"people"`
	Records             string     `json:"records"`
	Effects             string     `json:"effects"`
	RemedialAction      string     `json:"remedial_action"`
	Risk                string     `json:"risk"`
	Recommendation      string     `json:"recommendation"`
	Decision            string     `json:"decision"`
	Reasoning           string     `json:"reasoning"`
	WhyNotNotified      string     `json:"why_not_notified"`
	DecidedBy           string     `json:"decided_by"`
	ApprovedBy          string     `json:"approved_by"`
	OccurredAt          *time.Time `json:"occurred_at"`
	DiscoveredAt        *time.Time `json:"discovered_at"`
	AwareAt             *time.Time `json:"aware_at"`
	NotifiedAuthorityAt *time.Time `json:"notified_authority_at"`
	NotifiedSubjectsAt  *time.Time `json:"notified_subjects_at"`
	HoursToNotify       *float64   `json:"hours_to_notify"`
	LateReason          string     `json:"late_reason"`
}

// ExportRequest says what an export covers and for whom.
type ExportRequest struct {
	Period Period
	// Quarter is the quarterly return's quarter ("2026Q3"); unused by the breach log.
	Quarter string
	Format  string // csv, xlsx, pdf (json for the API's breach log)
	// Audience is the TLP level the readers are cleared for; empty means amber.
	Audience string
}

// ExportSummary reports what an export wrote.
type ExportSummary struct {
	Rows int
	// Withheld counts entries whose text was withheld from this audience.
	Withheld int
}

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
	FormatPDF  = "pdf"
	FormatJSON = "json"
)

// ContentType is the media type of an export format.
func ContentType(format string) string {
	switch format {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatPDF:
		return "application/pdf"
	}
	return "application/json"
}

func (r *ExportRequest) validate(formats ...string) error {
	v := &domain.ValidationError{}
	r.Format = strings.ToLower(strings.TrimSpace(r.Format))
	if !slices.Contains(formats, r.Format) {
		v.Add("format", fmt.Sprintf("%q is not one of %s", r.Format, strings.Join(formats, ", ")))
	}
	if r.Audience == "" {
		r.Audience = "amber"
	}
	a, ok := taxonomy.NormaliseTLP(r.Audience)
	if !ok {
		v.Add("tlp", fmt.Sprintf("%q is not a TLP level: use clear, green, amber, amber+strict or red", r.Audience))
	}
	r.Audience = a
	return v.Err()
}

// breachLogFilter is the store filter for a reader and period.
func (s *Service) breachLogFilter(p auth.Principal, per Period) store.BreachLogFilter {
	return store.BreachLogFilter{OrgID: s.orgID, From: per.From, To: per.To, Viewer: p.UserID}
}

// BreachLog streams the entries of the breach log for a period to fn, in order of awareness.
// It records nothing; ExportBreachLog is the recorded export.
func (s *Service) BreachLog(ctx context.Context, p auth.Principal, per Period, audience string, fn func(*BreachLogEntry) error) error {
	if !auth.Can(p, auth.ReadBreachLog, nil) {
		return domain.ErrForbidden
	}
	return s.store.BreachLog(ctx, s.breachLogFilter(p, per), func(e *store.BreachLogEntry) error {
		return fn(logEntry(p, e, audience))
	})
}

// logFacts is the part of breach.Facts the log shows: decoding only it skips building the
// rest of the facts for every entry of a long log.
type logFacts struct {
	Subjects struct {
		Count           *int64 `json:"count"`
		CountIsEstimate *bool  `json:"count_is_estimate"`
	} `json:"subjects"`
	Data struct {
		Categories []string `json:"categories"`
		Records    *int64   `json:"records"`
	} `json:"data"`
	Cause struct {
		Description string `json:"description"`
	} `json:"cause"`
	Mitigations []string `json:"mitigations"`
}

// logEntry derives one line of the log from the records.
func logEntry(p auth.Principal, e *store.BreachLogEntry, audience string) *BreachLogEntry {
	out := &BreachLogEntry{Ref: e.Ref, Title: e.Title, TLP: e.TLP, OccurredAt: e.OccurredAt, DiscoveredAt: e.DiscoveredAt, AwareAt: e.AwareAt,
		NotifiedAuthorityAt: e.NotifiedAuthorityAt, NotifiedSubjectsAt: e.NotifiedSubjectsAt, LateReason: e.LateReason}
	var facts logFacts
	var annex Annex
	var rec recommended
	if a := e.Assessment; a != nil {
		// Stored facts and decisions passed the strict decoder and the engine when saved; the
		// plain decoder reads them several times faster, which a 100,000-entry log needs.
		_ = json.Unmarshal([]byte(a.Facts), &facts)
		_ = json.Unmarshal([]byte(a.Annex), &annex)
		_ = json.Unmarshal([]byte(a.Decision), &rec)
	}
	out.WhatHappened = joinText(e.Nature, facts.Cause.Description, annex.HowItHappened)
	out.DataCategories = strings.Join(facts.Data.Categories, ", ")
	if c := facts.Subjects.Count; c != nil {
		out.People = fmt.Sprint(*c)
		if est := facts.Subjects.CountIsEstimate; est == nil || *est {
			out.People = "about " + out.People
		}
	} else if e.People != "" {
		out.People = e.People
	}
	if r := facts.Data.Records; r != nil {
		out.Records = fmt.Sprint(*r)
	}
	if rec.Risk != "" {
		out.Risk = string(rec.Risk)
	}
	var harms string
	if len(annex.Harms) > 0 {
		harms = "Possible harms: " + strings.ReplaceAll(strings.Join(annex.Harms, ", "), "_", " ")
	}
	worst := ""
	if annex.WorstCase != "" {
		worst = "Worst case: " + annex.WorstCase
	}
	out.Effects = joinText(harms, annex.HarmNotes, worst, annex.DataTells)
	contained := ""
	if e.ContainedAt != nil {
		contained = "Contained " + e.ContainedAt.Format("2006-01-02 15:04 UTC")
	}
	out.RemedialAction = joinText(strings.Join(facts.Mitigations, "; "), annex.ActionTaken, e.Actions, contained)
	if e.Assessment != nil {
		out.Recommendation = recommendation(rec)
	}
	out.Decision, out.Reasoning, out.DecidedBy, out.ApprovedBy = decisionText(e.Decision, rec)
	out.WhyNotNotified = whyNotNotified(e, rec)
	if e.NotifiedAuthorityAt != nil {
		since := e.ReportedAt
		if e.AwareAt != nil {
			since = *e.AwareAt
		} else if e.DiscoveredAt != nil {
			since = *e.DiscoveredAt
		}
		h := math.Round(e.NotifiedAuthorityAt.Sub(since).Hours()*10) / 10
		out.HoursToNotify = &h
	}
	sub := &auth.Subject{OrgID: p.OrgID, Restricted: e.Restricted, OwnerID: e.OwnerID, ReporterUserID: e.ReporterUserID, Named: e.Named}
	switch {
	case !auth.Can(p, auth.ReadIncident, sub):
		out.withhold("restricted")
	case !taxonomy.TLPAllows(e.TLP, audience):
		out.withhold("TLP:" + strings.ToUpper(e.TLP))
	}
	return out
}

// withhold blanks the free text a reader may not see. Dates, counts, categories and the
// decision stay: they are what the log must show and carry no account of the incident.
func (b *BreachLogEntry) withhold(why string) {
	b.Withheld = why
	mark := "[withheld: " + why + "]"
	for _, f := range []*string{&b.Title, &b.WhatHappened, &b.Effects, &b.RemedialAction, &b.Reasoning, &b.LateReason} {
		if *f != "" {
			*f = mark
		}
	}
	b.Title = mark
}

func joinText(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, strings.TrimRight(p, "."))
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return strings.Join(keep, ". ") + "."
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// recommended is the part of the engine's stored decision the log shows. Decoding only these
// fields (not each obligation's reasons or the ENISA score) keeps a large export quick.
type recommended struct {
	Risk            breach.RiskLevel `json:"risk"`
	NotifyAuthority bool             `json:"notify_authority"`
	NotifySubjects  bool             `json:"notify_subjects"`
	Obligations     []struct {
		Jurisdiction     breach.Jurisdiction `json:"jurisdiction"`
		Authority        string              `json:"authority"`
		NotifyAuthority  bool                `json:"notify_authority"`
		Deadline         string              `json:"deadline"`
		NotifySubjects   bool                `json:"notify_subjects"`
		SubjectExemption string              `json:"subject_exemption"`
	} `json:"obligations"`
	Rationale []string `json:"rationale"`
}

func recommendation(d recommended) string {
	var parts []string
	for _, ob := range d.Obligations {
		s := fmt.Sprintf("%s (%s): authority %s", ob.Jurisdiction, ob.Authority, yesNo(ob.NotifyAuthority))
		if ob.NotifyAuthority && ob.Deadline != "" {
			s += " by " + strings.Replace(strings.TrimSuffix(ob.Deadline, "Z"), "T", " ", 1) + " UTC"
		}
		s += ", people " + yesNo(ob.NotifySubjects)
		if ob.SubjectExemption != "" {
			s += " (exemption: " + strings.ReplaceAll(ob.SubjectExemption, "_", " ") + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("Authority %s, people %s", yesNo(d.NotifyAuthority), yesNo(d.NotifySubjects))
	}
	return strings.Join(parts, "; ")
}

func authorityText(m map[string]bool) string {
	var js []string
	for j := range m {
		js = append(js, j)
	}
	slices.Sort(js)
	var parts []string
	for _, j := range js {
		parts = append(parts, j+" "+yesNo(m[j]))
	}
	return strings.Join(parts, ", ")
}

func decisionText(d *store.BreachDecision, rec recommended) (decision, reasoning, by, approvedBy string) {
	engine := strings.Join(rec.Rationale, " ")
	if d == nil {
		return "No decision recorded", engine, "", ""
	}
	verb := "Accepted the recommendation"
	if !d.Accepted {
		verb = "Overrode the recommendation"
	}
	decision = fmt.Sprintf("%s: authority %s; people %s", verb, authorityText(d.NotifyAuthority), yesNo(d.NotifySubjects))
	if d.ApprovalState == store.ApprovalPending {
		decision += " (awaiting sign-off)"
	}
	reasoning = joinText(d.Justification, engine)
	return decision, reasoning, d.DecidedBy, d.ApprovedBy
}

// whyNotNotified explains a missing notification: the decision not to notify and its reasons,
// or that a notification is still to be recorded.
func whyNotNotified(e *store.BreachLogEntry, rec recommended) string {
	var parts []string
	d := e.Decision
	if e.NotifiedAuthorityAt == nil {
		switch {
		case d == nil:
			parts = append(parts, "Authority: no decision recorded yet")
		case !slices.Contains(mapValues(d.NotifyAuthority), true):
			parts = append(parts, "Authority: decided not to notify — "+firstNonEmpty(d.Justification, strings.Join(rec.Rationale, " "), "no reason given"))
		default:
			parts = append(parts, "Authority: to be notified; no notification recorded yet")
		}
	}
	if e.NotifiedSubjectsAt == nil {
		switch {
		case d == nil:
		case !d.NotifySubjects:
			why := d.Justification
			for _, ob := range rec.Obligations {
				if ob.SubjectExemption != "" {
					why = firstNonEmpty(why, "exemption: "+strings.ReplaceAll(ob.SubjectExemption, "_", " "))
				}
			}
			parts = append(parts, "People: decided not to tell them — "+firstNonEmpty(why, "the risk to them is not high"))
		default:
			parts = append(parts, "People: to be told; no notification recorded yet")
		}
	}
	return strings.Join(parts, ". ")
}

func mapValues(m map[string]bool) []bool {
	var out []bool
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// quarterPattern is YYYYQn.
var quarterPattern = regexp.MustCompile(`^(\d{4})Q([1-4])$`)

// ParseQuarter reads "2026Q3" (case-insensitive) as the period of that calendar quarter (UTC).
func ParseQuarter(q string) (Period, string, error) {
	q = strings.ToUpper(strings.TrimSpace(q))
	m := quarterPattern.FindStringSubmatch(q)
	if m == nil {
		return Period{}, "", &domain.ValidationError{Fields: []domain.FieldError{{Field: "quarter",
			Message: fmt.Sprintf("%q is not a quarter: use YYYYQn with n from 1 to 4, for example 2026Q3", q)}}}
	}
	var year, n int
	fmt.Sscan(m[1], &year)
	fmt.Sscan(m[2], &n)
	from := time.Date(year, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 3, 0)
	return Period{From: &from, To: &to}, q, nil
}

package veris

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Source is the name Vigil records imported VERIS incidents under; with SourceID it makes
// an import idempotent.
const Source = "veris"

// Impact is one of confidentiality, integrity or availability: affected or not, and how.
type Impact struct {
	Affected bool
	Note     string
}

// Mapped is a VERIS record in Vigil's terms. Its vocabularies are Vigil's (triage class,
// precision, tristate, RSIT, ICO type), as strings, so this package need not depend on the
// domain model; the service turns it into an incident and validates it.
type Mapped struct {
	SourceID string

	Title, Nature, Systems, People, Discovery string

	OccurredAt        *time.Time
	OccurredPrecision string // exact, day, month, unknown
	DiscoveredAt      *time.Time

	Class        string // incident, unknown, event
	NearMiss     bool
	PersonalData string // yes, no, unknown

	RSITClass, RSITType, ICOType string
	Confidentiality              Impact
	Integrity                    Impact
	Availability                 Impact
	Tags                         []string

	// Notes say what the mapping could not carry over exactly (unknown values, dates it
	// could not use, text it shortened). The original record keeps everything.
	Notes []string
}

// Text limits of Vigil's incident fields (domain.MaxTitle and friends).
const (
	maxTitle = 200
	maxLong  = 20000
	maxShort = 5000
)

// personalVarieties are the VERIS data varieties that are personal data (GDPR Art. 4(1)).
var personalVarieties = []string{"Personal", "Medical", "Bank", "Payment", "Sensitive Personal", "Credentials", "Multi-factor credential"}

// Map turns a parsed record into Vigil's terms. now bounds dates (a date in the future is a
// typo). It fails only when the record cannot identify itself; everything else it cannot
// map becomes "unknown" with a note, so that whole datasets import.
func Map(r *Record, now time.Time) (*Mapped, error) {
	id := strings.TrimSpace(r.IncidentID)
	if id == "" {
		return nil, fmt.Errorf("incident_id is missing: without it the record cannot be imported again without duplicating it")
	}
	m := &Mapped{SourceID: id, Tags: []string{"veris"}}
	if mid := strings.TrimSpace(r.Plus.MasterID); mid != "" && !strings.EqualFold(mid, id) {
		m.SourceID = id + "/" + mid
	}
	if v := strings.TrimSpace(r.SchemaVersion); v != "" && !strings.HasPrefix(strings.ReplaceAll(v, "_", "."), "1.") {
		m.note("schema_version %q is not VERIS 1.x; read as 1.3", v)
	}
	if src := strings.ToLower(strings.TrimSpace(r.SourceID)); src != "" && utf8.RuneCountInString(src) <= 32 {
		m.Tags = append(m.Tags, src)
	}

	varieties := m.actions(r)
	m.classify(r, varieties)
	m.occurred(r, now)
	m.discovered(r, now)
	m.text(r, varieties)
	return m, nil
}

func (m *Mapped) note(format string, args ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, args...))
}

// actions returns each action category with its known varieties; unknown categories and
// varieties become "Unknown" with a note.
func (m *Mapped) actions(r *Record) map[string][]string {
	out := map[string][]string{}
	for _, cat := range sortedKeys(r.Action) {
		a := r.Action[cat]
		name := strings.ToLower(strings.TrimSpace(cat))
		if !known("", "action", name) {
			m.note("action %q is not a VERIS action; recorded as unknown", cat)
			name = "unknown"
		}
		var vs []string
		for _, v := range a.Variety {
			if name != "unknown" && !known(v, "action", name, "variety") && !legacyVariety(name, v) {
				m.note("action.%s.variety %q is not in VERIS; mapped as Unknown", name, v)
				v = "Unknown"
			}
			if !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		out[name] = append(out[name], vs...)
		if !slices.Contains(m.Tags, name) {
			m.Tags = append(m.Tags, name)
		}
	}
	if len(out) == 0 {
		m.note("the record names no action; classified as undetermined")
	}
	return out
}

// legacyVariety accepts VERIS 1.3 varieties that 1.4 renamed (the embedded enumerations are
// 1.4's), so that the 1.3 records they are meant for are not noted as unknown.
func legacyVariety(action, v string) bool {
	switch action {
	case "hacking":
		return slices.Contains([]string{"MitM", "Footprinting", "Scan network", "Mail command injection", "Unknown", "Other"}, v)
	case "malware":
		return slices.Contains([]string{"Adware", "Spyware/Keylogger", "Unknown", "Other"}, v)
	}
	return v == "Unknown" || v == "Other"
}

func (m *Mapped) classify(r *Record, varieties map[string][]string) {
	switch strings.ToLower(strings.TrimSpace(r.SecurityIncident)) {
	case "confirmed":
		m.Class = "incident"
	case "near miss":
		m.Class, m.NearMiss = "incident", true
	case "false positive":
		m.Class = "event"
	case "suspected":
		m.Class = "unknown"
	default:
		m.Class = "unknown"
		m.note("security_incident %q is not a VERIS value; triage class left unknown", r.SecurityIncident)
	}
	var integrity []string
	if r.Attribute.Integrity != nil {
		integrity = r.Attribute.Integrity.Variety
	}
	m.RSITClass, m.RSITType = Classify(varieties, integrity)

	m.PersonalData = "unknown"
	if c := r.Attribute.Confidentiality; c != nil {
		var parts []string
		personal, other := false, false
		for _, d := range c.Data {
			switch {
			case slices.Contains(personalVarieties, d.Variety):
				personal = true
			case d.Variety != "Unknown" && d.Variety != "":
				other = true
			}
			if d.Amount.Int() > 0 {
				parts = append(parts, fmt.Sprintf("%s (%d)", d.Variety, d.Amount.Int()))
			} else if d.Variety != "" {
				parts = append(parts, d.Variety)
			}
			if d.Variety != "" && !known(d.Variety, "attribute", "confidentiality", "data", "variety") {
				m.note("data variety %q is not in VERIS", d.Variety)
			}
		}
		disclosed := c.DataDisclosure
		switch {
		case personal:
			m.PersonalData = "yes"
		case other:
			m.PersonalData = "no"
		}
		note := "data disclosure: " + or(disclosed, "not stated")
		if len(parts) > 0 {
			note += "; " + strings.Join(parts, ", ")
		}
		if n := c.DataTotal.Int(); n > 0 {
			note += fmt.Sprintf("; %d records", n)
		}
		m.Confidentiality = Impact{Affected: disclosed == "Yes" || disclosed == "Potentially" || disclosed == "", Note: clip(note, 500)}
	}
	if i := r.Attribute.Integrity; i != nil {
		m.Integrity = Impact{Affected: true, Note: clip(strings.Join(i.Variety, ", "), 500)}
	}
	if a := r.Attribute.Availability; a != nil {
		note := strings.Join(a.Variety, ", ")
		if d := a.Duration; d != nil && d.Unit != "" {
			note += "; duration: " + span(d)
		}
		m.Availability = Impact{Affected: true, Note: clip(note, 500)}
	}
	if m.PersonalData == "yes" {
		act, v := Primary(varieties)
		m.ICOType = icoType(act, v, r.paper())
	}
}

// paper reports whether the affected assets are documents (VERIS "M - Documents").
func (r *Record) paper() bool {
	for _, a := range r.Asset.Assets {
		if strings.HasSuffix(a.Variety, "Documents") {
			return true
		}
	}
	return false
}

var earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// occurred reads timeline.incident. VERIS gives a year and maybe a month and a day; Vigil
// keeps the first instant of what is known with its precision. A year alone has no Vigil
// precision, so it stays in the text, not as a date pretending to be January 1st.
func (m *Mapped) occurred(r *Record, now time.Time) {
	m.OccurredPrecision = "unknown"
	in := r.Timeline.Incident
	y, mo, d := in.Year.Int(), in.Month.Int(), in.Day.Int()
	switch {
	case !in.Year.Set:
		m.note("timeline.incident.year is missing: when it happened is unknown")
		return
	case mo == 0 && d == 0:
		return // year only: said in the nature text
	case mo < 1 || mo > 12:
		m.note("timeline.incident.month %d is not a month: only the year is kept", mo)
		return
	}
	t := time.Date(y, time.Month(mo), max(d, 1), 0, 0, 0, 0, time.UTC)
	prec := "day"
	if d == 0 {
		prec = "month"
	} else if t.Day() != d {
		m.note("timeline.incident.day %d is not a day of %d-%02d: only the month is kept", d, y, mo)
		t, prec = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC), "month"
	}
	if t.Before(earliest) || t.After(now) {
		m.note("timeline.incident %s is outside 1970 to today: not kept as a date", t.Format("2006-01-02"))
		return
	}
	m.OccurredAt, m.OccurredPrecision = &t, prec
}

// unitDur is the length of VERIS duration units; months and years are averages, which is
// as exact as an interval given in months can be.
var unitDur = map[string]time.Duration{
	"Seconds": time.Second, "Minutes": time.Minute, "Hours": time.Hour, "Days": 24 * time.Hour,
	"Weeks": 7 * 24 * time.Hour, "Months": 30 * 24 * time.Hour, "Years": 365 * 24 * time.Hour,
}

// discovered derives the discovery instant from the occurrence and timeline.discovery (the
// interval from compromise to discovery) when both are known. It is as precise as the
// coarser of the two, which the discovery text says.
func (m *Mapped) discovered(r *Record, now time.Time) {
	d := r.Timeline.Discovery
	if d == nil || m.OccurredAt == nil || !d.Value.Set || d.Value.Value < 0 {
		return
	}
	unit, ok := unitDur[d.Unit]
	if !ok || d.Value.Value > 1000 {
		return
	}
	t := m.OccurredAt.Add(time.Duration(d.Value.Value * float64(unit)))
	if t.After(now) {
		return
	}
	m.DiscoveredAt = &t
}

func span(s *Span) string {
	if s.Value.Set {
		return fmt.Sprintf("%g %s", s.Value.Value, strings.ToLower(s.Unit))
	}
	return strings.ToLower(s.Unit)
}

// text fills the title and the descriptive fields.
func (m *Mapped) text(r *Record, varieties map[string][]string) {
	summary := strings.TrimSpace(r.Summary)
	act, v := Primary(varieties)
	what := "Incident"
	if act != "" && act != "unknown" {
		what = strings.ToUpper(act[:1]) + act[1:]
		if v != "" && v != "Unknown" {
			what += " (" + v + ")"
		}
	}
	when := ""
	if y := r.Timeline.Incident.Year.Int(); r.Timeline.Incident.Year.Set {
		when = fmt.Sprintf(" in %d", y)
	}
	if summary != "" {
		m.Title = title(summary)
	} else {
		m.Title = "VERIS: " + what + when
	}

	var nature strings.Builder
	if summary != "" {
		nature.WriteString(summary)
	} else {
		fmt.Fprintf(&nature, "Imported from VERIS without a summary. %s%s.", what, when)
	}
	nature.WriteString("\n\nVERIS " + or(r.IncidentID, "record"))
	if mo := r.Timeline.Incident.Month.Int(); r.Timeline.Incident.Year.Set && m.OccurredAt == nil {
		fmt.Fprintf(&nature, "; occurred in %d", r.Timeline.Incident.Year.Int())
		if mo >= 1 && mo <= 12 {
			fmt.Fprintf(&nature, "-%02d", mo)
		}
	}
	var acts []string
	for _, a := range sortedKeys(varieties) {
		acts = append(acts, a+": "+or(strings.Join(varieties[a], ", "), "Unknown"))
	}
	if len(acts) > 0 {
		nature.WriteString("; actions " + strings.Join(acts, "; "))
	}
	var actors []string
	for _, a := range sortedKeys(r.Actor) {
		s := a
		if vs := r.Actor[a].Variety; len(vs) > 0 {
			s += " (" + strings.Join(vs, ", ") + ")"
		}
		if ms := r.Actor[a].Motive; len(ms) > 0 {
			s += " motive " + strings.Join(ms, ", ")
		}
		actors = append(actors, s)
	}
	if len(actors) > 0 {
		nature.WriteString("; actors " + strings.Join(actors, "; "))
	}
	if c := strings.TrimSpace(r.Confidence); c != "" {
		nature.WriteString("; confidence " + c)
	}
	if ref := strings.TrimSpace(r.Reference); ref != "" {
		nature.WriteString("\nSources: " + ref)
	}
	nature.WriteString(".")
	m.Nature = m.fit("nature", nature.String(), maxLong)

	var assets []string
	for _, a := range r.Asset.Assets {
		s := strings.TrimSpace(a.Variety)
		if s == "" {
			continue
		}
		if !known(s, "asset", "assets", "variety") && !strings.HasSuffix(s, "Unknown") && !strings.HasSuffix(s, "Other") {
			m.note("asset variety %q is not in VERIS", s)
		}
		if n := a.Amount.Int(); n > 1 {
			s += fmt.Sprintf(" (%d)", n)
		}
		assets = append(assets, s)
	}
	m.Systems = m.fit("systems", strings.Join(assets, "; "), maxShort)

	var people []string
	if c := r.Attribute.Confidentiality; c != nil && len(c.DataVictim) > 0 {
		people = append(people, "Data subjects: "+strings.Join(c.DataVictim, ", "))
	}
	var victim []string
	if ind := strings.TrimSpace(r.Victim.Industry); ind != "" {
		victim = append(victim, "industry NAICS "+ind)
	}
	if len(r.Victim.Country) > 0 {
		loc := strings.Join(r.Victim.Country, ", ")
		if st := strings.TrimSpace(r.Victim.State); st != "" {
			loc += " (" + st + ")"
		}
		victim = append(victim, loc)
	}
	if ec := strings.TrimSpace(r.Victim.EmployeeCount); ec != "" && ec != "Unknown" {
		victim = append(victim, ec+" employees")
	}
	if len(victim) > 0 {
		people = append(people, "Victim organisation: "+strings.Join(victim, ", "))
	}
	m.People = m.fit("people", strings.Join(people, ". "), maxShort)

	var disc []string
	for _, k := range sortedKeys(r.DiscoveryMethod) {
		var e Enums
		_ = json.Unmarshal(r.DiscoveryMethod[k], &e) // other/unknown are booleans, not objects
		if len(e.Variety) > 0 {
			disc = append(disc, k+" ("+strings.Join(e.Variety, ", ")+")")
		} else {
			disc = append(disc, k)
		}
	}
	var discovery string
	if len(disc) > 0 {
		discovery = "Discovered: " + strings.Join(disc, "; ") + "."
	}
	if d := r.Timeline.Discovery; d != nil && d.Unit != "" {
		discovery += " Time from compromise to discovery: " + span(d) + "."
		if m.DiscoveredAt != nil {
			discovery += " The discovery date is derived from it and the occurrence date, so it is approximate."
		}
	}
	if n := strings.TrimSpace(r.DiscoveryNotes); n != "" {
		discovery += " " + n
	}
	m.Discovery = m.fit("discovery", strings.TrimSpace(discovery), maxShort)
}

// title is the summary's first sentence, cut at a word to fit a title.
func title(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i > 0 && i < maxTitle {
		s = s[:i+1]
	}
	return clip(s, maxTitle)
}

// fit shortens text to limit runes, noting it (the original record keeps the whole text).
func (m *Mapped) fit(field, s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	m.note("%s shortened to %d characters; the VERIS original keeps the whole text", field, limit)
	return clip(s, limit)
}

// clip cuts s to at most limit runes, at a space when one is near, with an ellipsis.
func clip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)[:limit-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}

func or(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

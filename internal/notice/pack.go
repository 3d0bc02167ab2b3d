package notice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
)

// Authority is a supervisory authority Vigil prepares packs for.
type Authority string

// Authorities. EU stands for the EEA authority the breach decision names (the lead
// authority under the one-stop-shop, GDPR Art. 56(1), or each state's authority).
const (
	ICO  Authority = "ICO"
	JOIC Authority = "JOIC"
	EU   Authority = "EU"
)

// Authorities lists every authority in a fixed order.
var Authorities = []Authority{ICO, JOIC, EU}

// ParseAuthority accepts an authority's code in any case.
func ParseAuthority(s string) (Authority, bool) {
	a := Authority(strings.ToUpper(strings.TrimSpace(s)))
	return a, slices.Contains(Authorities, a)
}

// Jurisdiction is the jurisdiction whose law the authority applies.
func (a Authority) Jurisdiction() breach.Jurisdiction {
	switch a {
	case ICO:
		return breach.JurisdictionUK
	case JOIC:
		return breach.JurisdictionJE
	}
	return breach.JurisdictionEU
}

// Name is the authority's full name.
func (a Authority) Name() string {
	switch a {
	case ICO:
		return "Information Commissioner's Office (ICO)"
	case JOIC:
		return "Jersey Office of the Information Commissioner (JOIC)"
	}
	return "EU/EEA supervisory authority"
}

// Phase is which notification to the authority a pack is for: GDPR Art. 33(4) and DPJL 2018
// Art. 20(4) let information follow in phases without undue further delay.
type Phase string

// Phases.
const (
	PhaseInitial  Phase = "initial"
	PhaseFollowUp Phase = "follow_up"
	PhaseFinal    Phase = "final"
)

// Phases lists every phase in order.
var Phases = []Phase{PhaseInitial, PhaseFollowUp, PhaseFinal}

// ParsePhase accepts a phase; "" is the initial notification.
func ParsePhase(s string) (Phase, bool) {
	if s == "" {
		return PhaseInitial, true
	}
	p := Phase(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	return p, slices.Contains(Phases, p)
}

// Words is the phase as the forms ask it.
func (p Phase) Words() string {
	switch p {
	case PhaseFollowUp:
		return "Follow-up notification (further information on a breach already reported)"
	case PhaseFinal:
		return "Final notification (complete information)"
	}
	return "Initial notification"
}

// Need says when a missing field must be supplied.
type Need string

// Needs.
const (
	NeedNow   Need = "now"        // the notification cannot go without it
	NeedLater Need = "may_follow" // it may follow in a later phase (Art. 33(4))
)

// Field is one question of the authority's form with the answer Vigil prepared.
type Field struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Ask is the question as the authority's guidance puts it, with its source.
	Ask     string `json:"ask"`
	Value   string `json:"value"`
	Missing bool   `json:"missing"`
	// Need is set on missing fields.
	Need Need `json:"need,omitempty"`
	// Answered says the value was typed by the team rather than derived.
	Answered bool `json:"answered"`
}

// Missing is one field the pack still lacks.
type Missing struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Need  Need   `json:"need"`
}

// Completeness says whether a pack can be sent in its phase and what it still lacks.
type Completeness struct {
	// Ready is true when nothing needed now is missing.
	Ready   bool      `json:"ready"`
	Missing []Missing `json:"missing"`
}

// Pack is a notification to one authority, in one phase, laid out in the order of the
// authority's online form.
type Pack struct {
	Authority     Authority    `json:"authority"`
	AuthorityName string       `json:"authority_name"`
	Marking       string       `json:"marking"`
	Ref           string       `json:"ref"`
	Title         string       `json:"title"`
	Phase         Phase        `json:"phase"`
	Deadline      *time.Time   `json:"deadline"`
	Late          bool         `json:"late"`
	Fields        []Field      `json:"fields"`
	Completeness  Completeness `json:"completeness"`
	LogExtract    []LogLine    `json:"breach_log_extract"`
	PreparedAt    time.Time    `json:"prepared_at"`
}

// LogLine is one line of the breach-log extract (GDPR Art. 33(5); DPJL 2018 Art. 20(5)).
type LogLine struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// spec is a field of some authority's form and how Vigil answers it.
type spec struct {
	id, label, ask string
	value          func(in *Input, a Authority) string
}

// Field IDs that callers (and answers) refer to.
const (
	FieldDelayReasons = "delay_reasons"
)

// specs are every field any authority asks, worded once.
var specs = map[string]spec{
	"phase": {"phase", "First or subsequent notification", "Whether it is a first or subsequent notification (seed 002)",
		func(*Input, Authority) string { return "" }},
	"controller": {"controller", "Name of the data controller", "The name of the data controller (seed 002; GDPR Art. 33(3)(b))",
		func(in *Input, _ Authority) string { return in.Org.Controller }},
	"organisation_affected": {"organisation_affected", "Organisation affected, if different from the controller",
		"The name of the organisation affected by the data breach, if different from the data controller (seed 002)",
		func(in *Input, _ Authority) string {
			if in.Facts != nil && in.Facts.Role == breach.RoleProcessor {
				return ""
			}
			return "The same as the data controller"
		}},
	"role": {"role", "Controller or processor", "Are you the controller or the processor of the data? (ICO form)",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || in.Facts.Role == "" {
				return ""
			}
			if in.Facts.Role == breach.RoleProcessor {
				return "Processor"
			}
			return "Controller"
		}},
	"dpo": {"dpo", "Data protection officer or contact point",
		"The name and contact details of the DPO or other point of contact where more information can be obtained (GDPR Art. 33(3)(b); seed 002)",
		func(in *Input, _ Authority) string {
			if in.Org.DPOName == "" || in.Org.DPOContact == "" {
				return ""
			}
			return in.Org.DPOName + "\n" + in.Org.DPOContact
		}},
	"lead_authority": {"lead_authority", "Lead supervisory authority and main establishment",
		"The lead supervisory authority under the one-stop-shop, and the main establishment in the EU (GDPR Art. 56(1))",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || in.Facts.EUMainEstablishment == "" {
				return ""
			}
			name := euAuthorityOf(in)
			return lines(name, "Main establishment: "+string(in.Facts.EUMainEstablishment))
		}},
	"member_states": {"member_states", "EU/EEA states where people are affected", "The member states where the people affected live (GDPR Art. 56; EDPB Guidelines 9/2022)",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || len(in.Facts.EUMemberStates) == 0 {
				return ""
			}
			s := make([]string, len(in.Facts.EUMemberStates))
			for i, c := range in.Facts.EUMemberStates {
				s[i] = string(c)
			}
			return strings.Join(s, ", ")
		}},
	"occurred_at": {"occurred_at", "When the breach happened", "The date and time of the data breach, or a best estimate (seed 002)",
		func(in *Input, _ Authority) string {
			t := in.OccurredAt
			if in.Facts != nil && in.Facts.OccurredAt != nil {
				t = in.Facts.OccurredAt
			}
			if t == nil {
				return ""
			}
			if in.OccurredEstimate {
				return when(*t) + " (best estimate)"
			}
			return when(*t)
		}},
	"aware_at": {"aware_at", "When we became aware of the breach", "The date and time the controller became aware of the data breach (seed 002; GDPR Art. 33(1))",
		func(in *Input, _ Authority) string {
			t := in.AwareAt
			if in.Facts != nil && in.Facts.AwareAt != nil {
				t = in.Facts.AwareAt
			}
			if t == nil {
				return ""
			}
			return when(*t)
		}},
	"summary": {"summary", "What happened", "A summary of the incident: what happened, where, why, and who caused it (seed 002; GDPR Art. 33(3)(a))",
		func(in *Input, _ Authority) string {
			var cause string
			if in.Facts != nil && in.Facts.Cause.Description != "" {
				cause = "Cause: " + in.Facts.Cause.Description
			}
			how := in.Narrative.HowItHappened
			if how != "" {
				how = "How it happened: " + how
			}
			who := in.Narrative.Involved
			if who != "" {
				who = "Who was involved: " + who
			}
			seen := in.Narrative.SeenBy
			if seen != "" {
				seen = "Who has seen the data, and what they did with it: " + seen
			}
			return lines(in.Nature, how, cause, who, seen)
		}},
	"data_content": {"data_content", "Personal data concerned", "The nature and content of the personal data concerned, and the categories of data (seed 002; GDPR Art. 33(3)(a))",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || len(in.Facts.Data.Categories) == 0 {
				return ""
			}
			special := "No special category or criminal offence data."
			for _, c := range in.Facts.Data.Categories {
				if strings.Contains(categoryWords[c], "special category") || c == breach.CategoryCriminal {
					special = "Includes special category or criminal offence data."
				}
			}
			tells := in.Narrative.DataTells
			if tells != "" {
				tells = "What the data could tell a third party: " + tells
			}
			return lines(upperFirst(categories(in.Facts.Data.Categories))+".", special, tells)
		}},
	"subjects": {"subjects", "People affected: number and categories", "The approximate number and the categories of data subjects concerned (GDPR Art. 33(3)(a); seed 002)",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || in.Facts.Subjects.Count == nil {
				return ""
			}
			est := in.Facts.Subjects.CountIsEstimate != nil && *in.Facts.Subjects.CountIsEstimate
			s := count(*in.Facts.Subjects.Count, est) + " people"
			if len(in.Facts.Subjects.Kinds) > 0 {
				kinds := make([]string, len(in.Facts.Subjects.Kinds))
				for i, k := range in.Facts.Subjects.Kinds {
					kinds[i] = kindWords[k]
				}
				s += ": " + strings.Join(kinds, ", ")
			}
			if in.Facts.Subjects.Vulnerable != nil && *in.Facts.Subjects.Vulnerable {
				s += " (including vulnerable people)"
			}
			return s
		}},
	"records": {"records", "Records affected: number and categories", "The approximate number and the categories of personal data records concerned (GDPR Art. 33(3)(a); seed 002)",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || in.Facts.Data.Records == nil {
				return ""
			}
			s := count(*in.Facts.Data.Records, false) + " records"
			if len(in.Facts.Data.Categories) > 0 {
				s += " holding " + categories(in.Facts.Data.Categories)
			}
			return s
		}},
	"consequences": {"consequences", "Likely consequences for the people affected",
		"The likely consequences of the breach and potential adverse effects on the people affected (GDPR Art. 33(3)(c); seed 002)",
		func(in *Input, _ Authority) string {
			var harms []string
			for _, h := range in.Narrative.Harms {
				harms = append(harms, harmWords[h])
			}
			var risk string
			if len(harms) > 0 {
				risk = "Possible harm: " + strings.Join(harms, ", ") + "."
			}
			worst := in.Narrative.WorstCase
			if worst != "" {
				worst = "Worst case: " + worst
			}
			if risk == "" && in.Narrative.HarmNotes == "" && worst == "" {
				return ""
			}
			var level string
			if in.Recommendation != nil {
				level = "Our assessment of the risk: " + map[breach.RiskLevel]string{breach.RiskUnlikely: "unlikely to result in a risk",
					breach.RiskRisk: "a risk", breach.RiskHigh: "a high risk"}[in.Recommendation.Risk] + " to the rights and freedoms of the people affected."
			}
			return lines(risk, in.Narrative.HarmNotes, worst, level)
		}},
	"protection": {"protection", "Protection applied to the data",
		"Technical and organisational measures applied to the affected personal data, such as encryption (seed 002; GDPR Art. 34(3)(a))",
		func(in *Input, _ Authority) string {
			if in.Facts == nil || in.Facts.Protection.Encryption == "" {
				return ""
			}
			p := in.Facts.Protection
			enc := map[breach.Encryption]string{breach.EncryptionNone: "The data was not encrypted.", breach.EncryptionWeak: "The data was encrypted, but not to current standards.",
				breach.EncryptionStateOfTheArt: "The data was encrypted to current standards."}[p.Encryption]
			var key, hash, pseudo, wipe string
			if p.KeyCompromised != nil {
				key = map[bool]string{true: "The key may have been compromised.", false: "The key was not compromised."}[*p.KeyCompromised]
			}
			if p.PasswordHashing != "" {
				hash = map[breach.Hashing]string{breach.HashingNone: "Passwords were not hashed.", breach.HashingWeak: "Passwords were hashed with a weak method.",
					breach.HashingStateOfTheArtSalted: "Passwords were salted and hashed to current standards."}[p.PasswordHashing]
			}
			if p.Pseudonymised != nil && *p.Pseudonymised {
				pseudo = "The data was pseudonymised."
			}
			if p.RemoteWipe != nil && *p.RemoteWipe {
				wipe = "The device was wiped remotely."
			}
			return lines(enc, key, hash, pseudo, wipe)
		}},
	"measures": {"measures", "Measures taken or proposed", "The measures taken or proposed to address the breach and mitigate its possible adverse effects (GDPR Art. 33(3)(d); seed 002)",
		func(in *Input, _ Authority) string {
			var ms []string
			if in.Facts != nil {
				for _, m := range in.Facts.Mitigations {
					ms = append(ms, "- "+m)
				}
			}
			return lines(in.Narrative.ActionTaken, strings.Join(ms, "\n"))
		}},
	"contained": {"contained", "Has the breach been contained?", "Whether the breach has been contained, and when (ICO form)",
		func(in *Input, _ Authority) string {
			if in.ContainedAt != nil {
				return "Yes, on " + when(*in.ContainedAt)
			}
			if in.Facts != nil && in.Facts.Ongoing != nil {
				if *in.Facts.Ongoing {
					return "No, the breach is ongoing"
				}
				return "Yes"
			}
			return ""
		}},
	"subjects_told": {"subjects_told", "Have the people affected been told?",
		"Whether the people affected have been told: the content of the notification, the means used and the number notified (seed 002; GDPR Art. 34)",
		subjectsTold},
	"cross_border": {"cross_border", "People affected in other jurisdictions", "Whether the breach affects people in any other jurisdiction (seed 002)",
		func(in *Input, a Authority) string {
			js := in.jurisdictions()
			if js == nil {
				return ""
			}
			var others []string
			for _, j := range js {
				if j == a.Jurisdiction() {
					continue
				}
				s := map[breach.Jurisdiction]string{breach.JurisdictionUK: "the United Kingdom", breach.JurisdictionJE: "Jersey", breach.JurisdictionEU: "the EU/EEA"}[j]
				if j == breach.JurisdictionEU && len(in.Facts.EUMemberStates) > 0 {
					cs := make([]string, len(in.Facts.EUMemberStates))
					for i, c := range in.Facts.EUMemberStates {
						cs[i] = string(c)
					}
					s += " (" + strings.Join(cs, ", ") + ")"
				}
				others = append(others, s)
			}
			if len(others) == 0 {
				return "No"
			}
			return "Yes: " + strings.Join(others, "; ")
		}},
	"other_authorities": {"other_authorities", "Other authorities notified", "Details of notifications to any other data protection authorities (seed 002)",
		otherAuthorities},
	"uploads": {"uploads", "Documents to upload", "The JOIC asks for an extract from the breach log, a copy of the information breached and the breach reporting policy (seed 002)",
		func(*Input, Authority) string {
			return "1. This incident's entry in the breach log: the extract at the end of this pack\n" +
				"2. A copy of the information that was breached, so the JOIC can see what was compromised\n" +
				"3. The organisation's breach reporting policy, if it has one"
		}},
	FieldDelayReasons: {FieldDelayReasons, "Reasons for the delay",
		"Notified after 72 hours, or further information delayed: the reasons for the delay (GDPR Art. 33(1); DPJL 2018 Art. 20(2); seed 002)",
		func(in *Input, a Authority) string {
			if c, ok := in.Clocks[string(a.Jurisdiction())]; ok {
				return c.LateReason
			}
			return ""
		}},
}

// form is one authority's form: its fields in order, and which are needed in the first
// notification. The rest may follow (Art. 33(4)).
type form struct {
	fields []string
	now    []string
}

var forms = map[Authority]form{
	// The JOIC's notification form, in the order seed 002 lists what it must include: the
	// first list is needed in the initial notification, the second may follow.
	JOIC: {
		fields: []string{"controller", "dpo", "phase", "occurred_at", "aware_at", "data_content", "protection", "organisation_affected",
			"summary", "subjects", "records", "consequences", "measures", "subjects_told", "cross_border", "other_authorities", FieldDelayReasons, "uploads"},
		now: []string{"controller", "dpo", "phase", "occurred_at", "aware_at", "data_content", "protection", "organisation_affected"},
	},
	// The ICO's personal data breach report form: about the breach, its effects, containment,
	// then who has been told. The ICO asks in a first report at least what happened, when,
	// and a contact (ICO guidance "What information must a breach notification contain?").
	ICO: {
		fields: []string{"phase", "controller", "role", "dpo", "summary", "occurred_at", "aware_at", "data_content", "subjects", "records",
			"consequences", "protection", "contained", "measures", "subjects_told", "cross_border", "other_authorities", FieldDelayReasons},
		now: []string{"phase", "controller", "role", "dpo", "summary", "occurred_at", "aware_at", "data_content"},
	},
	// A GDPR notification to an EEA authority: Art. 33(3)(a)–(d) with the one-stop-shop
	// details the lead authority needs (Art. 56; EDPB Guidelines 9/2022 §II.C).
	EU: {
		fields: []string{"phase", "controller", "lead_authority", "member_states", "dpo", "summary", "occurred_at", "aware_at", "data_content",
			"subjects", "records", "consequences", "protection", "measures", "subjects_told", "cross_border", "other_authorities", FieldDelayReasons},
		now: []string{"phase", "controller", "dpo", "summary", "occurred_at", "aware_at", "data_content"},
	},
}

// FieldIDs lists the IDs of every field any pack may hold, for validating answers.
func FieldIDs() []string {
	ids := make([]string, 0, len(specs))
	for id := range specs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Prepare builds the pack for an authority and phase, with its completeness check.
func Prepare(in *Input, a Authority, phase Phase) *Pack {
	p := &Pack{Authority: a, AuthorityName: a.Name(), Marking: in.Marking, Ref: in.Ref, Title: in.Title, Phase: phase, PreparedAt: in.Now.UTC(),
		Fields: []Field{}, Completeness: Completeness{Missing: []Missing{}}}
	if a == EU {
		if name := euAuthorityOf(in); name != "" {
			p.AuthorityName = name
		}
	}
	if c, ok := in.Clocks[string(a.Jurisdiction())]; ok {
		due := c.Due
		p.Deadline = &due
		done := in.Now
		if c.Met != nil {
			done = *c.Met
		}
		p.Late = done.After(due)
	}
	f := forms[a]
	// With reasons for further delay given, the details that are still missing may follow
	// in a later phase (seed 002: "a reasoned justification for the further delay").
	delayGiven := strings.TrimSpace(in.answer(FieldDelayReasons)) != "" || specs[FieldDelayReasons].value(in, a) != ""
	for _, id := range f.fields {
		sp := specs[id]
		if id == FieldDelayReasons && !p.Late && phase != PhaseFollowUp {
			continue // only asked when the deadline was missed or details are still outstanding
		}
		fd := Field{ID: id, Label: sp.label, Ask: sp.ask, Value: sp.value(in, a)}
		if id == "phase" {
			fd.Value = phase.Words()
		}
		if ans := strings.TrimSpace(in.answer(id)); ans != "" {
			fd.Value, fd.Answered = ans, true
		}
		if strings.TrimSpace(fd.Value) == "" {
			fd.Missing = true
			fd.Need = need(id, f, phase, p.Late, delayGiven)
			p.Completeness.Missing = append(p.Completeness.Missing, Missing{Field: id, Label: sp.label, Need: fd.Need})
		}
		p.Fields = append(p.Fields, fd)
	}
	p.Completeness.Ready = true
	for _, m := range p.Completeness.Missing {
		if m.Need == NeedNow {
			p.Completeness.Ready = false
		}
	}
	p.LogExtract = in.Log
	if len(p.LogExtract) == 0 {
		p.LogExtract = []LogLine{{"Breach log", "This incident is not in the breach log yet: it is recorded there once personal data is involved or a breach assessment is saved."}}
	}
	return p
}

// need decides when a missing field is needed: the first list is needed from the initial
// notification; the rest may follow until the final one. At follow-up the rest is needed
// unless reasons for the further delay are given. A late notification needs its reasons now.
func need(id string, f form, phase Phase, late, delayGiven bool) Need {
	switch {
	case id == FieldDelayReasons:
		if late {
			return NeedNow
		}
		return NeedLater
	case slices.Contains(f.now, id), phase == PhaseFinal:
		return NeedNow
	case phase == PhaseFollowUp && !delayGiven:
		return NeedNow
	}
	return NeedLater
}

func authorityOf(j breach.Jurisdiction) Authority {
	for _, a := range Authorities {
		if a.Jurisdiction() == j {
			return a
		}
	}
	return EU
}

func euAuthorityOf(in *Input) string {
	if in.Recommendation == nil {
		return ""
	}
	for _, o := range in.Recommendation.Obligations {
		if o.Jurisdiction == breach.JurisdictionEU && o.Authority != "" {
			return o.Authority
		}
	}
	return ""
}

func subjectsTold(in *Input, _ Authority) string {
	var told []string
	for _, s := range in.Sent {
		if s.Rule != "subjects" && s.PeopleCount == nil {
			continue
		}
		line := fmt.Sprintf("Yes: %s by %s on %s", s.Recipient, s.Method, when(s.SentAt))
		if s.PeopleCount != nil {
			line += fmt.Sprintf(", %d people notified", *s.PeopleCount)
		}
		told = append(told, line)
	}
	if len(told) > 0 {
		return strings.Join(told, "\n")
	}
	if in.Decided == nil {
		return ""
	}
	if in.Decided.NotifySubjects {
		return "Not yet. We have decided to tell them and will do so without undue delay."
	}
	return "No. We decided that the breach is not likely to result in a high risk to them (GDPR Art. 34(1)), or an exemption applies (Art. 34(3))."
}

func otherAuthorities(in *Input, a Authority) string {
	var out []string
	for _, s := range in.Sent {
		if s.Rule == "" || s.Scope == "" || s.Scope == string(a.Jurisdiction()) || s.Rule == "subjects" {
			continue
		}
		line := fmt.Sprintf("%s, %s, on %s", s.Recipient, s.Method, when(s.SentAt))
		if s.Phase != "" {
			line += " – " + strings.ToLower(Phase(s.Phase).Words())
		}
		if s.Reference != "" {
			line += " (their reference " + s.Reference + ")"
		}
		out = append(out, line)
	}
	if in.Decided != nil {
		for _, j := range sortedKeys(in.Decided.NotifyAuthority) {
			if j != string(a.Jurisdiction()) && in.Decided.NotifyAuthority[j] && !notifiedIn(in, j) {
				out = append(out, "To be notified: "+authorityOf(breach.Jurisdiction(j)).Name())
			}
		}
	}
	if len(out) == 0 {
		if in.Decided == nil {
			return ""
		}
		return "None"
	}
	return strings.Join(out, "\n")
}

func notifiedIn(in *Input, j string) bool {
	for _, s := range in.Sent {
		if s.Scope == j && s.Rule != "subjects" && s.Rule != "" {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

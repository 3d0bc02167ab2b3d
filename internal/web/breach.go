package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

// The breach questionnaire: a few GOV.UK question pages, grouped by topic, that build a
// vigil.breach-facts/v1 document and the annex two answers. The answers so far travel in a
// hidden field, so the journey needs neither JavaScript nor server-side drafts; the last page
// saves them as a new assessment version and shows the result.

type option struct {
	Value, Label, Hint string
	Special            bool // a special category of personal data (GDPR Art. 9, DPJL)
}

type question struct {
	Name, Label, Hint string
	Kind              string // radios, checkboxes, text, number, textarea
	Options           []option
	Value             string
	Values            map[string]bool
	Error             string
}

type breachStep struct {
	Slug, Title string
	Questions   []question
}

var yesNo = []option{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}, {Value: "unknown", Label: "Not known"}}

func opts(pairs ...string) []option {
	out := make([]option, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, option{Value: pairs[i], Label: pairs[i+1]})
	}
	return out
}

// breachSteps lists the questionnaire. Field names are the form's; facts() maps them onto
// the facts document.
var breachSteps = []breachStep{
	{Slug: "scope", Title: "Where the law applies and your role", Questions: []question{
		{Name: "jurisdictions", Label: "Which data protection laws apply?", Hint: "Select all that apply: where the organisation is and where the people affected live.", Kind: "checkboxes",
			Options: []option{{Value: "UK", Label: "UK GDPR (ICO)"}, {Value: "EU", Label: "EU GDPR (lead supervisory authority)"}, {Value: "JE", Label: "Data Protection (Jersey) Law 2018 (JOIC)"}}},
		{Name: "eu_member_states", Label: "EU countries where the people affected live", Hint: "Two-letter codes separated by commas, for example FR, DE. Only for EU GDPR.", Kind: "text"},
		{Name: "eu_main_establishment", Label: "Your main establishment in the EU", Hint: "Two-letter code, for example IE. Leave blank if you have none in the EEA.", Kind: "text"},
		{Name: "role", Label: "Are you the controller or a processor of the data?", Kind: "radios",
			Options: []option{{Value: "controller", Label: "Controller", Hint: "We decide why and how the data is used"}, {Value: "processor", Label: "Processor", Hint: "We handle the data for another organisation, which must be told"}}},
		{Name: "personal_data", Label: "Is personal data involved?", Kind: "radios", Options: yesNo},
	}},
	{Slug: "people", Title: "The people affected", Questions: []question{
		{Name: "subjects_count", Label: "How many people are affected?", Hint: "Your best estimate. Leave blank if not known.", Kind: "number"},
		{Name: "count_is_estimate", Label: "Is that number an estimate?", Kind: "radios", Options: yesNo[:2]},
		{Name: "kinds", Label: "Who are they?", Hint: "Select all that apply.", Kind: "checkboxes", Options: opts("customers", "Customers or clients", "employees", "Staff",
			"patients", "Patients", "children", "Children", "students", "Students", "vulnerable_adults", "Vulnerable adults", "users", "Users of a service", "public", "Members of the public", "other", "Others")},
		{Name: "vulnerable", Label: "Are any of them vulnerable?", Hint: "Children, patients, vulnerable adults, or people at risk, for example under protection.", Kind: "radios", Options: yesNo},
	}},
	{Slug: "data", Title: "The data involved", Questions: []question{
		{Name: "categories", Label: "What kinds of personal data were involved?", Hint: "Select all that apply. Special categories need more protection and weigh more.", Kind: "checkboxes",
			Options: []option{{Value: "basic_identifiers", Label: "Names, addresses, dates of birth"}, {Value: "contact", Label: "E-mail addresses or phone numbers"},
				{Value: "identification_numbers", Label: "Identification numbers", Hint: "National insurance, passport, driving licence, tax number"},
				{Value: "financial", Label: "Financial data", Hint: "Bank accounts, income, transactions"}, {Value: "payment_card", Label: "Payment card data"},
				{Value: "credentials", Label: "Usernames and passwords or tokens"}, {Value: "location", Label: "Location data"},
				{Value: "behavioural", Label: "Behaviour", Hint: "Call records, browsing, purchases"}, {Value: "communications", Label: "Content of messages"},
				{Value: "employment_education", Label: "Employment or education records"}, {Value: "official_documents", Label: "Official documents"}, {Value: "images", Label: "Images"},
				{Value: "health", Label: "Health", Special: true}, {Value: "genetic", Label: "Genetic data", Special: true}, {Value: "biometric", Label: "Biometric data", Special: true},
				{Value: "racial_ethnic", Label: "Racial or ethnic origin", Special: true}, {Value: "political", Label: "Political opinions", Special: true},
				{Value: "religious", Label: "Religious or philosophical beliefs", Special: true}, {Value: "trade_union", Label: "Trade union membership", Special: true},
				{Value: "sex_life_orientation", Label: "Sex life or sexual orientation", Special: true}, {Value: "criminal", Label: "Criminal records or offences", Special: true}}},
		{Name: "records", Label: "How many records?", Hint: "Leave blank if not known.", Kind: "number"},
		{Name: "volume_per_subject", Label: "How much is there about each person?", Kind: "radios",
			Options: []option{{Value: "single", Label: "A single record or a few details"}, {Value: "history", Label: "A history", Hint: "Months or years of records about each person"}, {Value: "unknown", Label: "Not known"}}},
	}},
	{Slug: "happened", Title: "What happened to the data", Questions: []question{
		{Name: "conf_lost", Label: "Did anyone not entitled to see the data see it, or could they have?", Kind: "radios", Options: yesNo},
		{Name: "exposure", Label: "Who could see it?", Kind: "radios", Options: []option{{Value: "none", Label: "Nobody outside those entitled"},
			{Value: "trusted_recipient", Label: "A trusted recipient", Hint: "For example another department or a professional bound by confidentiality"},
			{Value: "known_recipients", Label: "Known recipients"}, {Value: "unknown_recipients", Label: "Unknown recipients"}, {Value: "public", Label: "The public"}, {Value: "unknown", Label: "Not known"}}},
		{Name: "recipients", Label: "How many recipients?", Hint: "When known.", Kind: "number"},
		{Name: "exfiltration", Label: "Was the data copied or taken away?", Kind: "radios", Options: opts("ruled_out", "No, ruled out", "unlikely", "Unlikely",
			"cannot_be_excluded", "It cannot be excluded", "confirmed", "Yes, confirmed", "unknown", "Not known")},
		{Name: "recipient_bound", Label: "Is the recipient bound by confidentiality?", Kind: "radios", Options: yesNo},
		{Name: "recipient_deleted", Label: "Has the recipient confirmed they deleted the data?", Kind: "radios", Options: yesNo},
		{Name: "data_recovered", Label: "Has the data been recovered?", Kind: "radios", Options: yesNo},
		{Name: "integrity_lost", Label: "Was data altered?", Kind: "radios", Options: yesNo},
		{Name: "avail_lost", Label: "Was data lost or unavailable?", Kind: "radios", Options: yesNo},
		{Name: "avail_permanent", Label: "Is the loss permanent?", Kind: "radios", Options: yesNo},
		{Name: "avail_impact", Label: "What did the loss mean for the people affected?", Kind: "radios", Options: opts("none", "Nothing", "minor", "Minor inconvenience",
			"significant", "Significant", "severe", "Severe", "unknown", "Not known")},
		{Name: "malicious", Label: "Was it deliberate?", Kind: "radios", Options: yesNo},
		{Name: "actor", Label: "Who caused it?", Kind: "radios", Options: opts("external", "Someone outside", "internal", "Someone inside", "partner", "A partner or supplier", "none", "Nobody: an accident or fault", "unknown", "Not known")},
		{Name: "cause_description", Label: "How did it happen, in a few words?", Hint: "For example: ransomware, e-mail to the wrong person, laptop left on a train.", Kind: "text"},
		{Name: "misuse_observed", Label: "Has misuse been seen?", Hint: "Fraud, identity theft, publication or blackmail.", Kind: "radios", Options: yesNo[:2]},
		{Name: "ongoing", Label: "Is the breach still going on?", Kind: "radios", Options: yesNo},
	}},
	{Slug: "protection", Title: "How the data was protected", Questions: []question{
		{Name: "encryption", Label: "Was the data encrypted?", Kind: "radios", Options: opts("none", "No", "weak", "Yes, weakly", "state_of_the_art", "Yes, to a current standard", "unknown", "Not known")},
		{Name: "key_compromised", Label: "Was the key or password to the data also compromised?", Kind: "radios", Options: yesNo},
		{Name: "password_hashing", Label: "How were passwords stored?", Kind: "radios", Options: opts("none", "In plain text or not hashed", "weak", "Weakly hashed", "state_of_the_art_salted", "Salted with a current algorithm", "unknown", "No passwords, or not known")},
		{Name: "pseudonymised", Label: "Was the data pseudonymised?", Kind: "radios", Options: yesNo},
		{Name: "remote_wipe", Label: "Was the device wiped remotely?", Kind: "radios", Options: yesNo},
		{Name: "mitigations", Label: "What have you done to reduce the harm?", Hint: "One action per line, for example: recipient asked to delete.", Kind: "textarea"},
	}},
	{Slug: "harms", Title: "Harm to the people affected", Questions: []question{
		{Name: "harms", Label: "What harm could come to them?", Hint: "Select all that could happen if the data fell into the wrong hands.", Kind: "checkboxes",
			Options: opts("physical_safety", "Physical harm or threat", "reputation", "Damage to reputation", "financial_loss", "Financial loss",
				"discrimination", "Discrimination", "identity_theft", "Identity theft or fraud", "emotional_distress", "Emotional distress")},
		{Name: "harm_notes", Label: "How could that harm come about?", Kind: "textarea"},
		{Name: "worst_case", Label: "What is the worst that could happen, and how likely is it?", Kind: "textarea"},
		{Name: "data_tells", Label: "What could the data tell a third party about the people?", Kind: "textarea"},
		{Name: "belongs_to", Label: "Who does the information belong to?", Kind: "textarea"},
		{Name: "involved", Label: "Who was involved in the breach?", Kind: "textarea"},
		{Name: "how_it_happened", Label: "How did the breach happen?", Kind: "textarea"},
		{Name: "seen_by", Label: "Who has seen the information and what have they done with it?", Kind: "textarea"},
		{Name: "action_taken", Label: "What action has been taken? Do the people affected know?", Kind: "textarea"},
		{Name: "notifying_helps", Label: "Would telling the people help them protect themselves?", Hint: "For example by changing a password or watching their bank account.", Kind: "textarea"},
		{Name: "contractual_duties", Label: "Do contracts oblige you to tell anyone?", Kind: "textarea"},
		{Name: "reason", Label: "Why are you assessing now?", Hint: "For example: first assessment, or what new facts you learnt. Recorded in the record of events.", Kind: "text"},
	}},
}

var multiFields = map[string]bool{"jurisdictions": true, "kinds": true, "categories": true, "harms": true}

func breachStepIndex(slug string) int {
	return slices.IndexFunc(breachSteps, func(s breachStep) bool { return s.Slug == slug })
}

// stepPage is what breach_step.html receives.
type stepPage struct {
	Ref, Step, Title string
	Number, Total    int
	Questions        []question
	Draft            string
	AwareAt          string
	Last             bool
}

func (h *Handler) showStep(w http.ResponseWriter, r *http.Request, status int, ref string, i int, draft url.Values, errs []domain.FieldError) {
	st := breachSteps[i]
	pg := stepPage{Ref: ref, Step: st.Slug, Title: st.Title, Number: i + 1, Total: len(breachSteps), Draft: draft.Encode(), Last: i == len(breachSteps)-1}
	bad := map[string]string{}
	for _, e := range errs {
		bad[e.Field] = e.Message
	}
	for _, q := range st.Questions {
		q.Value, q.Error = draft.Get(q.Name), bad[q.Name]
		q.Values = map[string]bool{}
		for _, v := range draft[q.Name] {
			q.Values[v] = true
		}
		pg.Questions = append(pg.Questions, q)
	}
	if i == 0 {
		if inc, err := h.svc.Incident(r.Context(), ctxPrincipal(r), ref); err == nil && inc.AwareAt != nil {
			pg.AwareAt = inc.AwareAt.In(h.opts.Location).Format("2 January 2006 at 15:04")
		}
	}
	back := "/incidents/" + ref
	h.render(w, r, status, "breach_step", page{Title: st.Title + " – breach assessment of " + ref, BackLink: back, Data: pg, Errors: errs})
}

func ctxPrincipal(r *http.Request) auth.Principal {
	pr, _ := r.Context().Value(principalKey{}).(auth.Principal)
	return pr
}

// breachStart shows the first question page, filled in from the latest assessment if any.
func (h *Handler) breachStart(w http.ResponseWriter, r *http.Request, pr auth.Principal) {
	ref := strings.ToUpper(r.PathValue("ref"))
	versions, err := h.svc.Assessments(r.Context(), pr, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	draft := url.Values{"jurisdictions": {"UK"}, "role": {"controller"}, "personal_data": {"yes"}}
	if len(versions) > 0 {
		draft = formOf(versions[0])
		draft.Del("reason")
	}
	h.showStep(w, r, http.StatusOK, ref, 0, draft, nil)
}

// breachAnswer takes one page's answers, checks them and shows the next page; the last page
// saves the assessment.
func (h *Handler) breachAnswer(w http.ResponseWriter, r *http.Request, pr auth.Principal) {
	ref := strings.ToUpper(r.PathValue("ref"))
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	draft, _ := url.ParseQuery(r.PostForm.Get("draft"))
	i := breachStepIndex(r.PostForm.Get("step"))
	if i < 0 {
		i = 0
	}
	var errs []domain.FieldError
	for _, q := range breachSteps[i].Questions {
		draft.Del(q.Name)
		for _, v := range r.PostForm[q.Name] {
			if v = strings.TrimSpace(v); v != "" {
				draft.Add(q.Name, v)
			}
		}
		if q.Kind == "number" && draft.Get(q.Name) != "" {
			if n, err := strconv.ParseInt(draft.Get(q.Name), 10, 64); err != nil || n < 0 {
				errs = append(errs, domain.FieldError{Field: q.Name, Message: q.Label[:len(q.Label)-1] + ": enter a whole number, or leave it blank if not known"})
			}
		}
	}
	if breachSteps[i].Slug == "scope" && len(draft["jurisdictions"]) == 0 {
		errs = append(errs, domain.FieldError{Field: "jurisdictions", Message: "Select at least one data protection law"})
	}
	if errs != nil {
		h.showStep(w, r, http.StatusUnprocessableEntity, ref, i, draft, errs)
		return
	}
	if r.PostForm.Get("back") != "" && i > 0 {
		h.showStep(w, r, http.StatusOK, ref, i-1, draft, nil)
		return
	}
	if i < len(breachSteps)-1 {
		h.showStep(w, r, http.StatusOK, ref, i+1, draft, nil)
		return
	}
	inc, err := h.svc.Incident(r.Context(), pr, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	facts, annex := factsOf(draft, inc)
	_, err = h.svc.SaveAssessment(r.Context(), pr, ref, facts, annex, draft.Get("reason"))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		// Point each problem at the page and question it came from.
		at := len(breachSteps) - 1
		var shown []domain.FieldError
		for _, f := range ve.Fields {
			name := formFieldOf(f.Field)
			if j := stepOf(name); j >= 0 && j < at {
				at = j
			}
			shown = append(shown, domain.FieldError{Field: name, Message: f.Message})
		}
		h.showStep(w, r, http.StatusUnprocessableEntity, ref, at, draft, shown)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+ref+"/breach/result", http.StatusSeeOther)
}

func stepOf(field string) int {
	for i, s := range breachSteps {
		for _, q := range s.Questions {
			if q.Name == field {
				return i
			}
		}
	}
	return -1
}

// factPaths maps the form's fields onto the facts document's paths.
var factPaths = map[string]string{
	"subjects_count": "subjects.count", "count_is_estimate": "subjects.count_is_estimate", "kinds": "subjects.kinds", "vulnerable": "subjects.vulnerable",
	"categories": "data.categories", "records": "data.records", "volume_per_subject": "data.volume_per_subject",
	"conf_lost": "confidentiality.lost", "exposure": "confidentiality.exposure", "recipients": "confidentiality.recipients",
	"exfiltration": "confidentiality.exfiltration", "recipient_bound": "confidentiality.recipient_bound_by_confidentiality",
	"recipient_deleted": "confidentiality.recipient_confirmed_deletion", "data_recovered": "confidentiality.data_recovered",
	"integrity_lost": "integrity.lost", "avail_lost": "availability.lost", "avail_permanent": "availability.permanent", "avail_impact": "availability.impact_on_subjects",
	"malicious": "cause.malicious", "actor": "cause.actor", "cause_description": "cause.description",
	"encryption": "protection.encryption", "key_compromised": "protection.key_compromised", "password_hashing": "protection.password_hashing",
	"pseudonymised": "protection.pseudonymised", "remote_wipe": "protection.remote_wipe",
}

var boolFields = map[string]bool{"count_is_estimate": true, "vulnerable": true, "conf_lost": true, "recipient_bound": true, "recipient_deleted": true,
	"data_recovered": true, "integrity_lost": true, "avail_lost": true, "avail_permanent": true, "malicious": true, "key_compromised": true,
	"pseudonymised": true, "remote_wipe": true, "misuse_observed": true, "ongoing": true}

var annexFields = []string{"data_tells", "belongs_to", "involved", "seen_by", "how_it_happened", "action_taken", "harm_notes", "worst_case", "notifying_helps", "contractual_duties"}

// formFieldOf names the form field behind a facts path such as "confidentiality.exposure".
func formFieldOf(path string) string {
	path, _, _ = strings.Cut(path, "[")
	for f, fp := range factPaths {
		if fp == path {
			return f
		}
	}
	if a, ok := strings.CutPrefix(path, "annex."); ok {
		return a
	}
	return path
}

// factsOf builds the facts document and the annex answers from the questionnaire. The
// instants come from the incident's details, which are the one place they are kept.
func factsOf(v url.Values, inc *domain.Incident) (facts, annex []byte) {
	doc := map[string]any{"schema": breach.Schema}
	set := func(path string, val any) {
		parts := strings.Split(path, ".")
		m := doc
		for _, k := range parts[:len(parts)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = val
	}
	doc["jurisdictions"] = v["jurisdictions"]
	if v["jurisdictions"] == nil {
		doc["jurisdictions"] = []string{}
	}
	if s := v.Get("eu_member_states"); s != "" {
		var cs []string
		for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			cs = append(cs, strings.ToUpper(c))
		}
		doc["eu_member_states"] = cs
	}
	if s := v.Get("eu_main_establishment"); s != "" {
		doc["eu_main_establishment"] = strings.ToUpper(s)
	}
	for _, k := range []string{"role", "personal_data"} {
		if s := v.Get(k); s != "" {
			doc[k] = s
		}
	}
	if inc.OccurredAt != nil {
		doc["occurred_at"] = inc.OccurredAt.UTC()
	}
	if inc.AwareAt != nil {
		doc["aware_at"] = inc.AwareAt.UTC()
	}
	for f, path := range factPaths {
		s := v.Get(f)
		switch {
		case multiFields[f]:
			if len(v[f]) > 0 {
				set(path, v[f])
			}
		case s == "" || s == "unknown":
		case boolFields[f]:
			set(path, s == "yes")
		case f == "subjects_count" || f == "records" || f == "recipients":
			n, _ := strconv.ParseInt(s, 10, 64)
			set(path, n)
		default:
			set(path, s)
		}
	}
	for _, f := range []string{"misuse_observed", "ongoing"} {
		if s := v.Get(f); s == "yes" || s == "no" {
			doc[f] = s == "yes"
		}
	}
	var mit []string
	for _, l := range strings.Split(v.Get("mitigations"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			mit = append(mit, l)
		}
	}
	if mit != nil {
		doc["mitigations"] = mit
	}
	facts, _ = json.Marshal(doc)
	an := map[string]any{}
	for _, f := range annexFields {
		if s := v.Get(f); s != "" {
			an[f] = s
		}
	}
	if len(v["harms"]) > 0 {
		an["harms"] = v["harms"]
	}
	annex, _ = json.Marshal(an)
	return facts, annex
}

// formOf turns a saved assessment back into the questionnaire's answers.
func formOf(a *service.Assessment) url.Values {
	v := url.Values{}
	var doc map[string]any
	_ = json.Unmarshal(a.Facts, &doc)
	get := func(path string) any {
		var cur any = doc
		for _, k := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[k]
		}
		return cur
	}
	put := func(f string, x any) {
		switch t := x.(type) {
		case nil:
		case bool:
			v.Set(f, map[bool]string{true: "yes", false: "no"}[t])
		case float64:
			v.Set(f, strconv.FormatInt(int64(t), 10))
		case string:
			v.Set(f, t)
		case []any:
			for _, e := range t {
				v.Add(f, fmt.Sprint(e))
			}
		}
	}
	for f, path := range factPaths {
		put(f, get(path))
	}
	for _, f := range []string{"jurisdictions", "role", "personal_data", "misuse_observed", "ongoing"} {
		put(f, get(f))
	}
	if cs, ok := get("eu_member_states").([]any); ok {
		var s []string
		for _, c := range cs {
			s = append(s, fmt.Sprint(c))
		}
		v.Set("eu_member_states", strings.Join(s, ", "))
	}
	put("eu_main_establishment", get("eu_main_establishment"))
	if ms, ok := get("mitigations").([]any); ok {
		var s []string
		for _, m := range ms {
			s = append(s, fmt.Sprint(m))
		}
		v.Set("mitigations", strings.Join(s, "\n"))
	}
	an := map[string]string{"data_tells": a.Annex.DataTells, "belongs_to": a.Annex.BelongsTo, "involved": a.Annex.Involved, "seen_by": a.Annex.SeenBy,
		"how_it_happened": a.Annex.HowItHappened, "action_taken": a.Annex.ActionTaken, "harm_notes": a.Annex.HarmNotes, "worst_case": a.Annex.WorstCase,
		"notifying_helps": a.Annex.NotifyingHelps, "contractual_duties": a.Annex.ContractualDuties}
	for k, s := range an {
		if s != "" {
			v.Set(k, s)
		}
	}
	for _, hm := range a.Annex.Harms {
		v.Add("harms", hm)
	}
	return v
}

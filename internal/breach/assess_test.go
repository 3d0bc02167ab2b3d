package breach

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// decode parses a facts document written in a test, failing the test on error.
func decode(t *testing.T, doc string) Facts {
	t.Helper()
	f, err := DecodeFacts([]byte(doc))
	if err != nil {
		t.Fatalf("DecodeFacts: %v", err)
	}
	return f
}

// A misdirected e-mail: 30 clients' names, addresses and support needs (health) to one wrong
// recipient (journey 1). Risk, not high risk: notify, do not tell the people.
const misdirectedEmail = `{
  "jurisdictions": ["UK"], "role": "controller", "personal_data": "yes",
  "occurred_at": "2026-11-20T16:50:00Z", "aware_at": "2026-11-20T16:55:00Z",
  "subjects": {"count": 30, "kinds": ["customers"], "vulnerable": false},
  "data": {"categories": ["basic_identifiers", "contact", "health"], "volume_per_subject": "single"},
  "confidentiality": {"lost": true, "exposure": "known_recipients", "recipients": 1, "exfiltration": "confirmed"},
  "protection": {"encryption": "none"},
  "cause": {"malicious": false, "actor": "internal", "description": "wrong recipient"}
}`

// Ransomware on data encrypted at rest, restored from backup within hours (EDPB 01/2021 case 01;
// journey 2), with the jurisdictions swapped in by each test.
const encryptedRansomware = `{
  "jurisdictions": [%s], "role": "controller", "personal_data": "yes", "aware_at": "2026-11-20T09:00:00Z",
  "subjects": {"count": 40, "kinds": ["customers", "employees"], "vulnerable": false},
  "data": {"categories": ["basic_identifiers", "contact"], "volume_per_subject": "single"},
  "confidentiality": {"lost": false, "exposure": "none", "exfiltration": "ruled_out"},
  "availability": {"lost": true, "permanent": false, "restored_within_hours": 4, "impact_on_subjects": "none"},
  "protection": {"encryption": "state_of_the_art", "key_compromised": false},
  "cause": {"malicious": true, "actor": "external", "description": "ransomware"}
}`

func withJurisdictions(doc, js string) string { return strings.Replace(doc, "%s", js, 1) }

func TestMisdirectedEmailNotifiesICOOnly(t *testing.T) {
	d := Assess(decode(t, misdirectedEmail))
	if d.Risk != RiskRisk || !d.NotifyAuthority || d.NotifySubjects {
		t.Fatalf("got risk=%s authority=%v subjects=%v, want risk, true, false\n%s", d.Risk, d.NotifyAuthority, d.NotifySubjects, d.Text())
	}
	want := Obligation{Jurisdiction: JurisdictionUK, Authority: "ICO", NotifyAuthority: true,
		Deadline: "2026-11-23T16:55:00Z", NotifySubjects: false}
	got := d.Obligations[0]
	got.Reasons = nil
	if len(d.Obligations) != 1 || !reflect.DeepEqual(got, want) {
		t.Errorf("obligations = %+v, want [%+v]", d.Obligations, want)
	}
	if len(d.Unknowns) != 0 {
		t.Errorf("unknowns = %v, want none: every fact the rules need was given", d.Unknowns)
	}
}

// Encrypted data with a safe key: record only in the UK and the EU, but the JOIC still wants
// to be told (seed 002; journeys 2 and 4).
func TestEncryptedDataJerseyStillNotifiesJOIC(t *testing.T) {
	d := Assess(decode(t, withJurisdictions(encryptedRansomware, `"UK", "EU", "JE"`)))
	if d.Risk != RiskUnlikely || d.NotifySubjects {
		t.Fatalf("got risk=%s subjects=%v, want unlikely, false", d.Risk, d.NotifySubjects)
	}
	notify := map[Jurisdiction]bool{}
	for _, o := range d.Obligations {
		notify[o.Jurisdiction] = o.NotifyAuthority
	}
	if want := map[Jurisdiction]bool{"UK": false, "EU": false, "JE": true}; !reflect.DeepEqual(notify, want) {
		t.Errorf("notify_authority by jurisdiction = %v, want %v", notify, want)
	}
	if !d.NotifyAuthority {
		t.Error("top-level notify_authority must be true when any jurisdiction requires it")
	}
	if d.Unknowns == nil || len(d.Unknowns) != 0 {
		t.Errorf("unknowns = %#v, want an empty list", d.Unknowns)
	}
}

// "If there is any doubt, REPORT IT" (seed 002): in Jersey an unknown fact tips an otherwise
// unlikely risk into a notification; elsewhere it does not by itself.
func TestJerseyReportsWhenInDoubt(t *testing.T) {
	doc := `{"jurisdictions": ["UK", "JE"], "personal_data": "yes", "role": "controller",
	  "subjects": {"count": 2, "kinds": ["customers"]},
	  "data": {"categories": ["basic_identifiers"], "volume_per_subject": "single"},
	  "confidentiality": {"lost": true, "exposure": "known_recipients", "recipients": 1, "exfiltration": "ruled_out", "data_recovered": true},
	  "protection": {"encryption": "none"}}`
	d := Assess(decode(t, doc))
	if d.Risk != RiskUnlikely {
		t.Fatalf("risk = %s, want unlikely\n%s", d.Risk, d.Text())
	}
	if !slices.Contains(d.Unknowns, "cause.malicious") {
		t.Errorf("unknowns = %v, want cause.malicious", d.Unknowns)
	}
	if d.Obligations[0].NotifyAuthority || !d.Obligations[1].NotifyAuthority {
		t.Errorf("got ICO=%v JOIC=%v, want false, true", d.Obligations[0].NotifyAuthority, d.Obligations[1].NotifyAuthority)
	}
	if !slices.Contains(d.Unknowns, "aware_at") {
		t.Errorf("unknowns = %v: a notification is due without aware_at, so the deadline is unknown", d.Unknowns)
	}
}

func TestNoPersonalDataNoObligations(t *testing.T) {
	d := Assess(decode(t, `{"jurisdictions": ["UK", "EU", "JE"], "personal_data": "no",
	  "availability": {"lost": true, "permanent": true}}`))
	if d.NotifyAuthority || d.NotifySubjects || !d.DocumentInternally || d.Risk != RiskUnlikely || len(d.Obligations) != 0 {
		t.Errorf("got %+v, want no obligations, documented internally", d)
	}
	if d.Obligations == nil || d.Unknowns == nil {
		t.Error("obligations and unknowns must encode as [], not null")
	}
}

func TestProcessorTellsTheController(t *testing.T) {
	f := decode(t, withJurisdictions(strings.Replace(encryptedRansomware, `"controller"`, `"processor"`, 1), `"UK", "JE"`))
	f.Protection.Encryption = EncryptionNone
	f.Availability.ImpactOnSubjects = ImpactSevere
	f.Availability.RestoredWithinHours = new(100.0)
	d := Assess(f)
	if d.Risk != RiskHigh {
		t.Fatalf("risk = %s, want high: the processor still sees the risk its controller must weigh", d.Risk)
	}
	if d.NotifyAuthority || d.NotifySubjects {
		t.Errorf("a processor notifies nobody but its controller, got authority=%v subjects=%v", d.NotifyAuthority, d.NotifySubjects)
	}
	for _, o := range d.Obligations {
		if o.Deadline != "" || !strings.Contains(strings.Join(o.Reasons, " "), "tell the controller without undue delay") {
			t.Errorf("obligation %+v: want no deadline and a reason to tell the controller", o)
		}
	}
}

func TestEUOneStopShop(t *testing.T) {
	f := decode(t, misdirectedEmail)
	f.Jurisdictions = []Jurisdiction{JurisdictionEU}
	f.EUMemberStates = []Country{"FR", "DE"}
	f.EUMainEstablishment = "IE"
	d := Assess(f)
	if len(d.Obligations) != 1 || d.Obligations[0].Authority != "DPC (IE)" || !d.Obligations[0].NotifyAuthority {
		t.Errorf("with a main establishment in Ireland, want one obligation to DPC (IE), got %+v", d.Obligations)
	}

	// No EEA establishment: every authority where affected people live (EDPB 9/2022 para. 73).
	f.EUMainEstablishment = ""
	d = Assess(f)
	var names []string
	for _, o := range d.Obligations {
		names = append(names, o.Authority)
		if !o.NotifyAuthority || o.Deadline != "2026-11-23T16:55:00Z" {
			t.Errorf("obligation %+v: want a notification due at 2026-11-23T16:55:00Z", o)
		}
	}
	if want := []string{"CNIL (FR)", "Land DPA (DE)"}; !slices.Equal(names, want) {
		t.Errorf("authorities = %v, want %v", names, want)
	}

	// Neither: the authority cannot be named, and that gap is reported.
	f.EUMemberStates = nil
	d = Assess(f)
	if d.Obligations[0].Authority != "" || !slices.Contains(d.Unknowns, "eu_member_states") {
		t.Errorf("got %+v, unknowns %v; want an unnamed authority and eu_member_states unknown", d.Obligations, d.Unknowns)
	}
}

// The 72 hours run from aware_at, in any zone, and the deadline is given in UTC.
func TestDeadlineIsAwarePlus72Hours(t *testing.T) {
	f := decode(t, misdirectedEmail)
	aware := time.Date(2026, 3, 28, 12, 0, 0, 0, time.FixedZone("", 3600))
	f.OccurredAt, f.AwareAt = nil, &aware
	if got := Assess(f).Obligations[0].Deadline; got != "2026-03-31T11:00:00Z" {
		t.Errorf("deadline = %s, want 2026-03-31T11:00:00Z", got)
	}
	f.AwareAt = nil
	d := Assess(f)
	if d.Obligations[0].Deadline != "" || !slices.Contains(d.Unknowns, "aware_at") {
		t.Errorf("without aware_at: deadline %q, unknowns %v; want empty deadline and aware_at unknown", d.Obligations[0].Deadline, d.Unknowns)
	}
}

// Unknown exfiltration is not "no exfiltration" (BREACH_FACTS.md).
func TestUnknownExfiltrationIsNotNoExfiltration(t *testing.T) {
	f := decode(t, misdirectedEmail)
	f.Confidentiality = Confidentiality{Lost: new(true), Exposure: ExposureUnknownRecipients}
	f.Data.Categories = []Category{CategoryBasicIdentifiers}
	unknown := Assess(f)
	f.Confidentiality.Exfiltration = ExfiltrationRuledOut
	ruledOut := Assess(f)
	if unknown.Risk == RiskUnlikely || ruledOut.Risk != RiskUnlikely {
		t.Errorf("risk with exfiltration unknown = %s, ruled out = %s; want more than unlikely, unlikely", unknown.Risk, ruledOut.Risk)
	}
	if !slices.Contains(unknown.Unknowns, "confidentiality.exfiltration") {
		t.Errorf("unknowns = %v, want confidentiality.exfiltration", unknown.Unknowns)
	}
	if slices.Contains(ruledOut.Unknowns, "confidentiality.exposure") {
		t.Errorf("unknowns = %v: once exfiltration is ruled out, nothing else about disclosure matters", ruledOut.Unknowns)
	}
}

// A low ENISA score does not decide: an attacker holding simple data about many people is a
// high risk although SE is 2 (EDPB 01/2021 case 11).
func TestLowENISADoesNotDecide(t *testing.T) {
	f := decode(t, `{"jurisdictions": ["UK"], "personal_data": "yes", "role": "controller", "aware_at": "2026-11-20T09:00:00Z",
	  "subjects": {"count": 50000, "kinds": ["customers"], "vulnerable": false},
	  "data": {"categories": ["contact"], "volume_per_subject": "single"},
	  "confidentiality": {"lost": true, "exposure": "known_recipients", "recipients": 500, "exfiltration": "confirmed"},
	  "protection": {"encryption": "none"}, "cause": {"malicious": false}}`)
	d := Assess(f)
	if d.ENISA.Band != BandLow {
		t.Fatalf("ENISA band = %s, the test needs a low score", d.ENISA.Band)
	}
	if d.Risk != RiskHigh {
		t.Errorf("risk = %s, want high: 50,000 people and 500 recipients weigh on their own\n%s", d.Risk, d.Text())
	}
}

func TestSubjectExemptions(t *testing.T) {
	stolenLaptop := `{"jurisdictions": ["UK"], "personal_data": "yes", "role": "controller", "aware_at": "2026-11-20T09:00:00Z",
	  "subjects": {"count": 200, "kinds": ["patients"], "vulnerable": true},
	  "data": {"categories": ["basic_identifiers", "health"], "volume_per_subject": "history"},
	  "confidentiality": {"lost": true, "exposure": "unknown_recipients", "exfiltration": "cannot_be_excluded"},
	  "protection": {"encryption": "none"}, "cause": {"malicious": true, "actor": "external"}}`

	t.Run("none: high risk, tell them", func(t *testing.T) {
		o := Assess(decode(t, stolenLaptop)).Obligations[0]
		if !o.NotifyAuthority || !o.NotifySubjects || o.SubjectExemption != "" {
			t.Errorf("got %+v", o)
		}
	})
	t.Run("unintelligible data", func(t *testing.T) {
		f := decode(t, stolenLaptop)
		f.Protection = Protection{Encryption: EncryptionStateOfTheArt, KeyCompromised: new(false)}
		d := Assess(f)
		o := d.Obligations[0]
		if d.Risk != RiskUnlikely || o.NotifyAuthority || o.NotifySubjects || o.SubjectExemption != ExemptionUnintelligible {
			t.Errorf("got risk %s, %+v", d.Risk, o)
		}
	})
	t.Run("subsequent measures", func(t *testing.T) {
		f := decode(t, stolenLaptop)
		f.Protection.RemoteWipe = new(true)
		f.Confidentiality.DataRecovered = new(true)
		d := Assess(f)
		o := d.Obligations[0]
		if d.Risk != RiskRisk || !o.NotifyAuthority || o.NotifySubjects || o.SubjectExemption != ExemptionSubsequentMeasures {
			t.Errorf("got risk %s, %+v", d.Risk, o)
		}
	})
	t.Run("disproportionate effort", func(t *testing.T) {
		f := decode(t, stolenLaptop)
		f.Data.Categories = append(f.Data.Categories, CategoryContact)
		f.Availability = Availability{Lost: new(true), Permanent: new(true), ImpactOnSubjects: ImpactSignificant}
		o := Assess(f).Obligations[0]
		if !o.NotifySubjects || o.SubjectExemption != ExemptionDisproportionateEffort ||
			!strings.Contains(strings.Join(o.Reasons, " "), "public communication") {
			t.Errorf("got %+v", o)
		}
	})
}

// Silence about a dimension: alteration and unavailability are visible to the controller, so
// their absence means they did not happen; disclosure is not, so its absence is an unknown.
func TestSilenceAboutConfidentialityIsAnUnknown(t *testing.T) {
	d := Assess(decode(t, `{"jurisdictions": ["UK"], "personal_data": "yes", "role": "controller",
	  "subjects": {"count": 10, "kinds": ["employees"]}, "data": {"categories": ["contact"], "volume_per_subject": "single"},
	  "cause": {"malicious": false}, "protection": {"encryption": "none"}}`))
	if !slices.Contains(d.Unknowns, "confidentiality.lost") || d.Risk == RiskUnlikely {
		t.Errorf("risk %s, unknowns %v: want confidentiality treated as possibly lost", d.Risk, d.Unknowns)
	}
	for _, u := range d.Unknowns {
		if strings.HasPrefix(u, "integrity.") || strings.HasPrefix(u, "availability.") {
			t.Errorf("unknowns = %v: silence about integrity or availability is not an unknown", d.Unknowns)
		}
	}
}

func TestAssessIsDeterministic(t *testing.T) {
	g := newFactsRand(11)
	for range 1000 {
		f := g.facts()
		if a, b := Assess(f), Assess(f); !reflect.DeepEqual(a, b) {
			t.Fatalf("two assessments of %s differ", mustJSON(t, f))
		}
	}
}

// The JSON shape is the contract outside clients rely on (BREACH_FACTS.md, "Output").
func TestDecisionJSONShape(t *testing.T) {
	var got map[string]any
	if err := json.Unmarshal([]byte(mustJSON(t, Assess(decode(t, misdirectedEmail)))), &got); err != nil {
		t.Fatal(err)
	}
	wantKeys := func(m map[string]any, keys ...string) {
		t.Helper()
		var have []string
		for k := range m {
			have = append(have, k)
		}
		slices.Sort(have)
		slices.Sort(keys)
		if !slices.Equal(have, keys) {
			t.Errorf("keys = %v, want %v", have, keys)
		}
	}
	wantKeys(got, "risk", "notify_authority", "notify_subjects", "document_internally", "enisa", "obligations", "unknowns", "rationale")
	wantKeys(got["enisa"].(map[string]any), "dpc", "ei", "cb", "score", "band")
	wantKeys(got["obligations"].([]any)[0].(map[string]any), "jurisdiction", "authority", "notify_authority", "deadline",
		"notify_subjects", "subject_exemption", "reasons")
}

func TestText(t *testing.T) {
	text := Assess(decode(t, misdirectedEmail)).Text()
	for _, want := range []string{
		"Risk: risk\n",
		"Notify a supervisory authority: yes\n",
		"Tell the people affected: no\n",
		"ENISA severity: DPC 4 × EI 1 + CB 0.25 = 4.25 (very high)\n",
		"UK, ICO: notify by 2026-11-23T16:55:00Z; people need not be told\n",
		"Rationale:\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func BenchmarkAssess(b *testing.B) {
	g := newFactsRand(1)
	facts := make([]Facts, 256)
	for i := range facts {
		facts[i] = g.facts()
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Assess(facts[n%len(facts)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "assessments/s")
}

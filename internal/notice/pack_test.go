package notice

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/notice -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

var (
	aware = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	now   = time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)
)

// fullInput is a lost-laptop breach with every fact known and the DPO's decision taken.
func fullInput() *Input {
	occurred := aware.Add(-20 * time.Hour)
	f := &breach.Facts{
		Jurisdictions:  []breach.Jurisdiction{breach.JurisdictionUK, breach.JurisdictionJE, breach.JurisdictionEU},
		EUMemberStates: []breach.Country{"FR", "IE"}, EUMainEstablishment: "IE", Role: breach.RoleController,
		OccurredAt: &occurred, AwareAt: &aware, PersonalData: breach.PersonalDataYes,
		Subjects:   breach.Subjects{Count: ptr[int64](1200), CountIsEstimate: ptr(true), Kinds: []breach.SubjectKind{breach.KindCustomers, breach.KindChildren}, Vulnerable: ptr(true)},
		Data:       breach.Data{Categories: []breach.Category{breach.CategoryContact, breach.CategoryHealth}, Records: ptr[int64](3400)},
		Protection: breach.Protection{Encryption: breach.EncryptionNone},
		Cause:      breach.Cause{Malicious: ptr(true), Actor: breach.ActorExternal, Description: "Laptop stolen from a car"},
		Ongoing:    ptr(false), Mitigations: []string{"Remote wipe requested", "Passwords reset"},
	}
	d := breach.Assess(*f)
	return &Input{
		Ref: "INC-2026-00042", Title: "Laptop stolen from a car", Nature: "A laptop holding the customer list was stolen from a staff car.",
		OccurredAt: &occurred, AwareAt: &aware,
		Org:   Organisation{Controller: "Example Care Ltd", DPOName: "Dorothy Smith", DPOContact: "dpo@example.org, 01534 000000", Insurers: []string{"Cyber Mutual"}, Processors: []string{"Microsoft"}, Sponsor: "Sponsor Team"},
		Facts: f, Recommendation: &d,
		Narrative: Narrative{HowItHappened: "Left in a locked car overnight", DataTells: "Which clinic a child attends", Harms: []string{"emotional_distress", "identity_theft"},
			WorstCase: "Health details published", ActionTaken: "Police informed; device wiped"},
		Decided: &Decided{NotifyAuthority: map[string]bool{"UK": true, "JE": true, "EU": true}, NotifySubjects: true},
		Clocks:  map[string]AuthorityClock{"UK": {Due: aware.Add(72 * time.Hour)}, "JE": {Due: aware.Add(72 * time.Hour)}, "EU": {Due: aware.Add(72 * time.Hour)}},
		Sent:    []Sent{{Rule: "authority-72h", Scope: "JE", Recipient: "JOIC", Method: "online form", SentAt: aware.Add(30 * time.Hour), Reference: "JOIC-77", Phase: "initial"}},
		Now:     now, Classified: true,
		Log: []LogLine{{"Reference", "INC-2026-00042"}, {"Remedial action", "Remote wipe requested; Passwords reset"}},
	}
}

func TestPackTextGolden(t *testing.T) {
	for _, a := range Authorities {
		t.Run(string(a), func(t *testing.T) {
			p := Prepare(fullInput(), a, PhaseInitial)
			if !p.Completeness.Ready {
				t.Errorf("a complete incident is not ready: missing %+v", p.Completeness.Missing)
			}
			text, err := p.Text()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "pack-"+strings.ToLower(string(a))+".golden", text)
		})
	}
}

func TestPackHTMLGoldenEscapes(t *testing.T) {
	in := fullInput()
	in.Title = `<script>alert("x")</script>`
	in.Answers = map[string]string{"measures": "Wiped <b>remotely</b> & reset"}
	p := Prepare(in, JOIC, PhaseFollowUp)
	h, err := p.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "<script>") || strings.Contains(h, "<b>remotely") {
		t.Fatalf("unescaped input in the HTML pack:\n%s", h)
	}
	golden(t, "pack-joic.html.golden", h)
}

// TestCompleteness: which missing fields are needed now and which may follow, by phase.
func TestCompleteness(t *testing.T) {
	tests := []struct {
		name      string
		a         Authority
		phase     Phase
		edit      func(in *Input)
		ready     bool
		now       []string // missing fields needed now
		mayFollow []string
	}{
		{"complete", JOIC, PhaseInitial, func(*Input) {}, true, nil, nil},
		{"no DPO is needed now", ICO, PhaseInitial, func(in *Input) { in.Org.DPOContact = "" }, false, []string{"dpo"}, nil},
		{"no facts yet: basics needed, details may follow", JOIC, PhaseInitial, func(in *Input) { in.Facts, in.Recommendation, in.Decided = nil, nil, nil },
			false, []string{"data_content", "protection"}, []string{"subjects", "records", "subjects_told", "cross_border", "other_authorities"}},
		{"unknown numbers may follow in the initial notification", ICO, PhaseInitial, func(in *Input) { in.Facts.Subjects.Count, in.Facts.Data.Records = nil, nil },
			true, nil, []string{"subjects", "records"}},
		{"at follow-up they are needed", ICO, PhaseFollowUp, func(in *Input) { in.Facts.Subjects.Count, in.Facts.Data.Records = nil, nil },
			false, []string{"subjects", "records"}, []string{"delay_reasons"}},
		{"at follow-up with reasons for further delay they may follow", ICO, PhaseFollowUp, func(in *Input) {
			in.Facts.Subjects.Count, in.Facts.Data.Records = nil, nil
			in.Answers = map[string]string{FieldDelayReasons: "Forensic analysis of the backup continues"}
		}, true, nil, []string{"subjects", "records"}},
		{"final needs everything", EU, PhaseFinal, func(in *Input) { in.Narrative = Narrative{} }, false, []string{"consequences"}, nil},
		{"late needs reasons now", ICO, PhaseInitial, func(in *Input) { in.Now = aware.Add(80 * time.Hour) }, false, []string{"delay_reasons"}, nil},
		{"late with reasons is ready", ICO, PhaseInitial, func(in *Input) {
			in.Now = aware.Add(80 * time.Hour)
			in.Clocks["UK"] = AuthorityClock{Due: aware.Add(72 * time.Hour), LateReason: "The breach was found on a bank holiday weekend"}
		}, true, nil, nil},
		{"an answer fills a gap", EU, PhaseInitial, func(in *Input) {
			in.Facts.EUMainEstablishment = ""
			in.Answers = map[string]string{"lead_authority": "DPC (IE)"}
		}, true, nil, nil},
		{"EU without a main establishment may follow", EU, PhaseInitial, func(in *Input) { in.Facts.EUMainEstablishment = "" }, true, nil, []string{"lead_authority"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInput()
			tt.edit(in)
			p := Prepare(in, tt.a, tt.phase)
			var now, later []string
			for _, m := range p.Completeness.Missing {
				if m.Need == NeedNow {
					now = append(now, m.Field)
				} else {
					later = append(later, m.Field)
				}
			}
			if p.Completeness.Ready != tt.ready || strings.Join(now, ",") != strings.Join(tt.now, ",") || strings.Join(later, ",") != strings.Join(tt.mayFollow, ",") {
				t.Errorf("ready=%v now=%v may follow=%v; want ready=%v now=%v may follow=%v", p.Completeness.Ready, now, later, tt.ready, tt.now, tt.mayFollow)
			}
		})
	}
}

func TestPackFieldsFollowArticle33(t *testing.T) {
	// GDPR Art. 33(3)(a)–(d) and seed 002's list are asked by every authority's form.
	required := []string{"controller", "dpo", "phase", "occurred_at", "aware_at", "summary", "data_content", "subjects", "records",
		"consequences", "protection", "measures", "subjects_told", "cross_border", "other_authorities"}
	for _, a := range Authorities {
		p := Prepare(fullInput(), a, PhaseFinal)
		have := map[string]bool{}
		for _, f := range p.Fields {
			have[f.ID] = true
		}
		for _, id := range required {
			if !have[id] {
				t.Errorf("%s pack has no %s field", a, id)
			}
		}
	}
}

package veris

import (
	"bytes"
	"encoding/json"
	"github.com/vigil-ir/vigil/internal/veris/veristest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func validate(t *testing.T, sch *jsonschema.Schema, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("not valid VERIS: %v\n%s", err, doc)
	}
}

func mapJSON(t *testing.T, doc string) *Mapped {
	t.Helper()
	r, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	m, err := Map(r, now)
	if err != nil {
		t.Fatalf("map: %v", err)
	}
	return m
}

func TestMap(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		check     func(t *testing.T, m *Mapped)
	}{
		{"lost laptop with patient data", `{"incident_id":"A1","plus":{"master_id":"a1"},"security_incident":"Confirmed",
			"summary":"A laptop with patient records was stolen from a car. Police were told.",
			"action":{"physical":{"variety":["Theft"],"vector":["Victim public area"]}},
			"asset":{"assets":[{"variety":"U - Laptop"}]},
			"attribute":{"confidentiality":{"data_disclosure":"Potentially","data":[{"variety":"Medical","amount":1200}],"data_victim":["Patient"]}},
			"timeline":{"incident":{"year":2014,"month":2,"day":3},"discovery":{"unit":"Days","value":2}},
			"victim":{"industry":"622110","country":["US"]}}`,
			func(t *testing.T, m *Mapped) {
				want := Mapped{SourceID: "A1", Title: "A laptop with patient records was stolen from a car.", Class: "incident",
					PersonalData: "yes", RSITClass: "information-content-security", RSITType: "data-loss", ICOType: "loss-or-theft-of-device",
					OccurredPrecision: "day"}
				got := Mapped{SourceID: m.SourceID, Title: m.Title, Class: m.Class, PersonalData: m.PersonalData, RSITClass: m.RSITClass,
					RSITType: m.RSITType, ICOType: m.ICOType, OccurredPrecision: m.OccurredPrecision}
				if !equalMapped(got, want) {
					t.Errorf("got %+v\nwant %+v", got, want)
				}
				if m.OccurredAt == nil || !m.OccurredAt.Equal(time.Date(2014, 2, 3, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("occurred %v", m.OccurredAt)
				}
				if m.DiscoveredAt == nil || !m.DiscoveredAt.Equal(time.Date(2014, 2, 5, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("discovered %v", m.DiscoveredAt)
				}
				if !m.Confidentiality.Affected || !strings.Contains(m.Confidentiality.Note, "Medical (1200)") {
					t.Errorf("confidentiality %+v", m.Confidentiality)
				}
				if !strings.Contains(m.People, "Patient") || !strings.Contains(m.People, "622110") || !strings.Contains(m.Systems, "U - Laptop") {
					t.Errorf("people %q systems %q", m.People, m.Systems)
				}
				if !strings.Contains(m.Discovery, "approximate") {
					t.Errorf("discovery text does not say the date is derived: %q", m.Discovery)
				}
			}},
		{"master id differs: both in the source id; month precision", `{"incident_id":"X","plus":{"master_id":"Y"},"security_incident":"Suspected",
			"action":{"hacking":{"variety":["SQLi"]}},"timeline":{"incident":{"year":"2016","month":5}}}`,
			func(t *testing.T, m *Mapped) {
				if m.SourceID != "X/Y" || m.Class != "unknown" || m.OccurredPrecision != "month" || m.RSITType != "application-compromise" {
					t.Errorf("%+v", m)
				}
				if m.Title != "VERIS: Hacking (SQLi) in 2016" {
					t.Errorf("generated title %q", m.Title)
				}
				if m.PersonalData != "unknown" || m.ICOType != "" {
					t.Errorf("personal data %q ico %q", m.PersonalData, m.ICOType)
				}
			}},
		{"year only stays text; near miss; defacement", `{"incident_id":"Z","security_incident":"Near miss","summary":"Site defaced.",
			"action":{"hacking":{"variety":"Exploit vuln"}},"attribute":{"integrity":{"variety":["Defacement"]}},"timeline":{"incident":{"year":2017}}}`,
			func(t *testing.T, m *Mapped) {
				if m.OccurredAt != nil || m.OccurredPrecision != "unknown" || !strings.Contains(m.Nature, "occurred in 2017") {
					t.Errorf("occurred %v %q nature %q", m.OccurredAt, m.OccurredPrecision, m.Nature)
				}
				if !m.NearMiss || m.Class != "incident" || m.RSITType != "unauthorised-information-modification" || !m.Integrity.Affected {
					t.Errorf("%+v", m)
				}
			}},
		{"unknown values become unknown with notes", `{"incident_id":"U","security_incident":"Probably","action":{"teleportation":{"variety":["Beam"]},
			"hacking":{"variety":["Quantum tunnelling"]}},"timeline":{"incident":{"year":2015,"month":2,"day":30}}}`,
			func(t *testing.T, m *Mapped) {
				if m.Class != "unknown" || m.OccurredPrecision != "month" {
					t.Errorf("class %q precision %q", m.Class, m.OccurredPrecision)
				}
				for _, want := range []string{`"teleportation" is not a VERIS action`, `"Quantum tunnelling" is not in VERIS`, "not a day", `"Probably"`} {
					if !slices.ContainsFunc(m.Notes, func(n string) bool { return strings.Contains(n, want) }) {
						t.Errorf("no note %q in %q", want, m.Notes)
					}
				}
			}},
		{"future and pre-1970 dates are not kept", `{"incident_id":"F","security_incident":"Confirmed","timeline":{"incident":{"year":2099,"month":1,"day":1}}}`,
			func(t *testing.T, m *Mapped) {
				if m.OccurredAt != nil || len(m.Notes) == 0 {
					t.Errorf("occurred %v notes %q", m.OccurredAt, m.Notes)
				}
			}},
		{"overlong summary is shortened with a note", `{"incident_id":"L","security_incident":"Confirmed","summary":"` + strings.Repeat("word ", 5000) + `"}`,
			func(t *testing.T, m *Mapped) {
				if len([]rune(m.Title)) > maxTitle || len([]rune(m.Nature)) > maxLong || len(m.Notes) == 0 {
					t.Errorf("title %d nature %d notes %q", len([]rune(m.Title)), len([]rune(m.Nature)), m.Notes)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, mapJSON(t, tc.doc)) })
	}
}

func equalMapped(a, b Mapped) bool {
	return a.SourceID == b.SourceID && a.Title == b.Title && a.Class == b.Class && a.PersonalData == b.PersonalData &&
		a.RSITClass == b.RSITClass && a.RSITType == b.RSITType && a.ICOType == b.ICOType && a.OccurredPrecision == b.OccurredPrecision
}

func TestMapRejects(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"summary":"no id"}`, "incident_id is missing"},
		{`{"incident_id":"A","action":["hacking"]}`, "field action"},
		{`{"incident_id":"A","timeline":{"incident":{"year":"soon"}}}`, "expected a number"},
	} {
		r, err := Parse([]byte(tc.doc))
		if err == nil {
			_, err = Map(r, now)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.doc, err, tc.want)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		wheres   []string
		bad      int
		err      string
	}{
		{"array with BOM", "\xEF\xBB\xBF [{\"incident_id\":\"a\"}, {\"incident_id\":\"b\"}]", []string{"f record 1", "f record 2"}, 0, ""},
		{"JSON Lines with a bad line and a blank one", "{\"incident_id\":\"a\"}\n\n{broken\n{\"incident_id\":\"c\"}\n", []string{"f line 1", "f line 3", "f line 4"}, 1, ""},
		{"a single record", `{"incident_id":"a"}`, []string{"f line 1"}, 0, ""},
		{"array element that is not an object", `[{"incident_id":"a"}, 42]`, []string{"f record 1", "f record 2"}, 1, ""},
		{"broken array", `[{"incident_id":"a"}, {"incident_id":`, []string{"f record 1"}, 0, "record 2 is not valid JSON"},
		{"empty", "  \n", nil, 0, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wheres []string
			bad := 0
			err := Decode(strings.NewReader(tc.in), "f", func(it Item) error {
				wheres = append(wheres, it.Where)
				if it.Err != nil {
					bad++
				}
				return nil
			})
			if (err != nil) != (tc.err != "") || err != nil && !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
			if !slices.Equal(wheres, tc.wheres) || bad != tc.bad {
				t.Errorf("items %q (%d bad), want %q (%d bad)", wheres, bad, tc.wheres, tc.bad)
			}
		})
	}
}

// TestFromFactsValidates maps incidents born in Vigil, one per kind of classification, and
// checks each against the VERIS schema and that the mapping says what Vigil knows.
func TestFromFactsValidates(t *testing.T) {
	sch := veristest.Schema(t)
	occ := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	disc, cont := occ.Add(50*time.Hour), occ.Add(80*time.Hour)
	base := Facts{Ref: "INC-2025-00001", Title: "Laptop lost", Nature: "A laptop was left on a train.", Class: "incident",
		ReportedAt: now, CreatedAt: now, UpdatedAt: now}
	for _, tc := range []struct {
		name   string
		edit   func(*Facts)
		action string
	}{
		{"ico type decides", func(f *Facts) { f.ICOType = "phishing"; f.PersonalData = "yes" }, "social"},
		{"rsit type decides", func(f *Facts) { f.RSITClass, f.RSITType = "availability", "dos" }, "hacking"},
		{"rsit class decides", func(f *Facts) { f.RSITClass, f.RSITType = "malicious-code", "infected-system" }, "malware"},
		{"nothing known", func(f *Facts) { f.Class = "unknown" }, "unknown"},
		{"dates and impacts", func(f *Facts) {
			f.OccurredAt, f.OccurredPrecision, f.DiscoveredAt, f.ContainedAt = &occ, "exact", &disc, &cont
			f.Confidentiality = Impact{Affected: true, Note: "patient list"}
			f.Availability = Impact{Affected: true}
			f.PersonalData = "yes"
		}, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			tc.edit(&f)
			doc, err := FromFacts(f, "1/"+f.Ref)
			if err != nil {
				t.Fatal(err)
			}
			validate(t, sch, doc)
			var m map[string]any
			if err := json.Unmarshal(doc, &m); err != nil {
				t.Fatal(err)
			}
			if _, ok := m["action"].(map[string]any)[tc.action]; !ok {
				t.Errorf("action %v, want %s", m["action"], tc.action)
			}
			if m["incident_id"] != IncidentID("1/"+f.Ref) || m["reference"] != f.Ref {
				t.Errorf("id %v reference %v", m["incident_id"], m["reference"])
			}
			// What Vigil exports as VERIS it can import again, to the same classification.
			back := mapJSON(t, string(doc))
			if back.Class != map[string]string{"incident": "incident", "unknown": "unknown"}[f.Class] {
				t.Errorf("class %q after a round trip of %q", back.Class, f.Class)
			}
		})
	}
}

// TestConform checks that a VERIS 1.3 original missing what the 1.4 schema requires comes
// out valid and with nothing lost.
func TestConform(t *testing.T) {
	sch := veristest.Schema(t)
	orig := `{"schema_version":"1.3.4","incident_id":"A","security_incident":"Confirmed","source_id":"vcdb",
		"action":{"error":{"variety":["Loss"],"vector":["Carelessness"]}},"actor":{"internal":{"variety":["End-user"],"motive":["NA"]}},
		"asset":{"assets":[{"variety":"U - Laptop"}],"cloud":["Unknown"]},"discovery_method":{"unknown":true},
		"timeline":{"incident":{"year":2014}},"victim":{"industry":"622110","country":["US"],"employee_count":"Unknown"},
		"plus":{"master_id":"A","attribute":{"confidentiality":{"credit_monitoring":"Y","data_abuse":"Y"}}},
		"attribute":{"confidentiality":{"data_disclosure":"Yes","data_total":1200}}}`
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	if sch.Validate(inst) == nil {
		t.Fatal("the 1.3 original already validates: the test proves nothing")
	}
	doc, err := Conform([]byte(orig), Facts{Title: "T", Nature: "N", ReportedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, sch, doc)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	plus := m["plus"].(map[string]any)
	if plus["credit_monitoring"] != "Y" || m["summary"] != "T\n\nN" {
		t.Errorf("plus %v summary %v", plus, m["summary"])
	}
	if got := m["attribute"].(map[string]any)["confidentiality"].(map[string]any)["data_total"]; got != json.Number("1200") {
		t.Errorf("data_total %v", got)
	}
}

// FuzzDecode feeds arbitrary bytes through the decoder, the parser and the mapping: none
// may panic, and every record mapped has an identifier and fields within Vigil's limits.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`[{"incident_id":"a","summary":"x","timeline":{"incident":{"year":2014,"month":2,"day":30}}}]`))
	f.Add([]byte("{\"incident_id\":\"a\",\"action\":{\"hacking\":{\"variety\":\"SQLi\"}}}\n{bad\n"))
	f.Add([]byte(`{"incident_id":"b","attribute":{"confidentiality":{"data":[{"variety":"Personal","amount":"12"}]}},"plus":{"master_id":"c"}}`))
	f.Add([]byte("\xEF\xBB\xBF[1, \"x\", null, {}]"))
	f.Fuzz(func(t *testing.T, in []byte) {
		_ = Decode(bytes.NewReader(in), "fuzz", func(it Item) error {
			if it.Err != nil {
				return nil
			}
			r, err := Parse(it.Raw)
			if err != nil {
				return nil
			}
			m, err := Map(r, now)
			if err != nil {
				return nil
			}
			if m.SourceID == "" || len([]rune(m.Title)) > maxTitle || len([]rune(m.Nature)) > maxLong || m.Title == "" || m.Nature == "" {
				t.Fatalf("bad mapping %+v", m)
			}
			return nil
		})
	})
}

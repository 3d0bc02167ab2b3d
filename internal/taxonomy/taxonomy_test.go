package taxonomy

import (
	"slices"
	"testing"
)

func TestRSIT(t *testing.T) {
	classes := RSITClasses()
	if len(classes) != 11 {
		t.Fatalf("RSIT classes = %d, want 11 (MISP rsit version %d)", len(classes), RSITVersion())
	}
	tests := []struct {
		class, typ string
		want       bool
	}{
		{"information-content-security", "data-leak", true},
		{"intrusions", "burglary", true},
		{"fraud", "phishing", true},
		{"other", "undetermined", true},
		{"fraud", "data-leak", false},                        // a type of another class
		{"Information-Content-Security", "data-leak", false}, // machinetag values are exact
		{"intrusions", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := ValidRSIT(tt.class, tt.typ); got != tt.want {
			t.Errorf("ValidRSIT(%q, %q) = %v, want %v", tt.class, tt.typ, got, tt.want)
		}
	}
	typ, ok := LookupRSIT("information-content-security", "data-loss")
	if !ok || typ.Label != "Data Loss" || typ.Description == "" {
		t.Errorf("LookupRSIT data-loss = %+v, %v", typ, ok)
	}
	classes[0].Types[0].Value = "changed" // callers get copies
	if RSITClasses()[0].Types[0].Value == "changed" {
		t.Error("RSITClasses shares its slices with the package")
	}
	if c, ok := LookupRSITClass("fraud"); !ok || c.Label != "Fraud" || len(c.Types) != 4 {
		t.Errorf("LookupRSITClass(fraud) = %+v, %v", c, ok)
	}
	if _, _, ok := SplitRSIT("fraud:phishing"); !ok {
		t.Error(`SplitRSIT("fraud:phishing") failed`)
	}
	if _, _, ok := SplitRSIT("fraud"); ok {
		t.Error(`SplitRSIT("fraud") succeeded`)
	}
}

func TestTLPAllows(t *testing.T) {
	tests := []struct {
		marking, audience string
		want              bool
	}{
		{"clear", "clear", true},
		{"clear", "red", true},
		{"green", "clear", false},
		{"green", "green", true},
		{"amber", "green", false},
		{"amber", "amber", true},
		{"amber+strict", "amber", false}, // AMBER+STRICT: the organisation only, not its clients
		{"amber", "amber+strict", true},
		{"red", "amber+strict", false},
		{"red", "red", true},
		{"TLP:AMBER", "tlp:amber", true}, // as people and MISP write it
		{"WHITE", "clear", true},         // TLP 1.0 WHITE is TLP 2.0 CLEAR
		{"", "red", false},               // unmarked fails closed
		{"amber", "", false},
		{"ex:chr", "red", false}, // not a TLP 2.0 level
		{"unclear", "red", false},
	}
	for _, tt := range tests {
		if got := TLPAllows(tt.marking, tt.audience); got != tt.want {
			t.Errorf("TLPAllows(%q, %q) = %v, want %v", tt.marking, tt.audience, got, tt.want)
		}
	}
	var got []string
	for _, m := range TLPLevels() {
		got = append(got, m.Value)
		if m.Label == "" || m.Colour == "" {
			t.Errorf("TLP %s has no label or colour", m.Value)
		}
	}
	if want := []string{"clear", "green", "amber", "amber+strict", "red"}; !slices.Equal(got, want) {
		t.Errorf("TLP levels = %v, want %v", got, want)
	}
	for _, v := range []string{"clear", "green", "amber", "amber+strict", "red"} {
		if !ValidTLP(v) {
			t.Errorf("ValidTLP(%q) = false", v)
		}
	}
	for _, v := range []string{"white", "AMBER", "TLP:RED", "ex:chr", ""} {
		if ValidTLP(v) {
			t.Errorf("ValidTLP(%q) = true; only stored TLP 2.0 values are valid", v)
		}
	}
}

func TestPAP(t *testing.T) {
	for _, v := range []string{"clear", "green", "amber", "red"} {
		if !ValidPAP(v) {
			t.Errorf("ValidPAP(%q) = false", v)
		}
	}
	for _, v := range []string{"white", "RED", "amber+strict", ""} {
		if ValidPAP(v) {
			t.Errorf("ValidPAP(%q) = true", v)
		}
	}
	if n := len(PAPLevels()); n != 4 {
		t.Errorf("PAP levels = %d, want 4", n)
	}
}

// TestDataCrossReferences checks that the shipped data files agree with each other: every
// RSIT, ICO, impact and triage reference names an entry that exists, and IDs are unique.
func TestDataCrossReferences(t *testing.T) {
	unique := func(kind string, ids []string) {
		t.Helper()
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || seen[id] {
				t.Errorf("%s ID %q is empty or repeated", kind, id)
			}
			seen[id] = true
		}
	}
	var ids []string
	for _, c := range TriageClasses() {
		ids = append(ids, c.ID)
		if c.Definition == "" || c.Source == "" || c.Priority == 0 {
			t.Errorf("triage class %s lacks a definition, source or priority", c.ID)
		}
	}
	unique("triage", ids)
	for _, want := range []string{"event", "vulnerability", "incident", "unknown", "near-miss", "not-an-incident"} {
		if !ValidTriage(want) {
			t.Errorf("triage class %q missing", want)
		}
	}
	ids = nil
	for _, i := range Impacts() {
		ids = append(ids, i.ID)
	}
	if !slices.Equal(ids, []string{"confidentiality", "integrity", "availability"}) {
		t.Errorf("impacts = %v", ids)
	}
	ids = nil
	for _, it := range ICOTypes() {
		ids = append(ids, it.ID)
		if _, _, ok := SplitRSIT(it.RSIT); !ok {
			t.Errorf("ICO type %s: RSIT %q is not a class:type", it.ID, it.RSIT)
		}
		if it.Group != "cyber" && it.Group != "non-cyber" {
			t.Errorf("ICO type %s: group %q", it.ID, it.Group)
		}
	}
	unique("ICO type", ids)
	ids = nil
	for _, e := range Examples() {
		ids = append(ids, e.ID)
		if _, _, ok := SplitRSIT(e.RSIT); !ok {
			t.Errorf("example %s: RSIT %q is not a class:type", e.ID, e.RSIT)
		}
		if e.ICOType != "" && !ValidICOType(e.ICOType) {
			t.Errorf("example %s: ICO type %q unknown", e.ID, e.ICOType)
		}
		if !ValidTriage(e.Triage) {
			t.Errorf("example %s: triage %q unknown", e.ID, e.Triage)
		}
		for _, im := range e.Impacts {
			if !ValidImpact(im) {
				t.Errorf("example %s: impact %q unknown", e.ID, im)
			}
		}
	}
	unique("example", ids)
	if len(ids) < 17 {
		t.Errorf("%d seed 004 examples, want all of them", len(ids))
	}
}

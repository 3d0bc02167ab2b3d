package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func valid() *Incident {
	inc := &Incident{Title: "Misdirected e-mail", Nature: "Spreadsheet sent to the wrong A. Khan", Channel: ChannelWeb, ReportedAt: now}
	inc.Normalize()
	return inc
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Incident)
		fields []string // fields named in the error; nil = valid
	}{
		{"valid", func(*Incident) {}, nil},
		{"missing title and nature", func(i *Incident) { i.Title, i.Nature = "", "" }, []string{"title", "nature"}},
		{"title too long", func(i *Incident) { i.Title = strings.Repeat("x", MaxTitle+1) }, []string{"title"}},
		{"bad class", func(i *Incident) { i.Class = "disaster" }, []string{"class"}},
		{"bad personal data", func(i *Incident) { i.PersonalData = "maybe" }, []string{"personal_data"}},
		{"bad relationship", func(i *Incident) { i.Reporter.Relationship = "friend" }, []string{"reporter.relationship"}},
		{"year 0001", func(i *Incident) { i.OccurredAt = at("0001-01-01T00:00:00Z") }, []string{"occurred_at"}},
		{"far future", func(i *Incident) { i.DiscoveredAt = at("2030-01-01T00:00:00Z") }, []string{"discovered_at"}},
		{"occurred after discovered", func(i *Incident) {
			i.OccurredAt, i.DiscoveredAt = at("2026-11-19T10:00:00Z"), at("2026-11-18T10:00:00Z")
		}, []string{"discovered_at"}},
		{"aware before discovered", func(i *Incident) {
			i.DiscoveredAt, i.AwareAt = at("2026-11-19T10:00:00Z"), at("2026-11-18T10:00:00Z")
		}, []string{"aware_at"}},
		{"NUL in text", func(i *Incident) { i.Systems = "a\x00b" }, []string{"systems"}},
		{"invalid UTF-8", func(i *Incident) { i.People = "\xff\xfe" }, []string{"people"}},
		{"RSIT class and type", func(i *Incident) { i.RSITClass, i.RSITType = "fraud", "phishing" }, nil},
		{"unknown RSIT class", func(i *Incident) { i.RSITClass, i.RSITType = "mischief", "phishing" }, []string{"rsit_class"}},
		{"RSIT type of another class", func(i *Incident) { i.RSITClass, i.RSITType = "fraud", "data-leak" }, []string{"rsit_type"}},
		{"RSIT type without class", func(i *Incident) { i.RSITType = "phishing" }, []string{"rsit_class"}},
		{"RSIT class without type", func(i *Incident) { i.RSITClass = "fraud" }, []string{"rsit_type"}},
		{"ICO type", func(i *Incident) { i.ICOType = "loss-or-theft-of-device" }, nil},
		{"unknown ICO type", func(i *Incident) { i.ICOType = "lost-in-the-post" }, []string{"ico_type"}},
		{"severity", func(i *Incident) { i.Severity = &Severity{Scheme: "ncsc-uk", Category: "3", Rank: 3} }, nil},
		{"severity without rank or category", func(i *Incident) { i.Severity = &Severity{Scheme: "ncsc-uk"} }, []string{"severity.category", "severity.rank"}},
		{"severity without scheme", func(i *Incident) { i.Severity = &Severity{Category: "3", Rank: 3} }, []string{"severity.scheme"}},
		{"bad TLP", func(i *Incident) { i.TLP = "white" }, []string{"tlp"}},
		{"TLP amber+strict", func(i *Incident) { i.TLP = "amber+strict" }, nil},
		{"bad PAP", func(i *Incident) { i.PAP = "amber+strict" }, []string{"pap"}},
		{"impact note too long", func(i *Incident) {
			i.Impact.Integrity = ImpactNote{Affected: true, Note: strings.Repeat("x", MaxImpactNote+1)}
		}, []string{"impact.integrity.note"}},
		{"impact note with NUL", func(i *Incident) { i.Impact.Availability.Note = "a\x00b" }, []string{"impact.availability.note"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inc := valid()
			tc.change(inc)
			err := inc.Validate(now)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want ValidationError, got %v", err)
			}
			got := map[string]bool{}
			for _, f := range ve.Fields {
				got[f.Field] = true
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("error does not name %s: %v", f, err)
				}
			}
		})
	}
}

func TestStatusMachine(t *testing.T) {
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusNew, StatusTriage, true},
		{StatusNew, StatusClosed, false},
		{StatusTriage, StatusInvestigating, true},
		{StatusInvestigating, StatusContained, true},
		{StatusContained, StatusRecovering, true},
		{StatusRecovering, StatusResolved, true},
		{StatusResolved, StatusClosed, true},
		{StatusClosed, StatusInvestigating, true}, // reopened on new facts
		{StatusClosed, StatusNew, false},
		{StatusContained, StatusNotIncident, false},
		{StatusMerged, StatusTriage, false},
	}
	for _, tc := range tests {
		if got := CanTransition(tc.from, tc.to); got != tc.ok {
			t.Errorf("%s -> %s: %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}

func TestApplyStampsAndDiffs(t *testing.T) {
	inc := valid()
	inc.Status = StatusInvestigating
	later := now.Add(time.Hour)
	changes, err := Apply(inc, Patch{Status: Opt[Status]{Set: true, Value: StatusContained}, Title: Opt[string]{Set: true, Value: " New title "}}, later)
	if err != nil {
		t.Fatal(err)
	}
	if inc.ContainedAt == nil || !inc.ContainedAt.Equal(later) {
		t.Fatalf("contained_at not stamped: %v", inc.ContainedAt)
	}
	fields := map[string]Change{}
	for _, c := range changes {
		fields[c.Field] = c
	}
	if c, ok := fields["title"]; !ok || c.Before != "Misdirected e-mail" || c.After != "New title" {
		t.Fatalf("title change %+v", fields["title"])
	}
	if _, ok := fields["status"]; !ok {
		t.Fatal("status change not listed")
	}
	if _, err := Apply(inc, Patch{Status: Opt[Status]{Set: true, Value: StatusNew}}, later); err == nil {
		t.Fatal("contained -> new accepted")
	}
	if inc.Status != StatusContained {
		t.Fatalf("a refused change altered the status to %s", inc.Status)
	}
}

func TestRankFollowsSeed001(t *testing.T) {
	order := []TriageClass{ClassIncident, ClassUnknown, ClassVulnerability, ClassEvent}
	for i := 1; i < len(order); i++ {
		if order[i-1].Rank() >= order[i].Rank() {
			t.Fatalf("%s must come before %s", order[i-1], order[i])
		}
	}
}

func TestClassificationDefaultsAndDiff(t *testing.T) {
	inc := valid()
	if inc.TLP != DefaultTLP || inc.PAP != DefaultPAP {
		t.Fatalf("markings default to %q/%q, want amber/amber", inc.TLP, inc.PAP)
	}
	if inc.SeverityRank() != UngradedRank {
		t.Fatalf("ungraded rank %d", inc.SeverityRank())
	}
	inc.Suggestion = &Suggestion{ICOType: "loss-or-theft-of-device"}
	changes, err := Apply(inc, Patch{
		RSITClass: Opt[string]{Set: true, Value: " Fraud "}, RSITType: Opt[string]{Set: true, Value: "phishing"},
		TLP:      Opt[string]{Set: true, Value: "TLP:RED"},
		Severity: Opt[*Severity]{Set: true, Value: &Severity{Scheme: "ncsc-uk", Category: "4", Rank: 4}},
		Impact:   ImpactPatch{Confidentiality: Opt[ImpactNote]{Set: true, Value: ImpactNote{Affected: true, Note: "names seen"}}},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if inc.RSITClass != "fraud" || inc.TLP != "red" || inc.SeverityRank() != 4 || !inc.Impact.Confidentiality.Affected {
		t.Fatalf("not applied: %+v", inc)
	}
	got := map[string]bool{}
	for _, c := range changes {
		got[c.Field] = true
	}
	for _, f := range []string{"rsit_class", "rsit_type", "tlp", "severity", "impact"} {
		if !got[f] {
			t.Errorf("change of %s not listed: %v", f, changes)
		}
	}
	if got["suggestion"] || got["pap"] {
		t.Errorf("unchanged fields listed: %v", changes)
	}
	if _, err := Apply(inc, Patch{Severity: Opt[*Severity]{Set: true}}, now); err != nil || inc.Severity != nil {
		t.Fatalf("clearing severity: %v %+v", err, inc.Severity)
	}
}

package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestRenderEscalationGolden(t *testing.T) {
	loc := london(t)
	// 72 hours from awareness at 09:30 UTC on Tuesday 11 March 2025 (GMT, UTC+0).
	winterDue := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	// Due in British Summer Time: 14:00 UTC is 15:00 BST.
	summerDue := time.Date(2025, 7, 4, 14, 0, 0, 0, time.UTC)
	base := Escalation{
		Reference: "INC-2025-0042",
		Title:     "Laptop left on a train",
		Clock:     "72-hour notification to the ICO",
		Due:       winterDue,
		Location:  loc,
		URL:       "https://vigil.example.org/incidents/INC-2025-0042",
	}
	tests := []struct {
		name string
		edit func(e *Escalation)
	}{
		{"half-time", func(e *Escalation) { e.Now = winterDue.Add(-36 * time.Hour) }},
		{"ninety-percent", func(e *Escalation) { e.Now = winterDue.Add(-7*time.Hour - 12*time.Minute - 30*time.Second) }},
		{"last-minutes", func(e *Escalation) { e.Now = winterDue.Add(-45 * time.Minute) }},
		{"expired", func(e *Escalation) { e.Now = winterDue.Add(30 * time.Second) }},
		{"overdue", func(e *Escalation) { e.Now = winterDue.Add(3*time.Hour + 5*time.Minute) }},
		{"summer-time", func(e *Escalation) {
			e.Due = summerDue
			e.Now = summerDue.Add(-18 * time.Hour)
			e.Clock = "one-month response to the data subject"
		}},
		{"exercise", func(e *Escalation) {
			e.Now = winterDue.Add(-54 * time.Hour)
			e.Exercise = true
		}},
		{"hostile-title", func(e *Escalation) {
			e.Now = winterDue.Add(-24 * time.Hour)
			e.Title = "<script>alert(1)</script> & \"quotes\"\r\nBcc: attacker@example.net " + strings.Repeat("long ", 40)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.edit(&e)
			m, err := RenderEscalation(e)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != "escalation" {
				t.Errorf("Kind = %q, want escalation", m.Kind)
			}
			if strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("subject holds a line break: %q", m.Subject)
			}
			got := "Subject: " + m.Subject + "\n\n--- text ---\n" + m.Text + "\n--- html ---\n" + m.HTML
			golden(t, filepath.Join("testdata", "escalation-"+tt.name+".golden"), got)
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/mail -run Golden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestRenderEscalationRefusesIncompleteInput(t *testing.T) {
	loc := london(t)
	now := time.Date(2025, 3, 13, 9, 30, 0, 0, time.UTC)
	ok := Escalation{Reference: "INC-1", Title: "t", Clock: "c", Due: now.Add(time.Hour), Now: now, Location: loc, URL: "https://v.example/i/1"}
	tests := []struct {
		name string
		edit func(e *Escalation)
		want string
	}{
		{"no reference", func(e *Escalation) { e.Reference = " " }, "reference"},
		{"no clock", func(e *Escalation) { e.Clock = "" }, "clock"},
		{"no due", func(e *Escalation) { e.Due = time.Time{} }, "due"},
		{"no now", func(e *Escalation) { e.Now = time.Time{} }, "due"},
		{"no zone", func(e *Escalation) { e.Location = nil }, "time zone"},
		{"relative link", func(e *Escalation) { e.URL = "/incidents/1" }, "absolute"},
		{"script link", func(e *Escalation) { e.URL = "javascript:alert(1)" }, "absolute"},
	}
	if _, err := RenderEscalation(ok); err != nil {
		t.Fatalf("the complete escalation was refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.edit(&e)
			_, err := RenderEscalation(e)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "less than a minute"},
		{59 * time.Second, "less than a minute"},
		{time.Minute, "1 minute"},
		{time.Minute + 59*time.Second, "1 minute"}, // rounded down, never up
		{45 * time.Minute, "45 minutes"},
		{time.Hour, "1 hour"},
		{time.Hour + time.Minute, "1 hour 1 minute"},
		{7*time.Hour + 12*time.Minute, "7 hours 12 minutes"},
		{24 * time.Hour, "1 day"},
		{36 * time.Hour, "1 day 12 hours"},
		{72*time.Hour - time.Second, "2 days 23 hours"},
		{30*24*time.Hour + 59*time.Minute, "30 days"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

package clocks

import (
	"math/rand"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func find(cs []Clock, rule, scope string) *Clock {
	for i := range cs {
		if cs[i].Rule == rule && cs[i].Scope == scope {
			return &cs[i]
		}
	}
	return nil
}

func TestDeriveJourneyOne(t *testing.T) {
	// Journey 1: Friday 16:55 misdirected e-mail, personal data, reported at once.
	inc := &domain.Incident{DiscoveredAt: at("2026-11-20T16:55:00Z"), AwareAt: at("2026-11-20T16:55:00Z"),
		ReportedAt: *at("2026-11-20T16:57:00Z"), PersonalData: domain.Yes}
	s := DefaultSettings()
	s.Jurisdictions = []string{"UK", "JE"}
	cs, err := Derive(inc, s, Facts{AuthorityDecision: map[string]bool{"JE": false}})
	if err != nil {
		t.Fatal(err)
	}
	ico := find(cs, deadline.RuleAuthority72h, "UK")
	if ico == nil || ico.State != Running || !ico.DueAt.Equal(*at("2026-11-23T16:55:00Z")) {
		t.Fatalf("ICO clock: %+v", ico)
	}
	if je := find(cs, deadline.RuleAuthority72h, "JE"); je == nil || je.State != NotApplicable {
		t.Fatalf("JOIC clock after a don't-notify decision: %+v", je)
	}
	internal := find(cs, deadline.RuleInternal2WorkDays, "")
	if internal == nil || internal.State != Met || internal.Late {
		t.Fatalf("internal clock: %+v", internal)
	}
	// Recording the ICO notification meets the clock, late when after the due instant.
	cs, _ = Derive(inc, s, Facts{Notified: map[string]time.Time{Key(deadline.RuleAuthority72h, "UK"): *at("2026-11-24T10:00:00Z")}})
	if ico := find(cs, deadline.RuleAuthority72h, "UK"); ico.State != Met || !ico.Late {
		t.Fatalf("late notification: %+v", ico)
	}
}

func TestNoPersonalDataNoAuthorityClock(t *testing.T) {
	inc := &domain.Incident{AwareAt: at("2026-11-20T16:55:00Z"), PersonalData: domain.No, ReportedAt: *at("2026-11-20T17:00:00Z")}
	cs, err := Derive(inc, DefaultSettings(), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	if find(cs, deadline.RuleAuthority72h, "UK") != nil {
		t.Fatal("authority clock without personal data")
	}
}

func TestSectorSequences(t *testing.T) {
	inc := &domain.Incident{AwareAt: at("2026-03-02T08:00:00Z"), PersonalData: domain.No, ReportedAt: *at("2026-03-02T08:00:00Z")}
	s := DefaultSettings()
	s.NIS2, s.DORA = true, true
	cs, _ := Derive(inc, s, Facts{NIS2Significant: true, DORAMajor: true})
	for _, r := range []string{deadline.RuleNIS2EarlyWarning, deadline.RuleNIS2Notification, deadline.RuleDORAInitial} {
		if find(cs, r, "") == nil {
			t.Errorf("%s missing", r)
		}
	}
	if find(cs, deadline.RuleNIS2Final, "") != nil || find(cs, deadline.RuleDORAIntermediate, "") != nil {
		t.Fatal("follow-up clocks started before the report they follow")
	}
	cs, _ = Derive(inc, s, Facts{NIS2Significant: true, DORAMajor: true, Notified: map[string]time.Time{
		Key(deadline.RuleNIS2Notification, ""): *at("2026-03-04T08:00:00Z"), Key(deadline.RuleDORAInitial, ""): *at("2026-03-02T10:00:00Z")}})
	if f := find(cs, deadline.RuleNIS2Final, ""); f == nil || f.State != Running {
		t.Fatalf("NIS2 final: %+v", f)
	}
	if im := find(cs, deadline.RuleDORAIntermediate, ""); im == nil || !im.DueAt.Equal(*at("2026-03-05T10:00:00Z")) {
		t.Fatalf("DORA intermediate: %+v", im)
	}
	// Without the regime switched on, no clocks.
	cs, _ = Derive(inc, DefaultSettings(), Facts{NIS2Significant: true})
	if find(cs, deadline.RuleNIS2EarlyWarning, "") != nil {
		t.Fatal("NIS2 clock without the regime")
	}
}

func TestEscalate(t *testing.T) {
	c := Clock{State: Running, StartAt: *at("2026-11-20T00:00:00Z"), DueAt: *at("2026-11-23T00:00:00Z")}
	th := []int{50, 75, 90, 100}
	Escalate(&c, th, 0, *at("2026-11-20T01:00:00Z"))
	if c.NextThreshold != 50 || !c.NextEscalationAt.Equal(*at("2026-11-21T12:00:00Z")) {
		t.Fatalf("first escalation %d at %v", c.NextThreshold, c.NextEscalationAt)
	}
	Escalate(&c, th, 90, *at("2026-11-22T22:00:00Z"))
	if c.NextThreshold != 100 || !c.NextEscalationAt.Equal(c.DueAt) {
		t.Fatalf("expiry escalation %d at %v", c.NextThreshold, c.NextEscalationAt)
	}
	Escalate(&c, th, 100, *at("2026-11-23T00:00:01Z"))
	if c.State != Missed || c.NextEscalationAt != nil {
		t.Fatalf("after expiry: %+v", c)
	}
}

// Moving awareness later never moves an authority deadline earlier, and due >= start.
func TestPropertyMonotonic(t *testing.T) {
	rnd := rand.New(rand.NewSource(42))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2000; i++ {
		a := base.Add(time.Duration(rnd.Int63n(int64(4 * 365 * 24 * time.Hour))))
		b := a.Add(time.Duration(rnd.Int63n(int64(10 * 24 * time.Hour))))
		derive := func(aware time.Time) Clock {
			inc := &domain.Incident{AwareAt: &aware, DiscoveredAt: &aware, PersonalData: domain.Yes, ReportedAt: aware}
			cs, err := Derive(inc, DefaultSettings(), Facts{})
			if err != nil {
				t.Fatal(err)
			}
			return *find(cs, deadline.RuleAuthority72h, "UK")
		}
		ca, cb := derive(a), derive(b)
		if ca.DueAt.Before(ca.StartAt) || cb.DueAt.Before(ca.DueAt) {
			t.Fatalf("aware %v -> due %v; aware %v -> due %v", a, ca.DueAt, b, cb.DueAt)
		}
	}
}

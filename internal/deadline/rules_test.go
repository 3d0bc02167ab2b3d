package deadline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRulesDescribed(t *testing.T) {
	want := []string{
		RuleAuthority72h, RuleInternal2WorkDays,
		RuleNIS2EarlyWarning, RuleNIS2Notification, RuleNIS2Final,
		RuleDORAInitial, RuleDORAIntermediate, RuleDORAFinal,
	}
	got := Rules()
	if len(got) != len(want) {
		t.Fatalf("%d rules, want %d", len(got), len(want))
	}
	for i, r := range got {
		if r.Name != want[i] {
			t.Errorf("rule %d is %q, want %q", i, r.Name, want[i])
		}
		if r.Description == "" || r.From == "" || r.Source == "" {
			t.Errorf("%s: description, from and source are all required: %+v", r.Name, r)
		}
	}
	// Rules returns a copy: callers cannot change the table.
	got[0].Name = "changed"
	if Rules()[0].Name != RuleAuthority72h {
		t.Error("Rules exposes the rule table")
	}
}

func TestDue(t *testing.T) {
	for _, tc := range []struct {
		name, rule, cal, zone, from, want string
	}{
		// The contract: 72 elapsed hours, across the spring change on
		// 29 March 2026 (due 13:00 BST, not 12:00).
		{"contract", RuleAuthority72h, EnglandAndWales, "", "2026-03-28T12:00:00Z", "2026-03-31T12:00:00Z"},
		{"72h across fall back", RuleAuthority72h, EnglandAndWales, "", "2026-10-24T12:00:00Z", "2026-10-27T12:00:00Z"},
		{"72h keeps fractions", RuleAuthority72h, EnglandAndWales, "", "2026-01-01T00:00:00.5Z", "2026-01-04T00:00:00.5Z"},
		{"72h across leap day", RuleAuthority72h, Jersey, "", "2028-02-27T18:00:00+01:00", "2028-03-01T17:00:00Z"},
		{"72h needs no calendar year", RuleAuthority72h, EnglandAndWales, "", "2040-06-01T09:00:00Z", "2040-06-04T09:00:00Z"},
		{"72h ignores the zone", RuleAuthority72h, EnglandAndWales, "Asia/Tokyo", "2026-03-28T12:00:00Z", "2026-03-31T12:00:00Z"},
		{"internal, Friday 16:55", RuleInternal2WorkDays, EnglandAndWales, "", "2026-01-16T16:55:00Z", "2026-01-20T23:59:59Z"},
		{"internal, Jersey Liberation Day", RuleInternal2WorkDays, Jersey, "", "2025-05-08T09:00:00Z", "2025-05-13T22:59:59Z"},
		{"internal counts in the calendar's zone whatever loc", RuleInternal2WorkDays, EnglandAndWales, "America/New_York", "2026-01-16T16:55:00Z", "2026-01-20T23:59:59Z"},
		{"NIS2 early warning", RuleNIS2EarlyWarning, EnglandAndWales, "", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"},
		{"NIS2 notification", RuleNIS2Notification, EnglandAndWales, "", "2026-03-28T12:00:00Z", "2026-03-31T12:00:00Z"},
		{"NIS2 final, same date", RuleNIS2Final, EnglandAndWales, "", "2026-01-15T10:00:00Z", "2026-02-15T23:59:59Z"},
		{"NIS2 final, clamped", RuleNIS2Final, EnglandAndWales, "", "2026-01-31T10:00:00Z", "2026-02-28T23:59:59Z"},
		{"NIS2 final, clamped to leap day", RuleNIS2Final, EnglandAndWales, "", "2028-01-31T10:00:00Z", "2028-02-29T23:59:59Z"},
		{"NIS2 final, from leap day", RuleNIS2Final, EnglandAndWales, "", "2028-02-29T10:00:00Z", "2028-03-29T22:59:59Z"},
		{"NIS2 final, into summer time", RuleNIS2Final, EnglandAndWales, "", "2026-03-15T12:00:00Z", "2026-04-15T22:59:59Z"},
		{"NIS2 final, out of summer time", RuleNIS2Final, EnglandAndWales, "", "2026-10-10T12:00:00Z", "2026-11-10T23:59:59Z"},
		{"NIS2 final, 30 days in September", RuleNIS2Final, EnglandAndWales, "", "2026-08-31T12:00:00Z", "2026-09-30T22:59:59Z"},
		{"NIS2 final, year end", RuleNIS2Final, EnglandAndWales, "", "2026-12-31T12:00:00Z", "2027-01-31T23:59:59Z"},
		{"NIS2 final, local date is 1 June", RuleNIS2Final, EnglandAndWales, "", "2026-05-31T23:30:00Z", "2026-07-01T22:59:59Z"},
		{"NIS2 final, in UTC the date is 31 May", RuleNIS2Final, EnglandAndWales, "UTC", "2026-05-31T23:30:00Z", "2026-06-30T23:59:59Z"},
		{"NIS2 final needs no calendar year", RuleNIS2Final, EnglandAndWales, "", "2035-01-15T10:00:00Z", "2035-02-15T23:59:59Z"},
		{"DORA initial, 24h outer bound", RuleDORAInitial, EnglandAndWales, "", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"},
		{"DORA intermediate", RuleDORAIntermediate, EnglandAndWales, "", "2026-10-23T08:00:00Z", "2026-10-26T08:00:00Z"},
		{"DORA final", RuleDORAFinal, Jersey, "", "2027-03-31T09:00:00Z", "2027-04-30T22:59:59Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var loc *time.Location
			if tc.zone != "" {
				loc = mustZone(t, tc.zone)
			}
			got, err := Due(tc.rule, mustTime(t, tc.from), mustCalendar(t, tc.cal), loc)
			if err != nil {
				t.Fatal(err)
			}
			if got.Location() != time.UTC {
				t.Errorf("due in %s, want UTC", got.Location())
			}
			if want := mustTime(t, tc.want); !got.Equal(want) {
				t.Errorf("got %s, want %s", got.Format(time.RFC3339Nano), tc.want)
			}
		})
	}
}

func TestDueErrors(t *testing.T) {
	ew := mustCalendar(t, EnglandAndWales)
	from := mustTime(t, "2026-03-28T12:00:00Z")

	_, err := Due("authority-48h", from, ew, nil)
	if !errors.Is(err, ErrUnknownRule) {
		t.Fatalf("unknown rule: err = %v, want ErrUnknownRule", err)
	}
	for _, r := range Rules() {
		if !strings.Contains(err.Error(), r.Name) {
			t.Errorf("error %q does not list %s", err, r.Name)
		}
	}

	if _, err := Due(RuleAuthority72h, from, nil, nil); err == nil {
		t.Error("nil calendar: no error")
	}

	_, err = Due(RuleInternal2WorkDays, mustTime(t, "2031-01-06T09:00:00Z"), ew, nil)
	if !errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), RuleInternal2WorkDays) {
		t.Errorf("out of range: err = %v, want ErrOutOfRange naming the rule", err)
	}
}

func TestDORAInitial(t *testing.T) {
	aware := mustTime(t, "2026-03-28T10:00:00Z")
	for _, tc := range []struct {
		name, classified, want string
	}{
		{"classified at once: 4 hours", "2026-03-28T10:00:00Z", "2026-03-28T14:00:00Z"},
		{"classified later the same day", "2026-03-28T15:30:00Z", "2026-03-28T19:30:00Z"},
		{"4 hours would pass the 24-hour bound", "2026-03-29T08:00:00Z", "2026-03-29T10:00:00Z"},
		{"classified after the 24-hour bound", "2026-03-30T08:00:00Z", "2026-03-29T10:00:00Z"},
	} {
		got, err := DORAInitial(aware, mustTime(t, tc.classified))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !got.Equal(mustTime(t, tc.want)) {
			t.Errorf("%s: got %s, want %s", tc.name, got.Format(time.RFC3339), tc.want)
		}
	}
	if _, err := DORAInitial(aware, aware.Add(-time.Minute)); err == nil {
		t.Error("classification before awareness: no error")
	}
	// With only awareness known, the one-instant rule is the outer bound:
	// never earlier than the two-instant answer.
	outer, err := Due(RuleDORAInitial, aware, mustCalendar(t, EnglandAndWales), nil)
	if err != nil {
		t.Fatal(err)
	}
	if both, _ := DORAInitial(aware, aware); both.After(outer) {
		t.Errorf("DORAInitial %s after the one-instant rule %s", both, outer)
	}
}

func BenchmarkDue(b *testing.B) {
	cal := mustCalendar(b, EnglandAndWales)
	from := mustTime(b, "2026-12-24T16:55:00Z")
	for _, r := range Rules() {
		b.Run(r.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Due(r.Name, from, cal, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

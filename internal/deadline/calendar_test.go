package deadline

import (
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustCalendar(t testing.TB, name string) *Calendar {
	t.Helper()
	c, err := LoadCalendar(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestCalendarFilesMatchNames(t *testing.T) {
	entries, err := fs.ReadDir(calendarFiles, "calendars")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, strings.TrimSuffix(e.Name(), ".json"))
	}
	want := slices.Sorted(slices.Values(CalendarNames()))
	if !slices.Equal(files, want) {
		t.Fatalf("embedded calendars %v, CalendarNames %v", files, want)
	}
}

func TestCalendarMetadata(t *testing.T) {
	for _, tc := range []struct {
		name, zone string
	}{
		{EnglandAndWales, "Europe/London"},
		{Jersey, "Europe/Jersey"},
	} {
		c := mustCalendar(t, tc.name)
		if c.Name() != tc.name || c.Location().String() != tc.zone {
			t.Errorf("%s: name %q zone %q, want zone %q", tc.name, c.Name(), c.Location(), tc.zone)
		}
		if first, last := c.Years(); first != 2024 || last != 2030 {
			t.Errorf("%s: years %d-%d, want 2024-2030", tc.name, first, last)
		}
		if c.Title() == "" || c.Source() == "" {
			t.Errorf("%s: title %q source %q must not be empty", tc.name, c.Title(), c.Source())
		}
	}
}

func TestLoadCalendarUnknown(t *testing.T) {
	_, err := LoadCalendar("scotland")
	if !errors.Is(err, ErrUnknownCalendar) {
		t.Fatalf("err = %v, want ErrUnknownCalendar", err)
	}
	for _, name := range CalendarNames() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %s", err, name)
		}
	}
}

// The standing rules, computed independently of the data files, so that a
// typing slip in a file shows up. Sources: Banking and Financial Dealings Act
// 1971 Sch. 1 with the usual proclamations; Jersey adds 9 May, with no
// substitute day (see the notes in calendars/jersey.json).

// easter is Easter Sunday in the Gregorian calendar (the anonymous
// "Meeus/Jones/Butcher" algorithm).
func easter(y int) civilDate {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	return newCivilDate(y, time.Month((h+l-7*m+114)/31), (h+l-7*m+114)%31+1)
}

func firstMonday(y int, m time.Month) civilDate {
	d := newCivilDate(y, m, 1)
	for d.weekday() != time.Monday {
		d = d.addDays(1)
	}
	return d
}

func lastMonday(y int, m time.Month) civilDate {
	d := newCivilDate(y, m+1, 0)
	for d.weekday() != time.Monday {
		d = d.addDays(-1)
	}
	return d
}

func standingRule(y int, jersey bool) map[civilDate]bool {
	days := map[civilDate]bool{}
	// A fixed-date holiday on a weekend moves to the next weekday not
	// already taken (Christmas on Saturday: Monday 27 and Tuesday 28).
	substitute := func(d civilDate) {
		for d.weekday() == time.Saturday || d.weekday() == time.Sunday || days[d] {
			d = d.addDays(1)
		}
		days[d] = true
	}
	// Weekday holidays first, so that substitutes step over them.
	for _, d := range []civilDate{newCivilDate(y, 1, 1), newCivilDate(y, 12, 25), newCivilDate(y, 12, 26)} {
		if wd := d.weekday(); wd != time.Saturday && wd != time.Sunday {
			days[d] = true
		}
	}
	for _, d := range []civilDate{newCivilDate(y, 1, 1), newCivilDate(y, 12, 25), newCivilDate(y, 12, 26)} {
		if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
			substitute(d)
		}
	}
	e := easter(y)
	days[e.addDays(-2)] = true
	days[e.addDays(1)] = true
	days[firstMonday(y, time.May)] = true
	days[lastMonday(y, time.May)] = true
	days[lastMonday(y, time.August)] = true
	if jersey {
		days[newCivilDate(y, time.May, 9)] = true
	}
	return days
}

func TestHolidaysFollowStandingRule(t *testing.T) {
	oneOffs := map[string][]civilDate{
		EnglandAndWales: nil,
		// Visit of King Charles III and Queen Camilla, Act of the States.
		Jersey: {newCivilDate(2024, time.July, 15)},
	}
	for _, name := range CalendarNames() {
		c := mustCalendar(t, name)
		want := map[civilDate]bool{}
		for y := 2024; y <= 2030; y++ {
			maps.Copy(want, standingRule(y, name == Jersey))
		}
		for _, d := range oneOffs[name] {
			want[d] = true
		}
		// A weekend holiday with no substitute (Liberation Day on a Sunday)
		// may be listed or not: it changes no working day.
		for d := range want {
			if _, listed := c.holidays[d]; !listed && d.weekday() != time.Saturday && d.weekday() != time.Sunday {
				t.Errorf("%s: %s (%s) missing", name, d, d.weekday())
			}
		}
		for d, h := range c.holidays {
			if !want[d] {
				t.Errorf("%s: %s %q is not a holiday by the standing rule", name, d, h)
			}
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	ew, je := mustCalendar(t, EnglandAndWales), mustCalendar(t, Jersey)
	for _, tc := range []struct {
		cal     *Calendar
		y       int
		m       time.Month
		d       int
		working bool
	}{
		{ew, 2026, time.January, 2, true},    // Friday
		{ew, 2026, time.January, 3, false},   // Saturday
		{ew, 2026, time.January, 4, false},   // Sunday
		{ew, 2026, time.April, 3, false},     // Good Friday
		{ew, 2026, time.April, 6, false},     // Easter Monday
		{ew, 2026, time.December, 28, false}, // Boxing Day substitute
		{ew, 2027, time.December, 27, false}, // Christmas Day substitute
		{ew, 2027, time.December, 28, false}, // Boxing Day substitute
		{ew, 2028, time.January, 3, false},   // New Year's Day substitute
		{ew, 2028, time.February, 29, true},  // leap day, a Tuesday
		{ew, 2024, time.May, 9, true},        // England has no Liberation Day
		{je, 2024, time.May, 9, false},       // Liberation Day
		{je, 2026, time.May, 11, true},       // Liberation Day was Saturday: no substitute
		{je, 2027, time.May, 10, true},       // Liberation Day was Sunday: no substitute
		{je, 2024, time.July, 15, false},     // royal visit
		{ew, 2024, time.July, 15, true},      // not in England
		{je, 2030, time.December, 26, false}, // Boxing Day
		{ew, 2030, time.December, 31, true},  // last day covered
		{ew, 2024, time.January, 1, false},   // first day covered
	} {
		got, err := tc.cal.IsWorkingDay(tc.y, tc.m, tc.d)
		if err != nil {
			t.Errorf("%s %d-%02d-%02d: %v", tc.cal.Name(), tc.y, tc.m, tc.d, err)
			continue
		}
		if got != tc.working {
			t.Errorf("%s %d-%02d-%02d: working = %v, want %v", tc.cal.Name(), tc.y, tc.m, tc.d, got, tc.working)
		}
	}
}

func TestIsWorkingDayOutOfRange(t *testing.T) {
	c := mustCalendar(t, EnglandAndWales)
	for _, y := range []int{2023, 2031} {
		if _, err := c.IsWorkingDay(y, time.June, 1); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%d: err = %v, want ErrOutOfRange", y, err)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	for _, tc := range []struct {
		name, cal, start, want string
	}{
		{"Friday afternoon to end of Tuesday", EnglandAndWales, "2026-01-16T16:55:00Z", "2026-01-20T23:59:59Z"},
		{"Monday just after midnight", EnglandAndWales, "2026-01-19T00:00:01Z", "2026-01-21T23:59:59Z"},
		{"Saturday discovery", EnglandAndWales, "2026-01-17T10:00:00Z", "2026-01-20T23:59:59Z"},
		{"Sunday late", EnglandAndWales, "2026-01-18T23:59:59Z", "2026-01-20T23:59:59Z"},
		{"local day, not UTC day: 23:30 BST Monday", EnglandAndWales, "2026-06-01T22:30:00Z", "2026-06-03T22:59:59Z"},
		{"local day, not UTC day: 00:30 BST Tuesday", EnglandAndWales, "2026-06-01T23:30:00Z", "2026-06-04T22:59:59Z"},
		{"Easter 2026", EnglandAndWales, "2026-04-02T08:00:00Z", "2026-04-08T22:59:59Z"},
		{"Easter 2027 across the spring change", EnglandAndWales, "2027-03-25T12:00:00Z", "2027-03-31T22:59:59Z"},
		{"Christmas on Friday, Boxing Day substitute Monday", EnglandAndWales, "2026-12-24T10:00:00Z", "2026-12-30T23:59:59Z"},
		{"Christmas on Saturday, both substitutes", EnglandAndWales, "2027-12-24T10:00:00Z", "2027-12-30T23:59:59Z"},
		{"New Year's Day on Saturday", EnglandAndWales, "2027-12-30T12:00:00Z", "2028-01-04T23:59:59Z"},
		{"spring forward: GMT Friday to BST Tuesday", EnglandAndWales, "2026-03-27T16:55:00Z", "2026-03-31T22:59:59Z"},
		{"fall back: BST Friday to GMT Tuesday", EnglandAndWales, "2026-10-23T15:55:00Z", "2026-10-27T23:59:59Z"},
		{"discovered during the repeated hour", EnglandAndWales, "2026-10-25T01:30:00Z", "2026-10-27T23:59:59Z"},
		{"leap day counted", EnglandAndWales, "2028-02-28T10:00:00Z", "2028-03-01T23:59:59Z"},
		{"Liberation Day 2024, England", EnglandAndWales, "2024-05-08T09:00:00Z", "2024-05-10T22:59:59Z"},
		{"Liberation Day 2024, Jersey", Jersey, "2024-05-08T09:00:00Z", "2024-05-13T22:59:59Z"},
		{"Liberation Day 2028 on a Tuesday, England", EnglandAndWales, "2028-05-08T09:00:00Z", "2028-05-10T22:59:59Z"},
		{"Liberation Day 2028 on a Tuesday, Jersey", Jersey, "2028-05-08T09:00:00Z", "2028-05-11T22:59:59Z"},
		{"Liberation Day 2026 on Saturday: no Monday off", Jersey, "2026-05-08T09:00:00Z", "2026-05-12T22:59:59Z"},
		{"Liberation Day 2027 on Sunday: no Monday off", Jersey, "2027-05-07T09:00:00Z", "2027-05-11T22:59:59Z"},
		{"royal visit 2024, Jersey", Jersey, "2024-07-12T09:00:00Z", "2024-07-17T22:59:59Z"},
		{"royal visit 2024, England", EnglandAndWales, "2024-07-12T09:00:00Z", "2024-07-16T22:59:59Z"},
		{"start before the calendar, every day examined within it", EnglandAndWales, "2023-12-31T12:00:00Z", "2024-01-03T23:59:59Z"},
		{"last days covered", EnglandAndWales, "2030-12-27T12:00:00Z", "2030-12-31T23:59:59Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCalendar(t, tc.cal)
			got, err := c.AddWorkingDays(mustTime(t, tc.start), 2)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustTime(t, tc.want); !got.Equal(want) {
				t.Errorf("got %s (%s), want %s", got.UTC().Format(time.RFC3339), got.In(c.Location()).Format(time.RFC1123), tc.want)
			}
		})
	}
}

func TestAddWorkingDaysOutOfRange(t *testing.T) {
	c := mustCalendar(t, EnglandAndWales)
	for _, start := range []string{
		"2023-12-28T12:00:00Z", // Friday 29 December 2023 is not covered
		"2030-12-30T12:00:00Z", // needs 1 January 2031
		"2031-06-02T12:00:00Z",
	} {
		if _, err := c.AddWorkingDays(mustTime(t, start), 2); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s: err = %v, want ErrOutOfRange", start, err)
		}
	}
}

func TestAddWorkingDaysCount(t *testing.T) {
	c := mustCalendar(t, EnglandAndWales)
	start := mustTime(t, "2026-01-16T16:55:00Z") // Friday
	for n, want := range map[int]string{
		1:  "2026-01-19T23:59:59Z",
		5:  "2026-01-23T23:59:59Z",
		10: "2026-01-30T23:59:59Z",
	} {
		got, err := c.AddWorkingDays(start, n)
		if err != nil || !got.Equal(mustTime(t, want)) {
			t.Errorf("n=%d: got %s, %v; want %s", n, got.UTC().Format(time.RFC3339), err, want)
		}
	}
	for _, n := range []int{0, -1} {
		if _, err := c.AddWorkingDays(start, n); err == nil {
			t.Errorf("n=%d: no error", n)
		}
	}
}

// Days must begin where the wall clock says, also in zones whose clocks
// change at midnight.
func TestDayBounds(t *testing.T) {
	for _, tc := range []struct {
		zone       string
		date       civilDate
		start, end string
	}{
		{"Europe/London", newCivilDate(2026, time.March, 29), "2026-03-29T00:00:00Z", "2026-03-29T22:59:59Z"},
		{"Europe/London", newCivilDate(2026, time.October, 25), "2026-10-24T23:00:00Z", "2026-10-25T23:59:59Z"},
		// Chile springs forward at midnight: 6 September 2026 has no 00:00
		// and begins at 01:00 -03.
		{"America/Santiago", newCivilDate(2026, time.September, 6), "2026-09-06T04:00:00Z", "2026-09-07T02:59:59Z"},
		// Chile falls back at midnight, repeating 23:00-24:00 on Saturday
		// 4 April 2026: the day ends after the second pass.
		{"America/Santiago", newCivilDate(2026, time.April, 4), "2026-04-04T03:00:00Z", "2026-04-05T03:59:59Z"},
		// Cuba falls back at 01:00 to 00:00, so midnight starting 1 November
		// 2026 happens twice: the day begins at the first.
		{"America/Havana", newCivilDate(2026, time.November, 1), "2026-11-01T04:00:00Z", "2026-11-02T04:59:59Z"},
		// Cuba springs forward at midnight: 8 March 2026 begins at 01:00 -04.
		{"America/Havana", newCivilDate(2026, time.March, 8), "2026-03-08T05:00:00Z", "2026-03-09T03:59:59Z"},
	} {
		loc := mustZone(t, tc.zone)
		if got := startOfDay(tc.date, loc); !got.Equal(mustTime(t, tc.start)) {
			t.Errorf("%s %s: start %s, want %s", tc.zone, tc.date, got.UTC().Format(time.RFC3339), tc.start)
		}
		if got := endOfDay(tc.date, loc); !got.Equal(mustTime(t, tc.end)) {
			t.Errorf("%s %s: end %s, want %s", tc.zone, tc.date, got.UTC().Format(time.RFC3339), tc.end)
		}
	}
}

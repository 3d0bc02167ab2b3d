package deadline

import (
	"fmt"
	"time"
)

// civilDate is a day on the calendar, with no time of day and no zone: what a
// bank holiday is, and what "the day of discovery" means once a zone is fixed.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

// newCivilDate normalises out-of-range values the way time.Date does
// (31 April is 1 May).
func newCivilDate(year int, month time.Month, day int) civilDate {
	return dateOf(time.Date(year, month, day, 12, 0, 0, 0, time.UTC))
}

// dateOf is the civil date of t in t's own location.
func dateOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d}
}

func (d civilDate) addDays(n int) civilDate { return newCivilDate(d.year, d.month, d.day+n) }

func (d civilDate) weekday() time.Weekday {
	return time.Date(d.year, d.month, d.day, 12, 0, 0, 0, time.UTC).Weekday()
}

func (d civilDate) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)
}

// addMonth is the same date in the next month, or that month's last day when
// the date does not occur in it (31 January gives 28 or 29 February), as
// Reg. 1182/71 Art. 3(2)(c) provides. time.AddDate would overflow instead
// (31 January + 1 month = 3 March), which would make a deadline late.
func (d civilDate) addMonth() civilDate {
	first := newCivilDate(d.year, d.month+1, 1)
	last := newCivilDate(first.year, first.month+1, 0).day
	return civilDate{first.year, first.month, min(d.day, last)}
}

// endOfDay is the last whole second of the civil date in loc: one second
// before the next day starts. It is 23:59:59 in Europe/London, whose clocks
// change at 01:00 UTC, but the definition also holds in zones that change at
// midnight.
func endOfDay(d civilDate, loc *time.Location) time.Time {
	return startOfDay(d.addDays(1), loc).Add(-time.Second)
}

// startOfDay is the first instant of the civil date in loc: the earliest
// instant whose wall-clock reading there is at or after midnight starting d.
//
// time.Date leaves unspecified which instant it returns for a reading that a
// daylight-saving change skips or repeats. Rules need a fixed choice so that a
// later start never gives an earlier deadline: a skipped midnight becomes the
// end of the gap, a repeated one its first occurrence.
func startOfDay(d civilDate, loc *time.Location) time.Time {
	// The reading as if it were UTC; the instant is this minus the offset in
	// force then. Try the offsets in force a day and a half either side, which
	// covers any single change.
	naive := time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
	var best time.Time
	for _, probe := range []time.Duration{-36 * time.Hour, 36 * time.Hour} {
		_, off := naive.Add(probe).In(loc).Zone()
		t := naive.Add(-time.Duration(off) * time.Second)
		if _, got := t.In(loc).Zone(); got == off && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if !best.IsZero() {
		return best
	}
	// No offset gives this reading: it lies in a gap skipped by a forward
	// change, and the earliest reading after it is the change itself. Reading
	// the earlier offset lands after the change; the zone then in force began
	// at the change.
	_, before := naive.Add(-36 * time.Hour).In(loc).Zone()
	start, _ := naive.Add(-time.Duration(before) * time.Second).In(loc).ZoneBounds()
	return start
}

package deadline

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Zones for the properties: the calendars' own, and zones whose clocks
// change at midnight (Santiago, Havana), by half an hour (Lord Howe), or
// never, at the extremes of the offsets.
var propertyZones = []string{
	"Europe/London", "Europe/Jersey", "UTC",
	"America/Santiago", "America/Havana", "Australia/Lord_Howe",
	"Pacific/Kiritimati", "Pacific/Pago_Pago",
}

// randomStart is an instant within the calendars' years, leaving room at the
// end for the working-day rule. Half the draws fall within a day of a
// London clock change, where mistakes would hide.
func randomStart(rng *rand.Rand) time.Time {
	first := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2030, time.November, 30, 0, 0, 0, 0, time.UTC)
	if rng.IntN(2) == 0 {
		return first.Add(time.Duration(rng.Int64N(int64(last.Sub(first)))))
	}
	y := 2024 + rng.IntN(7)
	m := time.March
	if rng.IntN(2) == 0 {
		m = time.October
	}
	change := lastMonday(y, m).addDays(-1) // the last Sunday
	at := time.Date(change.year, change.month, change.day, 1, 0, 0, 0, time.UTC)
	return at.Add(time.Duration(rng.Int64N(int64(48*time.Hour))) - 24*time.Hour)
}

// randomStep is a non-negative delay: zero, a few seconds, or up to ten days.
func randomStep(rng *rand.Rand) time.Duration {
	switch rng.IntN(3) {
	case 0:
		return time.Duration(rng.IntN(3)) * time.Second
	case 1:
		return time.Duration(rng.Int64N(int64(2 * time.Hour)))
	default:
		return time.Duration(rng.Int64N(int64(10 * 24 * time.Hour)))
	}
}

// For every rule, calendar and zone: a deadline is never before its start,
// and a later start never gives an earlier deadline.
func TestDueProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260328, 72)) // fixed: failures reproduce
	const draws = 400
	for _, r := range Rules() {
		for _, calName := range CalendarNames() {
			cal := mustCalendar(t, calName)
			for _, zone := range propertyZones {
				loc := mustZone(t, zone)
				for range draws {
					a := randomStart(rng)
					b := a.Add(randomStep(rng))
					dueA, err := r.Due(a, cal, loc)
					if err != nil {
						t.Fatalf("%s %s %s from %s: %v", r.Name, calName, zone, a, err)
					}
					dueB, err := r.Due(b, cal, loc)
					if err != nil {
						t.Fatalf("%s %s %s from %s: %v", r.Name, calName, zone, b, err)
					}
					if dueA.Before(a) {
						t.Fatalf("%s %s %s: due %s before start %s", r.Name, calName, zone, dueA, a)
					}
					if dueB.Before(dueA) {
						t.Fatalf("%s %s %s: start %s -> %s, but later start %s -> earlier %s",
							r.Name, calName, zone, a, dueA, b, dueB)
					}
				}
			}
		}
	}
}

// DORAInitial takes two instants; moving either later never moves the
// deadline earlier, and it is never before awareness.
func TestDORAInitialProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2554, 301))
	for range 5000 {
		aware := randomStart(rng)
		classified := aware.Add(randomStep(rng) * 3)
		due, err := DORAInitial(aware, classified)
		if err != nil {
			t.Fatal(err)
		}
		if due.Before(aware) {
			t.Fatalf("aware %s classified %s: due %s before awareness", aware, classified, due)
		}
		later, err := DORAInitial(aware, classified.Add(randomStep(rng)))
		if err != nil {
			t.Fatal(err)
		}
		if later.Before(due) {
			t.Fatalf("later classification gave an earlier deadline: %s < %s", later, due)
		}
		step := randomStep(rng)
		laterAware, err := DORAInitial(aware.Add(step), classified.Add(step))
		if err != nil {
			t.Fatal(err)
		}
		if laterAware.Before(due) {
			t.Fatalf("later awareness gave an earlier deadline: %s < %s", laterAware, due)
		}
	}
}

package deadline

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	// Deadlines must come out the same on a machine without /usr/share/zoneinfo
	// (a scratch container, Windows): embed the IANA database as a fallback.
	_ "time/tzdata"
)

// The working-day calendars Vigil ships. Their data are the embedded files
// calendars/NAME.json; a test checks that the two lists agree.
const (
	EnglandAndWales = "england-and-wales"
	Jersey          = "jersey"
)

// ErrUnknownCalendar is returned for a calendar name Vigil does not ship.
var ErrUnknownCalendar = errors.New("unknown calendar")

// ErrOutOfRange is returned when a working-day count needs a date the calendar
// does not cover. Guessing would be worse than refusing: a missed one-off bank
// holiday moves a deadline by a day.
var ErrOutOfRange = errors.New("date outside the calendar's years")

//go:embed calendars/*.json
var calendarFiles embed.FS

// CalendarNames lists the calendars Vigil ships, default first.
func CalendarNames() []string { return []string{EnglandAndWales, Jersey} }

// Calendar is one jurisdiction's working days: Monday to Friday except its
// bank and public holidays, for the years it covers.
type Calendar struct {
	name      string
	title     string
	loc       *time.Location
	firstYear int
	lastYear  int
	source    string
	holidays  map[civilDate]string
}

// Name is the calendar's identifier, as given to LoadCalendar.
func (c *Calendar) Name() string { return c.name }

// Title is the jurisdiction's name for people.
func (c *Calendar) Title() string { return c.title }

// Location is the jurisdiction's time zone: its days begin and end there.
func (c *Calendar) Location() *time.Location { return c.loc }

// Years are the first and last years whose holidays the calendar lists.
func (c *Calendar) Years() (first, last int) { return c.firstYear, c.lastYear }

// Source names the law and publication the holiday list comes from.
func (c *Calendar) Source() string { return c.source }

// A holiday's basis says whether it had been officially announced when the
// file was compiled or was computed by the jurisdiction's standing rule.
const (
	basisAnnounced    = "announced"
	basisStandingRule = "standing rule"
)

// calendarFile is the shape of calendars/NAME.json. Notes are for the people
// who maintain the file (where the dates come from, which were computed); they
// are decoded only so that a misspelt field is refused rather than ignored.
type calendarFile struct {
	Name      string   `json:"name"`
	Title     string   `json:"title"`
	TimeZone  string   `json:"time_zone"`
	FirstYear int      `json:"first_year"`
	LastYear  int      `json:"last_year"`
	Source    string   `json:"source"`
	Notes     []string `json:"notes"`
	Holidays  []struct {
		Date  string `json:"date"`
		Name  string `json:"name"`
		Basis string `json:"basis"`
	} `json:"holidays"`
}

// loadCalendars parses every shipped calendar once, on first use, so that a
// command that never needs one pays nothing.
var loadCalendars = sync.OnceValues(func() (map[string]*Calendar, error) {
	cals := make(map[string]*Calendar, len(CalendarNames()))
	for _, name := range CalendarNames() {
		c, err := parseCalendar(name)
		if err != nil {
			return nil, err
		}
		cals[name] = c
	}
	return cals, nil
})

// LoadCalendar returns the shipped calendar with this name.
func LoadCalendar(name string) (*Calendar, error) {
	cals, err := loadCalendars()
	if err != nil {
		return nil, err
	}
	c, ok := cals[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (valid: %s)", ErrUnknownCalendar, name, strings.Join(CalendarNames(), ", "))
	}
	return c, nil
}

func parseCalendar(name string) (*Calendar, error) {
	raw, err := calendarFiles.ReadFile("calendars/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f calendarFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar %s: %w", name, err)
	}
	if f.Name != name {
		return nil, fmt.Errorf("calendar %s: file names itself %q", name, f.Name)
	}
	if f.FirstYear <= 0 || f.LastYear < f.FirstYear {
		return nil, fmt.Errorf("calendar %s: bad years %d-%d", name, f.FirstYear, f.LastYear)
	}
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", name, err)
	}
	c := &Calendar{
		name:      f.Name,
		title:     f.Title,
		loc:       loc,
		firstYear: f.FirstYear,
		lastYear:  f.LastYear,
		source:    f.Source,
		holidays:  make(map[civilDate]string, len(f.Holidays)),
	}
	covered := make(map[int]bool)
	for _, h := range f.Holidays {
		t, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			return nil, fmt.Errorf("calendar %s: %w", name, err)
		}
		d := dateOf(t)
		if d.year < f.FirstYear || d.year > f.LastYear {
			return nil, fmt.Errorf("calendar %s: holiday %s outside %d-%d", name, h.Date, f.FirstYear, f.LastYear)
		}
		if _, dup := c.holidays[d]; dup {
			return nil, fmt.Errorf("calendar %s: holiday %s listed twice", name, h.Date)
		}
		if h.Name == "" {
			return nil, fmt.Errorf("calendar %s: holiday %s has no name", name, h.Date)
		}
		if h.Basis != basisAnnounced && h.Basis != basisStandingRule {
			return nil, fmt.Errorf("calendar %s: holiday %s has basis %q, want %q or %q", name, h.Date, h.Basis, basisAnnounced, basisStandingRule)
		}
		c.holidays[d] = h.Name
		covered[d.year] = true
	}
	// Every jurisdiction has bank holidays every year: a year without any
	// means its data were left out, and its working days would all be wrong.
	for y := f.FirstYear; y <= f.LastYear; y++ {
		if !covered[y] {
			return nil, fmt.Errorf("calendar %s: no holidays listed for %d", name, y)
		}
	}
	return c, nil
}

// IsWorkingDay reports whether the civil date is a working day in the
// calendar's jurisdiction: a Monday to Friday that is not a listed holiday.
func (c *Calendar) IsWorkingDay(year int, month time.Month, day int) (bool, error) {
	return c.isWorkingDay(newCivilDate(year, month, day))
}

func (c *Calendar) isWorkingDay(d civilDate) (bool, error) {
	if d.year < c.firstYear || d.year > c.lastYear {
		return false, fmt.Errorf("calendar %s covers %d-%d, not %s: %w", c.name, c.firstYear, c.lastYear, d, ErrOutOfRange)
	}
	switch d.weekday() {
	case time.Saturday, time.Sunday:
		return false, nil
	}
	_, holiday := c.holidays[d]
	return !holiday, nil
}

// AddWorkingDays returns the end of the n-th working day after the day on
// which start falls, both days taken in the calendar's own time zone.
//
// Interpretation of "within n working days of discovery" (seed 001 §3.1):
//   - The day of discovery does not count, however early in it the discovery
//     was. Regulation (EEC, Euratom) No 1182/71 Art. 3(1), the EU rule for
//     periods in days, says so, as do the UK courts' "clear days" rules.
//   - The period ends at the end of its last day, not at the clock time of
//     discovery (Reg. 1182/71 Art. 3(2)(b)). A period counted in days gives
//     the whole of each day; nobody reads "within 2 working days" of a Friday
//     16:55 discovery as "by 16:55 on Tuesday".
//   - The result is the last whole second of that day, 23:59:59 local, so that
//     it prints exactly in RFC 3339 and is never later than the true end.
//
// So discovery on Friday 16:55 is due by Tuesday 23:59:59 (or later, across
// bank holidays). Working days are those of the calendar's jurisdiction, so
// they are always counted in its zone, whatever zone a result is shown in.
// Every date examined must lie within the calendar's years (ErrOutOfRange).
func (c *Calendar) AddWorkingDays(start time.Time, n int) (time.Time, error) {
	if n < 1 {
		return time.Time{}, fmt.Errorf("working days to add must be at least 1, got %d", n)
	}
	d := dateOf(start.In(c.loc))
	for n > 0 {
		d = d.addDays(1)
		ok, err := c.isWorkingDay(d)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			n--
		}
	}
	return endOfDay(d, c.loc), nil
}

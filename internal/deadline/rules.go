// Package deadline owns Vigil's regulatory clocks: the rules that turn the
// instant a clock starts (awareness of a breach, discovery of an incident, a
// report submitted) into the instant the next report is due, and the
// working-day calendars those rules need.
//
// It is pure: no I/O at run time beyond its embedded calendars, and it never
// reads the wall clock. Callers pass every instant in, so tests inject them.
// It knows nothing of incidents, storage or presentation.
//
// A due instant is inclusive (a report made at or before it is in time) and
// is returned in UTC. Where a rule can be read more than one way, the reading
// chosen is never later than the law allows; each choice names its source.
package deadline

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Names of the rules, as given to Due and on the command line.
const (
	RuleAuthority72h      = "authority-72h"
	RuleInternal2WorkDays = "internal-2-working-days"
	RuleNIS2EarlyWarning  = "nis2-early-warning"
	RuleNIS2Notification  = "nis2-notification"
	RuleNIS2Final         = "nis2-final"
	RuleDORAInitial       = "dora-initial"
	RuleDORAIntermediate  = "dora-intermediate"
	RuleDORAFinal         = "dora-final"
)

// ErrUnknownRule is returned for a rule name Vigil does not know.
var ErrUnknownRule = errors.New("unknown rule")

// Rule is one regulatory or policy time limit.
type Rule struct {
	Name        string
	Description string
	// From names the event whose instant starts the clock: the instant to
	// pass to Due.
	From string
	// Source cites the law, guidance or policy that sets the limit.
	Source string
	due    func(from time.Time, cal *Calendar, loc *time.Location) (time.Time, error)
}

// rules is ordered as the reports fall due in an incident: personal-data
// breach first, then the sector regimes.
var rules = []Rule{
	{
		// "Not later than 72 hours after having become aware of it". Hours are
		// elapsed time, so a daylight-saving change does not move the due
		// instant (it moves only its local reading). The instant of awareness
		// itself is not counted (Reg. 1182/71 Art. 3(1)) and no rounding to
		// the hour is applied: EDPB Guidelines 9/2022 and the ICO count the 72
		// hours from the moment of awareness, and rounding up would be later.
		Name:        RuleAuthority72h,
		Description: "Notify the data protection authority (ICO, JOIC) of a personal data breach",
		From:        "awareness of the breach",
		Source:      "UK GDPR and GDPR Art. 33(1); Data Protection (Jersey) Law 2018 Art. 20; EDPB Guidelines 9/2022",
		due:         elapsed(72 * time.Hour),
	},
	{
		// "As soon as possible or at the most within 2 working days"; see
		// Calendar.AddWorkingDays for how the days are counted and why.
		Name:        RuleInternal2WorkDays,
		Description: "Report an information security incident internally (end of the 2nd working day after discovery)",
		From:        "discovery of the incident",
		Source:      "Seed 001 (Managing Information Security Incidents) §3.1; day counting per Reg. (EEC, Euratom) 1182/71 Art. 3",
		due: func(from time.Time, cal *Calendar, _ *time.Location) (time.Time, error) {
			return cal.AddWorkingDays(from, 2)
		},
	},
	{
		// "Without undue delay and in any event within 24 hours of becoming
		// aware of the significant incident". A trust service provider's
		// incident notification is also due within 24 hours (Art. 23(4),
		// second subparagraph): use this rule for it.
		Name:        RuleNIS2EarlyWarning,
		Description: "NIS2 early warning to the CSIRT or competent authority (24 hours)",
		From:        "awareness of the significant incident",
		Source:      "Directive (EU) 2022/2555 (NIS2) Art. 23(4)(a)",
		due:         elapsed(24 * time.Hour),
	},
	{
		Name:        RuleNIS2Notification,
		Description: "NIS2 incident notification (72 hours)",
		From:        "awareness of the significant incident",
		Source:      "Directive (EU) 2022/2555 (NIS2) Art. 23(4)(b)",
		due:         elapsed(72 * time.Hour),
	},
	{
		// "Not later than one month after the submission of the incident
		// notification": see calendarMonth.
		Name:        RuleNIS2Final,
		Description: "NIS2 final report (one calendar month, to the end of that day)",
		From:        "submission of the incident notification",
		Source:      "Directive (EU) 2022/2555 (NIS2) Art. 23(4)(d); month counting per Reg. (EEC, Euratom) 1182/71 Art. 3(2)(c)",
		due:         calendarMonth,
	},
	{
		// The initial notification is due "within 4 hours from the moment of
		// classification of the ICT-related incident as major, but no later
		// than 24 hours from the moment the financial entity has become aware
		// of" it. From one instant, awareness, only the 24-hour bound can be
		// known: classification cannot precede awareness, so the 4-hour bound
		// is never later than this. Once the incident is classified, use
		// DORAInitial with both instants for the binding (earlier) limit.
		//
		// The RTS lets some entities submit by noon of the next working day
		// when a limit falls on a weekend or holiday (Art. 5(2)); Vigil does
		// not apply that relief: it is not open to every entity and it depends
		// on the Member State's holidays.
		Name:        RuleDORAInitial,
		Description: "DORA initial notification of a major ICT-related incident (24 hours from awareness; 4 hours from classification as major if earlier)",
		From:        "awareness of the ICT-related incident",
		Source:      "Regulation (EU) 2022/2554 (DORA) Art. 19(4)(a); Commission Delegated Regulation (EU) 2025/301 Art. 5(1)(a)",
		due:         elapsed(24 * time.Hour),
	},
	{
		Name:        RuleDORAIntermediate,
		Description: "DORA intermediate report (72 hours)",
		From:        "submission of the initial notification",
		Source:      "Regulation (EU) 2022/2554 (DORA) Art. 19(4)(b); Commission Delegated Regulation (EU) 2025/301 Art. 5(1)(b)",
		due:         elapsed(72 * time.Hour),
	},
	{
		Name:        RuleDORAFinal,
		Description: "DORA final report (one calendar month, to the end of that day)",
		From:        "submission of the latest updated intermediate report",
		Source:      "Regulation (EU) 2022/2554 (DORA) Art. 19(4)(c); Commission Delegated Regulation (EU) 2025/301 Art. 5(1)(c); month counting per Reg. (EEC, Euratom) 1182/71 Art. 3(2)(c)",
		due:         calendarMonth,
	},
}

// elapsed is a limit in hours: a fixed duration of real time.
func elapsed(d time.Duration) func(time.Time, *Calendar, *time.Location) (time.Time, error) {
	return func(from time.Time, _ *Calendar, _ *time.Location) (time.Time, error) {
		return from.Add(d), nil
	}
}

// calendarMonth is a limit of one month, read as Reg. 1182/71 Art. 3 reads
// periods in months (NIS2 and DORA are EU acts, and say nothing else):
//   - the day of the event does not count (Art. 3(1)), and the period ends at
//     the end of the day in the next month with the same date, in the time
//     zone loc (Art. 3(2)(c)): 15 January 10:00 gives 15 February 23:59:59;
//   - if that date does not occur, it ends at the end of the month's last
//     day: 31 January gives 28 February, or 29 in a leap year.
//
// Not applied: Art. 3(4) would extend a period ending on a Saturday, Sunday or
// public holiday to the next working day. The holidays would be those of the
// Member State where the report is made, which Vigil's calendars do not hold,
// and not extending gives the earlier instant.
//
// A month from the same wall-clock time (15 January 10:00 to 15 February
// 10:00) would be earlier still, but it cannot be clamped at month end
// without a later start giving an earlier deadline (31 January 01:00 would be
// due at 01:00 on 28 February, 30 January 23:00 at 23:00), so it is not used.
func calendarMonth(from time.Time, _ *Calendar, loc *time.Location) (time.Time, error) {
	return endOfDay(dateOf(from.In(loc)).addMonth(), loc), nil
}

// Rules lists every rule, in the order reports usually fall due.
func Rules() []Rule { return slices.Clone(rules) }

// Lookup returns the rule with this name.
func Lookup(name string) (Rule, error) {
	for _, r := range rules {
		if r.Name == name {
			return r, nil
		}
	}
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Name
	}
	return Rule{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownRule, name, strings.Join(names, ", "))
}

// Due returns the instant by which a report under the rule is due, counting
// from the instant from (see Rule.From for which event that is).
//
// cal supplies working days and must not be nil. loc is the time zone whose
// calendar months the month rules count; nil means the calendar's. Working
// days are always counted in the calendar's own zone, because its holidays are
// days there.
func Due(rule string, from time.Time, cal *Calendar, loc *time.Location) (time.Time, error) {
	r, err := Lookup(rule)
	if err != nil {
		return time.Time{}, err
	}
	return r.Due(from, cal, loc)
}

// Due is the package-level Due for a rule already looked up.
func (r Rule) Due(from time.Time, cal *Calendar, loc *time.Location) (time.Time, error) {
	if cal == nil {
		return time.Time{}, fmt.Errorf("%s: no calendar given", r.Name)
	}
	if loc == nil {
		loc = cal.Location()
	}
	due, err := r.due(from, cal, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", r.Name, err)
	}
	return due.UTC(), nil
}

// DORAInitial is the DORA initial-notification limit once both instants are
// known: 4 hours from classification as major, but no later than 24 hours
// from awareness (Delegated Regulation (EU) 2025/301 Art. 5(1)(a)), whichever
// comes first.
func DORAInitial(aware, classified time.Time) (time.Time, error) {
	if classified.Before(aware) {
		return time.Time{}, fmt.Errorf("%s: classification (%s) cannot precede awareness (%s)",
			RuleDORAInitial, classified.UTC().Format(time.RFC3339), aware.UTC().Format(time.RFC3339))
	}
	due := classified.Add(4 * time.Hour)
	if outer := aware.Add(24 * time.Hour); outer.Before(due) {
		due = outer
	}
	return due.UTC(), nil
}

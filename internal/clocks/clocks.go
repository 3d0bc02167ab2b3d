// Package clocks decides which regulatory clocks run on an incident, when each is due and
// when its escalations fall. It is pure: the facts come in, the clocks come out; storing
// them, sending reminders and recording notifications belong to the store and service.
package clocks

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
)

// States of a clock.
const (
	Running       = "running"
	Met           = "met"
	Missed        = "missed"
	NotApplicable = "not_applicable"
)

// Settings are an organisation's choices that shape its clocks.
type Settings struct {
	// Jurisdictions whose authority must hear of a personal-data breach: "UK" (ICO),
	// "EU" (the lead authority), "JE" (JOIC).
	Jurisdictions []string `json:"jurisdictions"`
	Calendar      string   `json:"calendar"` // deadline.EnglandAndWales or deadline.Jersey
	NIS2          bool     `json:"nis2"`     // the organisation is an essential or important entity
	DORA          bool     `json:"dora"`     // the organisation is a financial entity
	// SubjectsHours is the organisation's own target for telling affected people
	// ("without undue delay", GDPR Art. 34(1)); zero means 72 hours.
	SubjectsHours int `json:"subjects_hours"`
	// Thresholds are the escalation points in percent of each window; 100 is expiry.
	Thresholds []int `json:"thresholds"`
}

// DefaultSettings suit a UK organisation.
func DefaultSettings() Settings {
	return Settings{Jurisdictions: []string{"UK"}, Calendar: deadline.EnglandAndWales, Thresholds: []int{50, 75, 90, 100}}
}

// Validate checks settings an administrator gives.
func (s Settings) Validate() error {
	for _, j := range s.Jurisdictions {
		if authorities[j] == "" {
			return fmt.Errorf("jurisdictions: %q is not one of UK, EU, JE", j)
		}
	}
	if _, err := deadline.LoadCalendar(s.Calendar); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	for i, t := range s.Thresholds {
		if t < 1 || t > 100 || (i > 0 && t <= s.Thresholds[i-1]) {
			return fmt.Errorf("thresholds: must rise from 1 to 100 percent, got %v", s.Thresholds)
		}
	}
	if s.SubjectsHours < 0 || s.SubjectsHours > 24*30 {
		return fmt.Errorf("subjects_hours: must be between 0 and 720")
	}
	return nil
}

var authorities = map[string]string{"UK": "ICO", "EU": "the lead supervisory authority", "JE": "JOIC"}

// Authority names the supervisory authority of a jurisdiction.
func Authority(jurisdiction string) string { return authorities[jurisdiction] }

// Rule names used for clocks that are not in the deadline package.
const RuleSubjects = "subjects"

// Clock is one deadline on an incident.
type Clock struct {
	ID         int64      `json:"-"`
	IncidentID int64      `json:"-"`
	Ref        string     `json:"ref,omitempty"`
	Rule       string     `json:"rule"`
	Scope      string     `json:"scope"` // the jurisdiction for authority clocks, else ""
	Label      string     `json:"label"`
	Source     string     `json:"source"`
	StartAt    time.Time  `json:"start_at"`
	DueAt      time.Time  `json:"due_at"`
	State      string     `json:"state"`
	MetAt      *time.Time `json:"met_at"`
	Late       bool       `json:"late"`
	LateReason string     `json:"late_reason,omitempty"`
	// Exercise marks the clocks of an exercise, so every list of deadlines can label them.
	Exercise bool `json:"exercise,omitempty"`
	// NextEscalationAt is when the next threshold falls (nil when none is left).
	NextEscalationAt *time.Time `json:"-"`
	NextThreshold    int        `json:"-"`
}

// Facts are what the clocks depend on beyond the incident itself.
type Facts struct {
	// Notified maps a clock key (see Key) to when its notification was recorded.
	Notified map[string]time.Time
	// AuthorityDecision, when a breach assessment has decided, says per jurisdiction
	// whether the authority must be told; absent jurisdictions follow the settings.
	AuthorityDecision map[string]bool
	// SubjectsDecision says whether affected people must be told (nil: not decided).
	SubjectsDecision *bool
	NIS2Significant  bool
	DORAMajor        bool
}

// Key identifies a clock within an incident.
func Key(rule, scope string) string { return rule + "/" + scope }

// Derive lists the clocks an incident should have now. Clocks whose start is not known yet
// (e.g. a final report that starts when the notification is sent) are left out until it is.
func Derive(inc *domain.Incident, s Settings, f Facts) ([]Clock, error) {
	cal, err := deadline.LoadCalendar(s.Calendar)
	if err != nil {
		return nil, err
	}
	loc := cal.Location()
	var out []Clock
	if inc.Status == domain.StatusNotIncident || inc.Status == domain.StatusMerged {
		// Dismissed or folded into another record: its clocks stop (the other record's run).
		return nil, nil
	}
	add := func(rule, scope, label string, start time.Time) error {
		r, err := deadline.Lookup(rule)
		if err != nil {
			return err
		}
		due, err := r.Due(start, cal, loc)
		if errors.Is(err, deadline.ErrOutOfRange) {
			// An old or far-future date (an import, a typo being corrected) has no
			// holiday data: no clock rather than a wrong one, and the incident still saves.
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", rule, err)
		}
		out = append(out, Clock{Rule: rule, Scope: scope, Label: label, Source: r.Source, StartAt: start, DueAt: due})
		return nil
	}
	// Seed 001 §3.1: report within 2 working days of discovery.
	if inc.DiscoveredAt != nil {
		if err := add(deadline.RuleInternal2WorkDays, "", "Internal report within 2 working days", *inc.DiscoveredAt); err != nil {
			return nil, err
		}
	}
	// GDPR Art. 33(1), DPJL Art. 20: 72 hours from awareness, per jurisdiction, unless
	// the breach assessment decided the authority need not be told.
	if inc.AwareAt != nil && inc.PersonalData != domain.No {
		for _, j := range s.Jurisdictions {
			label := "72-hour notification to the " + Authority(j)
			if err := add(deadline.RuleAuthority72h, j, label, *inc.AwareAt); err != nil {
				return nil, err
			}
			if notify, decided := f.AuthorityDecision[j]; decided && !notify {
				out[len(out)-1].State = NotApplicable
			}
		}
	}
	// GDPR Art. 34(1): tell affected people without undue delay, to the organisation's target.
	if inc.AwareAt != nil && f.SubjectsDecision != nil && *f.SubjectsDecision {
		hours := s.SubjectsHours
		if hours == 0 {
			hours = 72
		}
		out = append(out, Clock{Rule: RuleSubjects, Label: "Tell the people affected", Source: "GDPR Art. 34(1): without undue delay; target set by the organisation",
			StartAt: *inc.AwareAt, DueAt: inc.AwareAt.Add(time.Duration(hours) * time.Hour)})
	}
	start := inc.AwareAt
	if start == nil {
		start = inc.DiscoveredAt
	}
	// NIS2 Art. 23(4): early warning, notification, then a final report a month after the notification.
	if s.NIS2 && f.NIS2Significant && start != nil {
		if err := add(deadline.RuleNIS2EarlyWarning, "", "NIS2 early warning (24 hours)", *start); err != nil {
			return nil, err
		}
		if err := add(deadline.RuleNIS2Notification, "", "NIS2 incident notification (72 hours)", *start); err != nil {
			return nil, err
		}
		if sent, ok := f.Notified[Key(deadline.RuleNIS2Notification, "")]; ok {
			if err := add(deadline.RuleNIS2Final, "", "NIS2 final report (one month)", sent); err != nil {
				return nil, err
			}
		}
	}
	// DORA Art. 19(4): initial, intermediate 72 hours after the initial, final a month later.
	if s.DORA && f.DORAMajor && start != nil {
		if err := add(deadline.RuleDORAInitial, "", "DORA initial notification", *start); err != nil {
			return nil, err
		}
		if sent, ok := f.Notified[Key(deadline.RuleDORAInitial, "")]; ok {
			if err := add(deadline.RuleDORAIntermediate, "", "DORA intermediate report (72 hours)", sent); err != nil {
				return nil, err
			}
		}
		if sent, ok := f.Notified[Key(deadline.RuleDORAIntermediate, "")]; ok {
			if err := add(deadline.RuleDORAFinal, "", "DORA final report (one month)", sent); err != nil {
				return nil, err
			}
		}
	}
	for i := range out {
		c := &out[i]
		if c.State == NotApplicable {
			continue
		}
		if c.Rule == deadline.RuleInternal2WorkDays {
			// The internal report is made by reporting to Vigil: the clock is met then.
			met := inc.ReportedAt
			c.MetAt, c.State, c.Late = &met, Met, met.After(c.DueAt)
			continue
		}
		if sent, ok := f.Notified[Key(c.Rule, c.Scope)]; ok {
			c.MetAt, c.State, c.Late = &sent, Met, sent.After(c.DueAt)
			continue
		}
		c.State = Running
	}
	return out, nil
}

// Escalate works out a running clock's next escalation after the thresholds already sent
// (those at or below sentUpTo percent). At or past 100 % a running clock is missed.
func Escalate(c *Clock, thresholds []int, sentUpTo int, now time.Time) {
	c.NextEscalationAt, c.NextThreshold = nil, 0
	if c.State != Running && c.State != Missed {
		return
	}
	if !now.Before(c.DueAt) {
		c.State = Missed
	}
	window := c.DueAt.Sub(c.StartAt)
	for _, t := range slices.Sorted(slices.Values(thresholds)) {
		if t <= sentUpTo {
			continue
		}
		at := c.StartAt.Add(window * time.Duration(t) / 100)
		c.NextEscalationAt, c.NextThreshold = &at, t
		return
	}
}

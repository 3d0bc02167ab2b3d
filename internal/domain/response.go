package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Action kinds (seed 001 annex one: containment and recovery action taken, further action
// recommended; §7: improvement actions after the review).
const (
	ActionContainment = "containment"
	ActionRecovery    = "recovery"
	ActionFurther     = "further"
	ActionImprovement = "improvement"
)

// ActionKinds lists the kinds in the order the workspace shows them.
var ActionKinds = []string{ActionContainment, ActionRecovery, ActionFurther, ActionImprovement}

// Action statuses.
const (
	ActionOpen      = "open"
	ActionDone      = "done"
	ActionCancelled = "cancelled"
)

// ActionStatuses lists every action status.
var ActionStatuses = []string{ActionOpen, ActionDone, ActionCancelled}

// Effectiveness of an action (annex one: "how effective was it?"); empty until judged.
var Effectiveness = []string{"effective", "partly", "not_effective"}

// Action is one thing done or to be done about an incident.
type Action struct {
	ID                int64      `json:"id"`
	IncidentID        int64      `json:"-"`
	Ref               string     `json:"ref,omitempty"` // set in lists across incidents
	Exercise          bool       `json:"exercise,omitempty"`
	Kind              string     `json:"kind"`
	Title             string     `json:"title"`
	OwnerID           int64      `json:"-"`
	Owner             string     `json:"owner"` // e-mail; empty when nobody owns it
	DueAt             *time.Time `json:"due_at"`
	Status            string     `json:"status"`
	Evidence          string     `json:"evidence"`
	AttachmentID      int64      `json:"attachment_id,omitempty"`
	Effectiveness     string     `json:"effectiveness"`
	EffectivenessNote string     `json:"effectiveness_note"`
	CreatedBy         string     `json:"created_by"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	DoneAt            *time.Time `json:"done_at"`
	Overdue           bool       `json:"overdue"`
}

// IsOverdue says whether an action is late at now: it has a due date in the past and is
// still open (a cancelled action is no longer owed).
func (a *Action) IsOverdue(now time.Time) bool {
	return a.Status == ActionOpen && a.DueAt != nil && a.DueAt.Before(now)
}

// Validate checks an action and returns every problem at once.
func (a *Action) Validate() error {
	v := &ValidationError{}
	a.Title = strings.TrimSpace(a.Title)
	a.Evidence = strings.TrimSpace(a.Evidence)
	a.EffectivenessNote = strings.TrimSpace(a.EffectivenessNote)
	if !oneOf(a.Kind, ActionKinds) {
		v.Add("kind", "Choose containment, recovery, further action or improvement")
	}
	if !oneOf(a.Status, ActionStatuses) {
		v.Add("status", "Choose open, done or cancelled")
	}
	if a.Effectiveness != "" && !oneOf(a.Effectiveness, Effectiveness) {
		v.Add("effectiveness", "Choose effective, partly effective or not effective")
	}
	text := func(field, label, val string, max int, required bool) {
		switch {
		case required && val == "":
			v.Add(field, "Enter "+label)
		case !utf8.ValidString(val) || strings.ContainsRune(val, 0):
			v.Add(field, label+" must be plain text")
		case utf8.RuneCountInString(val) > max:
			v.Add(field, fmt.Sprintf("%s must be %d characters or fewer", upperFirst(label), max))
		}
	}
	text("title", "what the action is", a.Title, MaxTitle, true)
	text("evidence", "the evidence", a.Evidence, MaxShortText, false)
	text("effectiveness_note", "the note on effectiveness", a.EffectivenessNote, MaxShortText, false)
	if a.DueAt != nil && a.DueAt.Before(earliest) {
		v.Add("due_at", "The due date must be a real date")
	}
	return v.Err()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// InStatistics says whether an incident counts in statistics, returns and the breach log.
// Exercises run the same workflow (seed 003: plans regularly tested) but are left out, so
// a rehearsal never shows up as a real incident. Queries filter on the same column
// (store.Filter.Exercise = false).
func InStatistics(inc *Incident) bool { return !inc.Exercise }

// ExerciseSubject prefixes a message subject or page title for an exercise, so nobody acts
// on a rehearsal as if it were real.
func ExerciseSubject(inc *Incident, s string) string {
	if inc != nil && inc.Exercise {
		return "[EXERCISE] " + s
	}
	return s
}

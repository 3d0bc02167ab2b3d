package domain

// Status is where an incident stands in its handling.
type Status string

// Statuses. The main line follows the seeds' life cycle: report, triage (seed 001 §4),
// investigation, containment and recovery (seed 001 §5), resolution and review (§7).
const (
	StatusNew           Status = "new"
	StatusTriage        Status = "triage"
	StatusInvestigating Status = "investigating"
	StatusContained     Status = "contained"
	StatusRecovering    Status = "recovering"
	StatusResolved      Status = "resolved"
	StatusClosed        Status = "closed"
	StatusNotIncident   Status = "not_an_incident"
	StatusMerged        Status = "merged"
)

// Statuses lists every status in life-cycle order.
var Statuses = []string{
	string(StatusNew), string(StatusTriage), string(StatusInvestigating), string(StatusContained),
	string(StatusRecovering), string(StatusResolved), string(StatusClosed), string(StatusNotIncident), string(StatusMerged),
}

// transitions is the whole state machine. Besides the main line it allows: an event or a
// weakness needing no containment to be resolved straight from triage or investigation;
// "not an incident" until containment starts; merging any open record into another;
// and reopening a resolved, closed or dismissed record when new facts arrive.
var transitions = map[Status][]Status{
	StatusNew:           {StatusTriage, StatusNotIncident, StatusMerged},
	StatusTriage:        {StatusInvestigating, StatusResolved, StatusNotIncident, StatusMerged},
	StatusInvestigating: {StatusContained, StatusResolved, StatusNotIncident, StatusMerged},
	StatusContained:     {StatusRecovering, StatusResolved, StatusMerged},
	StatusRecovering:    {StatusResolved, StatusMerged},
	StatusResolved:      {StatusClosed, StatusInvestigating},
	StatusClosed:        {StatusInvestigating},
	StatusNotIncident:   {StatusTriage},
	StatusMerged:        {},
}

// CanTransition reports whether an incident may move from one status to another.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NextStatuses lists where an incident may go from s.
func NextStatuses(s Status) []Status { return transitions[s] }

// Open reports whether the incident still needs work.
func (s Status) Open() bool {
	switch s {
	case StatusResolved, StatusClosed, StatusNotIncident, StatusMerged:
		return false
	}
	return true
}

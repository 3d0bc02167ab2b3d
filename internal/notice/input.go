package notice

import (
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
)

// Organisation is what the organisation says about itself in every notice. It is kept in the
// organisation's settings and edited by the DPO or an administrator.
type Organisation struct {
	// Controller is the data controller's name as the regulator knows it.
	Controller string `json:"controller"`
	// DPOName and DPOContact name the data protection officer (or the person responsible for
	// data protection) and how to reach them: GDPR Art. 33(3)(b); seed 002.
	DPOName    string `json:"dpo_name"`
	DPOContact string `json:"dpo_contact"`
	// Insurers and Processors are the parties the plan lists for every incident, so nobody
	// forgets a policy condition or a supplier that must hear (seed 001 §6.1).
	Insurers   []string `json:"insurers"`
	Processors []string `json:"processors"`
	// Sponsor names a sponsoring body told when an incident is classified and assessed
	// (seed 001 §6.2: "the Scottish Government Sponsor Team"); empty when there is none.
	Sponsor string `json:"sponsor"`
}

// Narrative holds the free-text answers of the breach assessment (seed 001 annex two, seed
// 002) that the facts document cannot express.
type Narrative struct {
	HowItHappened string
	Involved      string
	SeenBy        string
	DataTells     string
	ActionTaken   string
	Harms         []string
	HarmNotes     string
	WorstCase     string
}

// AuthorityClock is the 72-hour clock towards one authority.
type AuthorityClock struct {
	Due        time.Time
	Met        *time.Time
	LateReason string
}

// Sent is a notification already recorded on the incident.
type Sent struct {
	Rule        string
	Scope       string
	Recipient   string
	Method      string
	SentAt      time.Time
	Phase       string
	Reference   string
	PeopleCount *int64
}

// Input is everything a notice is prepared from. The service layer fills it; nothing here is
// read from anywhere else.
type Input struct {
	Ref   string
	Title string
	// Marking is printed on every page of the PDF, e.g. "TLP:AMBER".
	Marking          string
	Nature           string
	OccurredAt       *time.Time
	OccurredEstimate bool // the time of the breach is a best estimate (seed 002)
	AwareAt          *time.Time
	ContainedAt      *time.Time
	Org              Organisation
	// Facts and Narrative come from the latest breach assessment; Facts is nil when there is
	// none. Recommendation is the engine's decision on those facts.
	Facts          *breach.Facts
	Narrative      Narrative
	Recommendation *breach.Decision
	// Decided is the breach decision in force: per jurisdiction whether the authority is
	// told, and whether the people affected are. Nil when nobody has decided yet.
	Decided *Decided
	// Clocks maps a jurisdiction (UK, EU, JE) to its authority clock.
	Clocks map[string]AuthorityClock
	Sent   []Sent
	// Answers are what the incident team typed for fields Vigil cannot derive, keyed by field
	// ID; an answer replaces the derived value.
	Answers map[string]string
	// For the plan: whether the severity grade is among the two most severe categories of
	// its scheme, the CSIRT the scheme says to tell at this grade ("" when it does not), and
	// whether the incident is significant under NIS2 (Art. 23).
	HighSeverity    bool
	CSIRT           string
	NIS2Significant bool
	Classified      bool // the incident has a class other than "not yet known"
	Now             time.Time
	// Log is the incident's entry in the breach log, line by line, as the log itself shows
	// it (service.BreachLogEntry); nil when the incident is not in the log. The pack carries
	// it unchanged so the extract sent to a regulator never differs from the log.
	Log []LogLine
}

// Decided is the breach decision in force.
type Decided struct {
	NotifyAuthority map[string]bool
	NotifySubjects  bool
}

// Jurisdictions the incident falls under: from the facts when assessed.
func (in *Input) jurisdictions() []breach.Jurisdiction {
	if in.Facts == nil {
		return nil
	}
	return in.Facts.Jurisdictions
}

func (in *Input) answer(id string) string { return in.Answers[id] }

package domain

// TriageClass is the seed 001 §4.2 classification of what was reported.
type TriageClass string

// Triage classes (seed 001 §4.2).
const (
	ClassEvent         TriageClass = "event"
	ClassVulnerability TriageClass = "vulnerability"
	ClassIncident      TriageClass = "incident"
	ClassUnknown       TriageClass = "unknown"
)

// Rank orders classes for response: seed 001 §4.2 says incidents first, then unknowns,
// vulnerabilities and events. Lower ranks come first in the queue.
func (c TriageClass) Rank() int {
	switch c {
	case ClassIncident:
		return 0
	case ClassUnknown:
		return 1
	case ClassVulnerability:
		return 2
	default:
		return 3
	}
}

// Relationship is how the reporter relates to the organisation (seed 003 scope: staff,
// contractors and suppliers; seed 000: members of the public).
type Relationship string

// Reporter relationships.
const (
	RelStaff      Relationship = "staff"
	RelContractor Relationship = "contractor"
	RelSupplier   Relationship = "supplier"
	RelPublic     Relationship = "public"
	RelAnonymous  Relationship = "anonymous"
)

// Channel is how the report reached the organisation.
type Channel string

// Reporting channels.
const (
	ChannelWeb   Channel = "web"
	ChannelEmail Channel = "email"
	ChannelPhone Channel = "phone"
	ChannelAPI   Channel = "api"
)

// Tristate answers "is personal data involved?" where "unknown" must be treated with caution.
type Tristate string

// Tristate values.
const (
	Yes     Tristate = "yes"
	No      Tristate = "no"
	Unknown Tristate = "unknown"
)

// Precision says how well the occurrence instant is known; reporters often only know "last week".
type Precision string

// Occurrence precisions.
const (
	PrecisionExact   Precision = "exact"
	PrecisionHour    Precision = "hour"
	PrecisionDay     Precision = "day"
	PrecisionWeek    Precision = "week"
	PrecisionMonth   Precision = "month"
	PrecisionUnknown Precision = "unknown"
)

// The allowed values of each vocabulary, used by validation and the OpenAPI document.
var (
	TriageClasses = []string{string(ClassEvent), string(ClassVulnerability), string(ClassIncident), string(ClassUnknown)}
	Relationships = []string{string(RelStaff), string(RelContractor), string(RelSupplier), string(RelPublic), string(RelAnonymous)}
	Channels      = []string{string(ChannelWeb), string(ChannelEmail), string(ChannelPhone), string(ChannelAPI)}
	Tristates     = []string{string(Yes), string(No), string(Unknown)}
	Precisions    = []string{string(PrecisionExact), string(PrecisionHour), string(PrecisionDay), string(PrecisionWeek), string(PrecisionMonth), string(PrecisionUnknown)}
)

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

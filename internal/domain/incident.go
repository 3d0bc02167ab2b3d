package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Reporter is who told us (seed 001 §3.2: anyone who notices must report).
type Reporter struct {
	Name         string       `json:"name"`
	Contact      string       `json:"contact"`
	Relationship Relationship `json:"relationship"`
}

// Link relates two incidents (e.g. a phishing wave and the account compromise it caused).
type Link struct {
	Ref  string `json:"ref"`
	Kind string `json:"kind"`
}

// Incident is one record in the register: an incident, suspected incident, weakness or
// near-miss (seed 001 §2.3, seed 003). The fields follow seed 001 §3.3 and annex one.
type Incident struct {
	ID             int64  `json:"-"`
	OrgID          int64  `json:"-"`
	ReporterUserID int64  `json:"-"`
	OwnerID        int64  `json:"-"`
	Ref            string `json:"ref"`

	Title     string   `json:"title"`
	Nature    string   `json:"nature"`    // seed 001 §3.3 a)
	Systems   string   `json:"systems"`   // seed 001 §3.3 b)
	People    string   `json:"people"`    // seed 001 §3.3 c)
	Discovery string   `json:"discovery"` // how it came to light
	Reporter  Reporter `json:"reporter"`
	Channel   Channel  `json:"channel"`

	OccurredAt        *time.Time `json:"occurred_at"`
	OccurredPrecision Precision  `json:"occurred_precision"`
	DiscoveredAt      *time.Time `json:"discovered_at"`
	ReportedAt        time.Time  `json:"reported_at"`
	AwareAt           *time.Time `json:"aware_at"`
	ContainedAt       *time.Time `json:"contained_at"`
	ResolvedAt        *time.Time `json:"resolved_at"`
	ClosedAt          *time.Time `json:"closed_at"`

	Class        TriageClass `json:"class"`
	NearMiss     bool        `json:"near_miss"`
	PersonalData Tristate    `json:"personal_data"`
	Status       Status      `json:"status"`
	Owner        string      `json:"owner"` // the investigating officer's e-mail (seed 001 §3.5)
	Restricted   bool        `json:"restricted"`
	Exercise     bool        `json:"exercise"`
	// NIS2Significant and DORAMajor start the sector reporting clocks when the organisation
	// is subject to those regimes (NIS2 Art. 23(3); DORA Art. 18).
	NIS2Significant bool     `json:"nis2_significant"`
	DORAMajor       bool     `json:"dora_major"`
	Tags            []string `json:"tags"`
	MergedInto      string   `json:"merged_into,omitempty"`
	Links           []Link   `json:"links,omitempty"` // read with the incident, not in lists

	// Classification (docs/CLASSIFICATION.md): the RSIT class and type, the ICO's
	// personal-data-breach type, the severity grade, the impacts and the sharing markings.
	RSITClass string    `json:"rsit_class"`
	RSITType  string    `json:"rsit_type"`
	ICOType   string    `json:"ico_type"`
	Severity  *Severity `json:"severity"` // nil until graded
	Impact    Impact    `json:"impact"`
	TLP       string    `json:"tlp"`
	PAP       string    `json:"pap"`
	// Suggestion is what Vigil suggested when the report arrived; read-only.
	Suggestion *Suggestion `json:"suggestion"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits keep single records sane; an oversized field is refused, not truncated.
const (
	MaxTitle     = 200
	MaxLongText  = 20000
	MaxShortText = 5000
	MaxName      = 200
	MaxContact   = 320
	MaxTags      = 50
	MaxTagLen    = 64
)

// earliest is the oldest instant Vigil accepts; anything before it is a typo (e.g. year 0001).
var earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// futureSlack tolerates clock skew between a reporter's device and the server.
const futureSlack = 24 * time.Hour

// Normalize trims text, fills defaults and puts instants in UTC at microsecond precision,
// the precision both databases keep.
func (inc *Incident) Normalize() {
	for _, s := range []*string{&inc.Title, &inc.Nature, &inc.Systems, &inc.People, &inc.Discovery,
		&inc.Reporter.Name, &inc.Reporter.Contact} {
		*s = strings.TrimSpace(*s)
	}
	if inc.Class == "" {
		inc.Class = ClassUnknown
	}
	if inc.PersonalData == "" {
		inc.PersonalData = Unknown
	}
	if inc.Status == "" {
		inc.Status = StatusNew
	}
	if inc.OccurredPrecision == "" {
		inc.OccurredPrecision = PrecisionExact
		if inc.OccurredAt == nil {
			inc.OccurredPrecision = PrecisionUnknown
		}
	}
	if inc.Reporter.Relationship == "" {
		inc.Reporter.Relationship = RelStaff
	}
	if inc.Tags == nil {
		inc.Tags = []string{}
	}
	if inc.Links == nil {
		inc.Links = []Link{}
	}
	tags := inc.Tags[:0]
	seen := map[string]bool{}
	for _, t := range inc.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	inc.Tags = tags
	for _, p := range []**time.Time{&inc.OccurredAt, &inc.DiscoveredAt, &inc.AwareAt, &inc.ContainedAt, &inc.ResolvedAt, &inc.ClosedAt} {
		if *p != nil {
			t := Instant(**p)
			*p = &t
		}
	}
	inc.ReportedAt = Instant(inc.ReportedAt)
	inc.normalizeClassification()
}

// Instant puts t in UTC at microsecond precision.
func Instant(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Validate checks a whole incident against the rules and returns every problem at once.
// now is injected so tests control time.
func (inc *Incident) Validate(now time.Time) error {
	v := &ValidationError{}
	text := func(field, val string, max int, required bool) {
		switch {
		case required && val == "":
			v.Add(field, "is required")
		case !utf8.ValidString(val):
			v.Add(field, "is not valid UTF-8 text")
		case utf8.RuneCountInString(val) > max:
			v.Add(field, fmt.Sprintf("must be %d characters or fewer", max))
		case strings.ContainsRune(val, 0):
			v.Add(field, "must not contain NUL characters")
		}
	}
	text("title", inc.Title, MaxTitle, true)
	text("nature", inc.Nature, MaxLongText, true)
	text("systems", inc.Systems, MaxShortText, false)
	text("people", inc.People, MaxShortText, false)
	text("discovery", inc.Discovery, MaxShortText, false)
	text("reporter.name", inc.Reporter.Name, MaxName, false)
	text("reporter.contact", inc.Reporter.Contact, MaxContact, false)

	enum := func(field, val string, allowed []string) {
		if !oneOf(val, allowed) {
			v.Add(field, fmt.Sprintf("must be one of %s", strings.Join(allowed, ", ")))
		}
	}
	enum("reporter.relationship", string(inc.Reporter.Relationship), Relationships)
	enum("channel", string(inc.Channel), Channels)
	enum("occurred_precision", string(inc.OccurredPrecision), Precisions)
	enum("class", string(inc.Class), TriageClasses)
	enum("personal_data", string(inc.PersonalData), Tristates)
	enum("status", string(inc.Status), Statuses)
	inc.validateClassification(v)

	if len(inc.Tags) > MaxTags {
		v.Add("tags", fmt.Sprintf("must have %d tags or fewer", MaxTags))
	}
	for _, t := range inc.Tags {
		if utf8.RuneCountInString(t) > MaxTagLen || !utf8.ValidString(t) {
			v.Add("tags", fmt.Sprintf("each tag must be valid text of %d characters or fewer", MaxTagLen))
			break
		}
	}

	latest := now.Add(futureSlack)
	instants := []struct {
		field string
		t     *time.Time
	}{
		{"occurred_at", inc.OccurredAt}, {"discovered_at", inc.DiscoveredAt}, {"reported_at", &inc.ReportedAt},
		{"aware_at", inc.AwareAt}, {"contained_at", inc.ContainedAt}, {"resolved_at", inc.ResolvedAt}, {"closed_at", inc.ClosedAt},
	}
	bad := map[string]bool{}
	for _, in := range instants {
		if in.t == nil {
			continue
		}
		if in.t.Before(earliest) || in.t.After(latest) {
			v.Add(in.field, "must be a real date between 1970 and today")
			bad[in.field] = true
		}
	}
	// The order of events: something happens, then it is discovered, then reported;
	// the controller cannot be aware of a breach before it is discovered (EDPB 9/2022 §31).
	order := func(earlier string, e *time.Time, later string, l *time.Time) {
		if e != nil && l != nil && !bad[earlier] && !bad[later] && l.Before(*e) {
			v.Add(later, fmt.Sprintf("must not be before %s", earlier))
		}
	}
	order("occurred_at", inc.OccurredAt, "discovered_at", inc.DiscoveredAt)
	order("occurred_at", inc.OccurredAt, "reported_at", &inc.ReportedAt)
	order("discovered_at", inc.DiscoveredAt, "reported_at", &inc.ReportedAt)
	order("discovered_at", inc.DiscoveredAt, "aware_at", inc.AwareAt)
	order("occurred_at", inc.OccurredAt, "aware_at", inc.AwareAt)
	order("contained_at", inc.ContainedAt, "resolved_at", inc.ResolvedAt)
	order("resolved_at", inc.ResolvedAt, "closed_at", inc.ClosedAt)
	return v.Err()
}

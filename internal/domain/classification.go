package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/classify"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Severity is an incident's grade in a severity category scheme (taxonomy.Scheme): the
// scheme, the category within it and the category's rank, 1 being the most severe. The
// rank is copied from the scheme when the incident is graded so that the queue can order by
// it without the scheme file.
type Severity struct {
	Scheme   string `json:"scheme"`
	Category string `json:"category"`
	Rank     int    `json:"rank"`
}

// ImpactNote says whether one of confidentiality, integrity or availability is affected,
// with a short note of how (seed 004).
type ImpactNote struct {
	Affected bool   `json:"affected"`
	Note     string `json:"note"`
}

// Impact is the threat to information, by the three impacts of seed 004.
type Impact struct {
	Confidentiality ImpactNote `json:"confidentiality"`
	Integrity       ImpactNote `json:"integrity"`
	Availability    ImpactNote `json:"availability"`
}

// ImpactPatch changes some of an incident's impacts.
type ImpactPatch struct {
	Confidentiality, Integrity, Availability Opt[ImpactNote]
}

// Any reports whether the patch changes an impact.
func (p ImpactPatch) Any() bool {
	return p.Confidentiality.Set || p.Integrity.Set || p.Availability.Set
}

// Suggestion is what internal/classify suggested when the report arrived. It holds no
// personal data (PII is kinds and offsets only) and is never a decision: a handler accepts it.
type Suggestion = classify.Suggestion

// Defaults of the markings: TLP:AMBER and PAP:AMBER until a handler decides otherwise.
const (
	DefaultTLP = "amber"
	DefaultPAP = "amber"
	// MaxImpactNote caps each impact's note: a short note, not an analysis.
	MaxImpactNote = 500
	// UngradedRank is the severity rank the queue gives an incident not yet graded: after
	// every real category.
	UngradedRank = 1_000_000
)

// SeverityRank is the rank the queue orders by: the category's rank, or UngradedRank.
func (inc *Incident) SeverityRank() int {
	if inc.Severity == nil || inc.Severity.Rank <= 0 {
		return UngradedRank
	}
	return inc.Severity.Rank
}

// HasClassification reports whether p sets any of the classification vocabulary (RSIT,
// ICO type, severity, impacts, markings), which reporters do not decide.
func (p Patch) HasClassification() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"rsit_class", p.RSITClass.Set}, {"rsit_type", p.RSITType.Set}, {"ico_type", p.ICOType.Set},
		{"severity", p.Severity.Set}, {"impact", p.Impact.Any()}, {"tlp", p.TLP.Set}, {"pap", p.PAP.Set}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// normalizeClassification trims and lower-cases the vocabulary and fills the markings'
// defaults.
func (inc *Incident) normalizeClassification() {
	for _, s := range []*string{&inc.RSITClass, &inc.RSITType, &inc.ICOType, &inc.TLP, &inc.PAP,
		&inc.Impact.Confidentiality.Note, &inc.Impact.Integrity.Note, &inc.Impact.Availability.Note} {
		*s = strings.TrimSpace(*s)
	}
	inc.RSITClass, inc.RSITType, inc.ICOType = strings.ToLower(inc.RSITClass), strings.ToLower(inc.RSITType), strings.ToLower(inc.ICOType)
	if inc.TLP == "" {
		inc.TLP = DefaultTLP
	} else if v, ok := taxonomy.NormaliseTLP(inc.TLP); ok {
		inc.TLP = v
	}
	if inc.PAP == "" {
		inc.PAP = DefaultPAP
	} else {
		inc.PAP = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(inc.PAP, "PAP:"), "pap:"))
	}
	if inc.Severity != nil && *inc.Severity == (Severity{}) {
		inc.Severity = nil
	}
}

// validateClassification checks the classification vocabulary; the severity's scheme and
// category are checked against the organisation's schemes by the service, which knows them.
func (inc *Incident) validateClassification(v *ValidationError) {
	switch {
	case inc.RSITClass == "" && inc.RSITType == "":
	case inc.RSITClass == "":
		v.Add("rsit_class", "is required with rsit_type")
	case func() bool { _, ok := taxonomy.LookupRSITClass(inc.RSITClass); return !ok }():
		v.Add("rsit_class", "must be an RSIT incident class, e.g. information-content-security")
	case inc.RSITType == "":
		v.Add("rsit_type", "is required with rsit_class")
	case !taxonomy.ValidRSIT(inc.RSITClass, inc.RSITType):
		v.Add("rsit_type", fmt.Sprintf("must be an RSIT type of the class %s", inc.RSITClass))
	}
	if inc.ICOType != "" && !taxonomy.ValidICOType(inc.ICOType) {
		v.Add("ico_type", "must be one of the ICO's personal-data-breach incident types")
	}
	if s := inc.Severity; s != nil {
		if s.Scheme == "" {
			v.Add("severity.scheme", "is required")
		}
		if s.Category == "" {
			v.Add("severity.category", "is required")
		}
		if s.Rank < 1 {
			v.Add("severity.rank", "must be 1 or more (1 is the most severe)")
		}
	}
	if !taxonomy.ValidTLP(inc.TLP) {
		v.Add("tlp", "must be a TLP 2.0 marking: clear, green, amber, amber+strict or red")
	}
	if !taxonomy.ValidPAP(inc.PAP) {
		v.Add("pap", "must be a PAP marking: clear, green, amber or red")
	}
	for _, n := range []struct {
		field string
		note  string
	}{{"impact.confidentiality.note", inc.Impact.Confidentiality.Note}, {"impact.integrity.note", inc.Impact.Integrity.Note},
		{"impact.availability.note", inc.Impact.Availability.Note}} {
		switch {
		case !utf8.ValidString(n.note):
			v.Add(n.field, "is not valid UTF-8 text")
		case utf8.RuneCountInString(n.note) > MaxImpactNote:
			v.Add(n.field, fmt.Sprintf("must be %d characters or fewer", MaxImpactNote))
		case strings.ContainsRune(n.note, 0):
			v.Add(n.field, "must not contain NUL characters")
		}
	}
}

// applyClassification copies the classification fields p sets onto inc.
func applyClassification(inc *Incident, p Patch) {
	for _, f := range []struct {
		o   Opt[string]
		dst *string
	}{{p.RSITClass, &inc.RSITClass}, {p.RSITType, &inc.RSITType}, {p.ICOType, &inc.ICOType}, {p.TLP, &inc.TLP}, {p.PAP, &inc.PAP}} {
		if f.o.Set {
			*f.dst = f.o.Value
		}
	}
	if p.Severity.Set {
		if p.Severity.Value == nil {
			inc.Severity = nil
		} else {
			s := *p.Severity.Value
			inc.Severity = &s
		}
	}
	for _, f := range []struct {
		o   Opt[ImpactNote]
		dst *ImpactNote
	}{{p.Impact.Confidentiality, &inc.Impact.Confidentiality}, {p.Impact.Integrity, &inc.Impact.Integrity},
		{p.Impact.Availability, &inc.Impact.Availability}} {
		if f.o.Set {
			*f.dst = f.o.Value
		}
	}
}

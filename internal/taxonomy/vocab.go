package taxonomy

import "slices"

// Term is an entry of a small controlled vocabulary with its definition and where it comes from.
type Term struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Definition string `json:"definition"`
	Source     string `json:"source,omitempty"`
	// Priority orders triage classes for response (seed 001 §4.2: incidents, then unknowns,
	// vulnerabilities, events); 1 comes first. Zero for vocabularies without an order.
	Priority int `json:"priority,omitempty"`
}

// ICOType is one of the incident types under which the UK Information Commissioner's Office
// publishes personal data breaches ("Data security incident trends").
type ICOType struct {
	ID          string `json:"id"`    // Vigil's stable key, e.g. "data-emailed-to-incorrect-recipient"
	Label       string `json:"label"` // the ICO's wording, e.g. "Data emailed to incorrect recipient"
	Group       string `json:"group"` // "cyber" or "non-cyber", as the ICO groups them
	RSIT        string `json:"rsit"`  // the RSIT "class:type" it usually corresponds to
	Description string `json:"description"`
}

// Example is an everyday example of an information security event from seed 004, mapped to
// the classification a handler would usually start from, so that a reporter can pick the
// plain-English example instead of a taxonomy term.
type Example struct {
	ID      string   `json:"id"`
	Heading string   `json:"heading"` // the seed's group, e.g. "Loss and theft"
	Text    string   `json:"text"`
	RSIT    string   `json:"rsit"`     // RSIT "class:type"
	ICOType string   `json:"ico_type"` // ICOType.ID, "" when it is not a personal data breach by itself
	Impacts []string `json:"impacts"`  // Impacts() IDs
	Triage  string   `json:"triage"`   // TriageClasses() ID
}

var (
	triageClasses = loadTerms("data/triage.json")
	impacts       = loadTerms("data/impact.json")
	icoTypes      = loadICOTypes()
	examples      = loadExamples()
)

func loadTerms(path string) []Term {
	var f struct {
		Source string `json:"source"`
		Terms  []Term `json:"terms"`
	}
	mustDecode(path, &f, true)
	return f.Terms
}

func loadICOTypes() []ICOType {
	var f struct {
		Source string    `json:"source"`
		Types  []ICOType `json:"types"`
	}
	mustDecode("data/ico-breach-types.json", &f, true)
	return f.Types
}

func loadExamples() []Example {
	var f struct {
		Source   string    `json:"source"`
		Examples []Example `json:"examples"`
	}
	mustDecode("data/examples.json", &f, true)
	return f.Examples
}

// TriageClasses returns the triage classes in response order: seed 001 §4.2's incident,
// unknown, vulnerability and event, then seed 003's near-miss and "not an incident".
func TriageClasses() []Term { return slices.Clone(triageClasses) }

// Impacts returns the three ways an incident can threaten information (seed 004):
// confidentiality, integrity and availability. Each incident records which apply, each with
// a short note.
func Impacts() []Term { return slices.Clone(impacts) }

// ValidTriage reports whether id is a triage class.
func ValidTriage(id string) bool {
	return slices.ContainsFunc(triageClasses, func(t Term) bool { return t.ID == id })
}

// ValidImpact reports whether id is one of the impacts.
func ValidImpact(id string) bool {
	return slices.ContainsFunc(impacts, func(t Term) bool { return t.ID == id })
}

// ICOTypes returns the ICO personal-data-breach incident types, non-cyber first.
func ICOTypes() []ICOType { return slices.Clone(icoTypes) }

// LookupICOType returns the ICO type with the given ID.
func LookupICOType(id string) (ICOType, bool) {
	i := slices.IndexFunc(icoTypes, func(t ICOType) bool { return t.ID == id })
	if i < 0 {
		return ICOType{}, false
	}
	return icoTypes[i], true
}

// ValidICOType reports whether id is an ICO type ID.
func ValidICOType(id string) bool {
	_, ok := LookupICOType(id)
	return ok
}

// Examples returns the seed 004 everyday examples with their suggested classification.
func Examples() []Example {
	out := slices.Clone(examples)
	for i := range out {
		out[i].Impacts = slices.Clone(out[i].Impacts)
	}
	return out
}

package taxonomy

import (
	"slices"
	"strings"
)

// RSITClass is a class of the Reference Security Incident Taxonomy (RSIT, the taxonomy of the
// TF-CSIRT Reference Security Incident Taxonomy Working Group), as published in the MISP
// machinetag file data/misp/rsit.machinetag.json.
type RSITClass struct {
	Value       string     `json:"value"` // machinetag value, e.g. "information-content-security"
	Label       string     `json:"label"` // e.g. "Information Content Security"
	Description string     `json:"description"`
	Types       []RSITType `json:"types"`
}

// RSITType is an incident type within an RSIT class.
type RSITType struct {
	Class       string `json:"class"`
	Value       string `json:"value"` // machinetag value, e.g. "data-leak"
	Label       string `json:"label"`
	Description string `json:"description"`
}

// misp is the part of a MISP machinetag file Vigil reads.
type misp struct {
	Version    int         `json:"version"`
	Predicates []mispEntry `json:"predicates"`
	Values     []struct {
		Predicate string      `json:"predicate"`
		Entry     []mispEntry `json:"entry"`
	} `json:"values"`
}

// mispEntry is a predicate or a value of a MISP machinetag file.
type mispEntry struct {
	Value       string `json:"value"`
	Expanded    string `json:"expanded"`
	Description string `json:"description"`
	Colour      string `json:"colour"`
}

var rsitClasses, rsitVersion = loadRSIT()

func loadRSIT() ([]RSITClass, int) {
	var m misp
	mustDecode("data/misp/rsit.machinetag.json", &m, false)
	classes := make([]RSITClass, 0, len(m.Predicates))
	for _, p := range m.Predicates {
		c := RSITClass{Value: p.Value, Label: p.Expanded, Description: p.Description}
		for _, v := range m.Values {
			if v.Predicate != p.Value {
				continue
			}
			for _, e := range v.Entry {
				c.Types = append(c.Types, RSITType{Class: p.Value, Value: e.Value, Label: e.Expanded, Description: e.Description})
			}
		}
		classes = append(classes, c)
	}
	return classes, m.Version
}

// RSITVersion is the version of the MISP RSIT machinetag file shipped.
func RSITVersion() int { return rsitVersion }

// RSITClasses returns the RSIT classes in the taxonomy's order, each with its types.
func RSITClasses() []RSITClass {
	out := slices.Clone(rsitClasses)
	for i := range out {
		out[i].Types = slices.Clone(out[i].Types)
	}
	return out
}

// LookupRSIT returns the RSIT type with machinetag values class and typ.
func LookupRSIT(class, typ string) (RSITType, bool) {
	for _, c := range rsitClasses {
		if c.Value != class {
			continue
		}
		for _, t := range c.Types {
			if t.Value == typ {
				return t, true
			}
		}
	}
	return RSITType{}, false
}

// LookupRSITClass returns the RSIT class with machinetag value class.
func LookupRSITClass(class string) (RSITClass, bool) {
	for _, c := range rsitClasses {
		if c.Value == class {
			c.Types = slices.Clone(c.Types)
			return c, true
		}
	}
	return RSITClass{}, false
}

// ValidRSIT reports whether typ is a type of RSIT class class (machinetag values, exact case).
func ValidRSIT(class, typ string) bool {
	_, ok := LookupRSIT(class, typ)
	return ok
}

// SplitRSIT splits the "class:type" form used in Vigil's data files and checks it.
func SplitRSIT(s string) (class, typ string, ok bool) {
	class, typ, found := strings.Cut(s, ":")
	if !found || !ValidRSIT(class, typ) {
		return "", "", false
	}
	return class, typ, true
}

package taxonomy

import (
	"slices"
	"strings"
)

// Marking is one level of a sharing or action protocol, with the wording of the MISP
// machinetag file it comes from.
type Marking struct {
	Value       string `json:"value"` // Vigil's stored value, lower case: "amber+strict"
	Label       string `json:"label"` // e.g. "(TLP:AMBER+STRICT) Limited disclosure, ..."
	Description string `json:"description,omitempty"`
	Colour      string `json:"colour"`
}

// tlpOrder lists the TLP 2.0 levels (FIRST, Traffic Light Protocol version 2.0, August 2022)
// from the least to the most restricted audience. The MISP file also carries TLP 1.0's
// "white" and non-standard extensions ("ex:chr", "unclear"); Vigil stores only TLP 2.0.
var tlpOrder = []string{"clear", "green", "amber", "amber+strict", "red"}

// papOrder lists the PAP levels (Permissible Actions Protocol, as in MISP) from the most to
// the least permissive use: CLEAR no restriction, GREEN active actions, AMBER passive cross
// checks, RED non-detectable actions only. The legacy "white" is not stored.
var papOrder = []string{"clear", "green", "amber", "red"}

var tlpLevels = loadMarkings("data/misp/tlp.machinetag.json", tlpOrder)
var papLevels = loadMarkings("data/misp/PAP.machinetag.json", papOrder)

func loadMarkings(path string, order []string) []Marking {
	var m misp
	mustDecode(path, &m, false)
	out := make([]Marking, 0, len(order))
	for _, v := range order {
		i := slices.IndexFunc(m.Predicates, func(p mispEntry) bool { return strings.EqualFold(p.Value, v) })
		if i < 0 {
			panic("taxonomy: " + path + " has no level " + v)
		}
		p := m.Predicates[i]
		out = append(out, Marking{Value: v, Label: p.Expanded, Description: p.Description, Colour: p.Colour})
	}
	return out
}

// TLPLevels returns the TLP 2.0 levels, least restricted first.
func TLPLevels() []Marking { return slices.Clone(tlpLevels) }

// PAPLevels returns the PAP levels, most permissive first.
func PAPLevels() []Marking { return slices.Clone(papLevels) }

// ValidTLP reports whether v is a TLP 2.0 level as Vigil stores it (lower case, no "TLP:").
func ValidTLP(v string) bool { return slices.Contains(tlpOrder, v) }

// ValidPAP reports whether v is a PAP level as Vigil stores it (lower case, no "PAP:").
func ValidPAP(v string) bool { return slices.Contains(papOrder, v) }

// NormaliseTLP turns a marking as people and other tools write it ("TLP:AMBER+STRICT",
// " Amber ", TLP 1.0's "WHITE") into the stored TLP 2.0 value. TLP 2.0 renamed WHITE to
// CLEAR with the same meaning, so "white" becomes "clear".
func NormaliseTLP(s string) (string, bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "tlp:")
	if v == "white" {
		v = "clear"
	}
	return v, ValidTLP(v)
}

// TLPAllows reports whether material marked marking may go to an audience cleared for
// audience, both TLP levels. An audience is named by the most restricted level it may
// receive: "red" the named recipients themselves, "amber+strict" their organisation,
// "amber" the organisation and its clients, "green" the wider community, "clear" anyone.
// Exports call it for every item, so that an export never includes material marked above
// what its audience may see. An unknown or empty marking or audience fails closed (false):
// unmarked material is not assumed to be shareable.
func TLPAllows(marking, audience string) bool {
	m, ok := NormaliseTLP(marking)
	if !ok {
		return false
	}
	a, ok := NormaliseTLP(audience)
	if !ok {
		return false
	}
	return slices.Index(tlpOrder, m) <= slices.Index(tlpOrder, a)
}

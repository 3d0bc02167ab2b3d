package classify

import (
	"slices"
	"strings"

	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Suggestion is what the suggester proposes for a report, with its reasons. It holds no
// personal data: PII gives kinds and offsets, Because quotes only the rules' own words.
type Suggestion struct {
	RSIT         RSIT   `json:"rsit"`
	Alternatives []RSIT `json:"alternatives"` // the next most likely classes, best first
	// ICOType is a taxonomy.ICOType ID; "" when no ICO type is suggested. It matters only if
	// the incident turns out to be a personal data breach.
	ICOType            string  `json:"ico_type"`
	ICOLabel           string  `json:"ico_label"` // the ICO's wording of ICOType
	PersonalDataLikely bool    `json:"personal_data_likely"`
	PII                []PII   `json:"pii"`
	Because            Because `json:"because"`
}

// RSIT is a suggested RSIT class and type (MISP machinetag values) and the score that chose
// it: the sum of the weights of the rules that matched. "other"/"undetermined" with score 0
// means no rule matched.
type RSIT struct {
	Class string  `json:"class"`
	Type  string  `json:"type"`
	Score float64 `json:"score"`
}

// Because lists, for each part of the suggestion, the words in the text that triggered it,
// in the order they first appear. For personal data it also names the kinds of PII found.
type Because struct {
	RSIT         []string `json:"rsit"`
	ICOType      []string `json:"ico_type"`
	PersonalData []string `json:"personal_data"`
}

// Report is the free text of a report as Vigil's report form collects it (seed 001 §3.3: the
// nature of the incident, the information or systems involved, who is involved).
type Report struct {
	Title   string `json:"title"`
	Nature  string `json:"nature"`
	Systems string `json:"systems"`
	People  string `json:"people"`
}

// Thresholds: a class needs at least minRSIT (one strong word, or two weaker ones) to be
// suggested over "undetermined"; an ICO type needs minICO, which the channel words alone
// (an e-mail, a letter) do not reach; personal data needs minPersonal.
const (
	minRSIT     = 2.0
	minICO      = 2.5
	minPersonal = 2.5
	maxAlts     = 2
)

// The rule sets, in the order newMatcher numbers them.
const (
	setRSIT = iota
	setICO
	setPersonal
)

var rules = newMatcher(rsitRules, icoRules, personalRules)

// The vocabularies, read once. The class and ICO type orders break ties between equal
// scores, so that the same text always gets the same suggestion.
var (
	classOrder []string                // RSIT classes in taxonomy order
	classTypes = map[string][]string{} // RSIT class -> its types in taxonomy order
	icoTypes   = taxonomy.ICOTypes()
)

func init() {
	for _, c := range taxonomy.RSITClasses() {
		classOrder = append(classOrder, c.Value)
		for _, t := range c.Types {
			classTypes[c.Value] = append(classTypes[c.Value], t.Value)
		}
	}
}

// Suggest suggests a classification for free text.
func Suggest(text string) Suggestion {
	s := suggest(words(text))
	s.notePII(Detect(text))
	return s
}

// SuggestReport suggests a classification for a report. Its PII offsets are within the
// field each is in (PII.Field).
func SuggestReport(r Report) Suggestion {
	fields := []struct{ name, text string }{
		{"title", r.Title}, {"nature", r.Nature}, {"systems", r.Systems}, {"people", r.People},
	}
	var ws []string
	var pii []PII
	for _, f := range fields {
		// A separator word keeps a phrase from matching across two fields.
		ws = append(append(ws, words(f.text)...), "|")
		for _, p := range Detect(f.text) {
			p.Field = f.name
			pii = append(pii, p)
		}
	}
	s := suggest(ws)
	s.notePII(pii)
	return s
}

func suggest(ws []string) Suggestion {
	hits := rules.find(ws)
	typeScore := map[string]float64{}
	classScore := map[string]float64{}
	icoScore := map[string]float64{}
	personal := 0.0
	for _, h := range hits {
		p := rules.phrases[h.phrase]
		switch p.target.set {
		case setRSIT:
			typeScore[p.target.key] += p.weight
			class, _, _ := strings.Cut(p.target.key, ":")
			classScore[class] += p.weight
		case setICO:
			icoScore[p.target.key] += p.weight
		case setPersonal:
			personal += p.weight
		}
	}

	s := Suggestion{RSIT: RSIT{Class: "other", Type: "undetermined"}, PII: []PII{}}
	// Classes ranked by score, ties in taxonomy order.
	ranked := slices.Clone(classOrder)
	slices.SortStableFunc(ranked, func(a, b string) int { return cmpDesc(classScore[a], classScore[b]) })
	for _, c := range ranked {
		if classScore[c] < minRSIT {
			break
		}
		r := RSIT{Class: c, Type: bestType(c, typeScore), Score: classScore[c]}
		if s.RSIT.Score == 0 {
			s.RSIT = r
		} else if len(s.Alternatives) < maxAlts {
			s.Alternatives = append(s.Alternatives, r)
		}
	}
	if s.Alternatives == nil {
		s.Alternatives = []RSIT{}
	}

	bestICO, bestScore := "", 0.0
	for _, t := range icoTypes {
		if sc := icoScore[t.ID]; sc >= minICO && sc > bestScore {
			bestICO, bestScore = t.ID, sc
			s.ICOLabel = t.Label
		}
	}
	s.ICOType = bestICO

	s.PersonalDataLikely = personal >= minPersonal
	s.Because = Because{RSIT: []string{}, ICOType: []string{}, PersonalData: []string{}}
	for _, h := range hits {
		p := rules.phrases[h.phrase]
		if p.weight <= 0 {
			continue
		}
		switch {
		case p.target.set == setRSIT && strings.HasPrefix(p.target.key, s.RSIT.Class+":") && s.RSIT.Score > 0:
			s.Because.RSIT = appendNew(s.Because.RSIT, h.text)
		case p.target.set == setICO && p.target.key == s.ICOType:
			s.Because.ICOType = appendNew(s.Because.ICOType, h.text)
		case p.target.set == setPersonal && s.PersonalDataLikely:
			s.Because.PersonalData = appendNew(s.Because.PersonalData, h.text)
		}
	}
	return s
}

// notePII records the personal data found, makes it likely, and says which kinds.
func (s *Suggestion) notePII(pii []PII) {
	s.PII = append(s.PII, pii...) // s.PII is never nil: JSON clients get [] for none
	for _, p := range pii {
		s.PersonalDataLikely = true
		s.Because.PersonalData = appendNew(s.Because.PersonalData, "contains "+string(p.Kind))
	}
}

// bestType is the highest-scoring type of class, the first in taxonomy order on a tie.
func bestType(class string, typeScore map[string]float64) string {
	best, bestScore := "", -1.0
	for _, t := range classTypes[class] {
		if sc := typeScore[class+":"+t]; sc > bestScore {
			best, bestScore = t, sc
		}
	}
	return best
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

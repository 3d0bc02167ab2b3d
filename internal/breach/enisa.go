package breach

import (
	"fmt"
	"slices"
	"strings"
)

// ENISA is the severity of the breach by the ENISA 2013 methodology ("Recommendations for a
// methodology of the assessment of severity of personal data breaches", v1.0, Dec. 2013):
// SE = DPC × EI + CB. It measures how bad the breach would be for the people affected; it does
// not weigh how likely harm is, so the engine never relies on it alone (see Assess).
type ENISA struct {
	DPC   float64 `json:"dpc"`   // data processing context, 1–4
	EI    float64 `json:"ei"`    // ease of identification, 0.25–1
	CB    float64 `json:"cb"`    // circumstances of the breach, 0–2
	Score float64 `json:"score"` // SE
	Band  string  `json:"band"`  // low, medium, high, very_high
}

// ENISA 2013 severity bands: low SE < 2, medium 2 ≤ SE < 3, high 3 ≤ SE < 4, very high SE ≥ 4.
const (
	BandLow      = "low"
	BandMedium   = "medium"
	BandHigh     = "high"
	BandVeryHigh = "very_high"
)

// Band returns the ENISA 2013 severity band of a score.
func Band(score float64) string {
	switch {
	case score < 2:
		return BandLow
	case score < 3:
		return BandMedium
	case score < 4:
		return BandHigh
	default:
		return BandVeryHigh
	}
}

// categoryScore is a data category's DPC under ENISA 2013, with the reason shown in the
// rationale. ENISA scores four classes of data: simple (1), behavioural (2), financial (3) and
// sensitive (4); categories it does not name are placed by what they let a holder do.
type categoryScore struct {
	dpc    int
	reason string
}

var categoryScores = map[Category]categoryScore{
	CategoryBasicIdentifiers:    {1, "simple data"},
	CategoryContact:             {1, "simple data"},
	CategoryEmploymentEducation: {1, "simple data"},
	CategoryImages:              {1, "simple data"},
	// ENISA raises simple data by 1 when it allows assumptions or misuse beyond the data
	// itself; identity numbers and documents enable identity fraud (EDPB 01/2021 case 14).
	CategoryIdentificationNumbers: {2, "identity numbers: simple data +1, they enable identity fraud"},
	CategoryOfficialDocuments:     {2, "official documents: simple data +1, they enable identity fraud"},
	CategoryLocation:              {2, "behavioural data"},
	CategoryBehavioural:           {2, "behavioural data"},
	CategoryCommunications:        {2, "behavioural data (content of communications)"},
	// ENISA: credentials take the score of what they open. What they open is not in the facts,
	// so they are scored as behavioural data (an account's contents and activity).
	CategoryCredentials: {2, "credentials, scored as the behavioural data an account holds"},
	CategoryFinancial:   {3, "financial data"},
	// ENISA: financial data +1 when full card data enabling fraud is disclosed.
	CategoryPaymentCard:        {4, "payment card data: financial +1, enables fraud"},
	CategoryHealth:             {4, "sensitive data"},
	CategoryGenetic:            {4, "sensitive data"},
	CategoryBiometric:          {4, "sensitive data"},
	CategoryRacialEthnic:       {4, "sensitive data"},
	CategoryPolitical:          {4, "sensitive data"},
	CategoryReligious:          {4, "sensitive data"},
	CategoryTradeUnion:         {4, "sensitive data"},
	CategorySexLifeOrientation: {4, "sensitive data"},
	CategoryCriminal:           {4, "sensitive data"},
}

// directIdentifiers are categories that name or single out a person by themselves; their
// presence keeps pseudonymised data identifiable (ENISA 2013, ease of identification).
var directIdentifiers = []Category{CategoryBasicIdentifiers, CategoryContact, CategoryIdentificationNumbers,
	CategoryOfficialDocuments, CategoryImages, CategoryBiometric, CategoryGenetic, CategoryPaymentCard}

// enisa scores the breach. Unknown inputs take the worse value, as everywhere in the engine.
func (a *assessor) enisa() ENISA {
	dpc, dpcWhy := a.dpc()
	ei, eiWhy := a.ease()
	cb, cbWhy := a.circumstances()
	e := ENISA{DPC: dpc, EI: ei, CB: cb, Score: dpc*ei + cb}
	e.Band = Band(e.Score)
	if a.recording() {
		a.note(fmt.Sprintf("ENISA 2013 severity: DPC %s × EI %s + CB %s = %s (%s). DPC: %s. EI: %s. CB: %s.",
			num(dpc), num(ei), num(cb), num(e.Score), bandWords(e.Band), dpcWhy, eiWhy, cbWhy))
	}
	return e
}

// dpc is the data processing context: the highest-scoring category, adjusted for the volume of
// data about each person and for the people's vulnerability, kept within 1–4 (ENISA 2013, DPC).
func (a *assessor) dpc() (float64, string) {
	var why strings.Builder
	explain := func(s string) {
		if a.recording() {
			why.WriteString(s)
		}
	}
	cats := a.f.Data.Categories
	score := 0
	if len(cats) == 0 {
		// Not knowing what data was involved, special category data cannot be excluded.
		a.unknown("data.categories")
		score = 4
		explain("categories not known, scored as sensitive data")
	}
	top := -1
	for i, c := range cats {
		if cs := categoryScores[c]; cs.dpc > score {
			score, top = cs.dpc, i
		}
	}
	if top >= 0 && a.recording() {
		explain(fmt.Sprintf("%d for %s (%s)", score, cats[top], categoryScores[cats[top]].reason))
	}
	if score < 4 {
		// ENISA: +1 when the volume of data about each person allows a profile to be built.
		switch a.f.Data.VolumePerSubject {
		case VolumeHistory:
			score++
			explain(", +1 for months or years of records about each person")
		case "":
			a.unknown("data.volume_per_subject")
			score++
			explain(", +1 because the volume of data about each person is not known")
		}
	}
	if score < 4 && a.vulnerable() {
		// ENISA: raised where the people's characteristics (minors, vulnerable groups) make the
		// data critical to their safety or wellbeing.
		score++
		explain(", +1 for vulnerable people")
	}
	return float64(max(1, min(score, 4))), why.String()
}

// ease is the ease of identification: maximum (1) unless the data was pseudonymised, then
// limited (0.5), or significant (0.75) if direct identifiers were breached alongside.
func (a *assessor) ease() (float64, string) {
	if !isTrue(a.f.Protection.Pseudonymised) {
		return 1, "people identifiable from the data (maximum)"
	}
	for _, c := range a.f.Data.Categories {
		if slices.Contains(directIdentifiers, c) {
			return 0.75, "pseudonymised, but direct identifiers were breached too (significant)"
		}
	}
	return 0.5, "pseudonymised: identification needs information held elsewhere (limited)"
}

// circumstances adds the ENISA 2013 circumstances of the breach: loss of confidentiality (0,
// +0.25 known recipients, +0.5 unknown recipients), integrity (+0.25 recoverable, +0.5 not),
// availability (+0.25 temporary, +0.5 permanent) and malicious intent (+0.5).
func (a *assessor) circumstances() (float64, string) {
	var cb float64
	var why []string
	add := func(v float64, s string) {
		cb += v
		if a.recording() {
			why = append(why, s+" (+"+num(v)+")")
		}
	}
	if a.confidentialityInPlay() {
		c := a.f.Confidentiality
		switch {
		case c.Exfiltration == ExfiltrationRuledOut || c.Exfiltration == ExfiltrationUnlikely:
			// ENISA: data exposed without evidence of unlawful processing scores 0.
		case a.exposure() == ExposureTrustedRecipient:
			if !a.trustedRecipientContained() {
				add(0.25, "disclosed to a trusted recipient")
			}
		case a.exposure() == ExposureKnownRecipients:
			add(0.25, "disclosed to known recipients")
		default:
			add(0.5, "disclosed or possibly disclosed to unknown recipients")
		}
	}
	if a.integrityInPlay() {
		used, recoverable := a.integrityFacts()
		switch {
		case used && !recoverable:
			add(0.5, "altered data possibly used, not recoverable")
		case used:
			add(0.25, "altered data possibly used, recoverable")
		}
	}
	if a.availabilityInPlay() {
		av := a.f.Availability
		switch {
		case isTrue(av.Permanent):
			add(0.5, "data permanently unavailable")
		case av.RestoredWithinHours != nil && *av.RestoredWithinHours <= promptRestoreHours:
			// ENISA: data that can be recovered without difficulty scores 0.
		default:
			add(0.25, "data temporarily unavailable")
		}
	}
	if a.malicious() {
		add(0.5, "malicious intent")
	}
	if cb == 0 {
		return 0, "none apply"
	}
	return cb, strings.Join(why, ", ")
}

// num formats a score without trailing zeros: 3, 0.75, 3.25.
func num(v float64) string {
	return fmt.Sprintf("%g", v)
}

func bandWords(band string) string {
	return strings.ReplaceAll(band, "_", " ")
}

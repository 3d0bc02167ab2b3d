package breach

import "strings"

// factLabels name, in plain English, the facts the engine may have had to assume. Keys are
// the paths in Decision.Unknowns; a test keeps the two in step.
var factLabels = map[string]string{
	"availability.impact_on_subjects":    "whether losing access to the data affects the people",
	"availability.restored_within_hours": "how soon access to the data was restored",
	"aware_at":                           "when the organisation became aware",
	"cause.malicious":                    "whether someone acted deliberately",
	"confidentiality.exfiltration":       "whether data was copied out",
	"confidentiality.exposure":           "who could see the data",
	"confidentiality.lost":               "whether data was lost or disclosed",
	"confidentiality.recipients":         "who received the data",
	"data.categories":                    "what kinds of personal data were involved",
	"data.volume_per_subject":            "how much data there is about each person",
	"eu_member_states":                   "which EU countries the people live in",
	"integrity.altered_data_used":        "whether altered data was used",
	"integrity.recoverable":              "whether the altered data can be put right",
	"personal_data":                      "whether personal data was involved",
	"protection.encryption":              "whether the data was encrypted",
	"protection.key_compromised":         "whether the encryption key was exposed too",
	"role":                               "whether the organisation is controller or processor",
	"subjects.count":                     "how many people are affected",
	"subjects.vulnerable":                "whether any of the people are vulnerable (for example children)",
}

// FactLabel is a plain-English name for a fact path in Decision.Unknowns; an unlisted path
// is returned with its punctuation turned into spaces rather than hidden.
func FactLabel(path string) string {
	if l, ok := factLabels[path]; ok {
		return l
	}
	return strings.NewReplacer(".", " ", "_", " ").Replace(path)
}

// ExemptionLabel explains an Art. 34(3) exemption code in plain English.
func ExemptionLabel(code string) string {
	switch code {
	case ExemptionUnintelligible:
		return "the data is unintelligible to anyone who has it (for example, strongly encrypted with the key safe)"
	case ExemptionSubsequentMeasures:
		return "steps taken since mean the high risk is no longer likely"
	case ExemptionDisproportionateEffort:
		return "telling each person would take disproportionate effort, so a public communication is used instead"
	case "":
		return ""
	}
	return strings.ReplaceAll(code, "_", " ")
}

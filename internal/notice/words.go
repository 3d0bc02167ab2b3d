package notice

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
)

// categoryWords are the facts' data categories in plain English for regulators and letters.
var categoryWords = map[breach.Category]string{
	breach.CategoryBasicIdentifiers:      "names and other basic identifiers",
	breach.CategoryContact:               "contact details",
	breach.CategoryIdentificationNumbers: "identification numbers",
	breach.CategoryFinancial:             "financial information",
	breach.CategoryPaymentCard:           "payment card details",
	breach.CategoryCredentials:           "usernames and passwords",
	breach.CategoryLocation:              "location data",
	breach.CategoryBehavioural:           "behavioural data",
	breach.CategoryCommunications:        "the content of communications",
	breach.CategoryEmploymentEducation:   "employment or education records",
	breach.CategoryOfficialDocuments:     "copies of official documents",
	breach.CategoryImages:                "photographs or video",
	breach.CategoryHealth:                "health information (special category)",
	breach.CategoryGenetic:               "genetic data (special category)",
	breach.CategoryBiometric:             "biometric data (special category)",
	breach.CategoryRacialEthnic:          "racial or ethnic origin (special category)",
	breach.CategoryPolitical:             "political opinions (special category)",
	breach.CategoryReligious:             "religious or philosophical beliefs (special category)",
	breach.CategoryTradeUnion:            "trade union membership (special category)",
	breach.CategorySexLifeOrientation:    "sex life or sexual orientation (special category)",
	breach.CategoryCriminal:              "criminal offence data",
}

var kindWords = map[breach.SubjectKind]string{
	breach.KindCustomers: "customers", breach.KindEmployees: "employees", breach.KindPatients: "patients",
	breach.KindChildren: "children", breach.KindStudents: "students", breach.KindVulnerableAdults: "vulnerable adults",
	breach.KindUsers: "users", breach.KindPublic: "members of the public", breach.KindOther: "others",
}

var harmWords = map[string]string{
	"physical_safety": "a threat to physical safety", "reputation": "damage to reputation", "financial_loss": "financial loss",
	"discrimination": "discrimination", "identity_theft": "identity theft or fraud", "emotional_distress": "emotional distress",
}

func categories(cs []breach.Category) string {
	words := make([]string, 0, len(cs))
	for _, c := range cs {
		words = append(words, categoryWords[c])
	}
	return strings.Join(words, "; ")
}

// when formats an instant for a regulator's form: date and time in UTC, unambiguous.
func when(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

func count(n int64, estimate bool) string {
	s := fmt.Sprintf("%d", n)
	if estimate {
		s = "about " + s
	}
	return s
}

// sentences joins non-empty parts, each on its own line.
func lines(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

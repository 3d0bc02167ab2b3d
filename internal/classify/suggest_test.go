package classify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// TestSeedExamples: each everyday example of seed 004 gets the classification the taxonomy
// maps it to, with the words that triggered it.
func TestSeedExamples(t *testing.T) {
	for _, e := range taxonomy.Examples() {
		s := Suggest(e.Text)
		class, typ, _ := taxonomy.SplitRSIT(e.RSIT)
		if s.RSIT.Class != class || s.RSIT.Type != typ {
			t.Errorf("%s: RSIT %s:%s, want %s (because %v)", e.ID, s.RSIT.Class, s.RSIT.Type, e.RSIT, s.Because.RSIT)
		}
		if s.ICOType != e.ICOType {
			t.Errorf("%s: ICO type %q, want %q (because %v)", e.ID, s.ICOType, e.ICOType, s.Because.ICOType)
		}
		if class != "other" && len(s.Because.RSIT) == 0 {
			t.Errorf("%s: no words given for the RSIT suggestion", e.ID)
		}
		if s.ICOType != "" && (len(s.Because.ICOType) == 0 || s.ICOLabel == "") {
			t.Errorf("%s: ICO type %s without words or label", e.ID, s.ICOType)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		text, class, typ, ico string
		personal              bool
		because               string // one of the RSIT words expected
	}{
		{"Spreadsheet of patients' names and dates of birth emailed to the wrong GP practice by mistake.",
			"information-content-security", "data-leak", "data-emailed-to-incorrect-recipient", true, "by mistake"},
		{"Newsletter sent to 300 parents with everyone in the cc field instead of bcc.",
			"information-content-security", "data-leak", "failure-to-use-bcc", true, "bcc"},
		{"Our file server was hit by ransomware overnight and a ransom note demands bitcoin.",
			"information-content-security", "unauthorised-information-modification", "ransomware", false, "ransomware"},
		{"Staff received a phishing email pretending to be from IT asking them to enter their password on a fake login page.",
			"fraud", "phishing", "phishing", false, "phishing"},
		{"The website was down for six hours because of a DDoS attack.",
			"availability", "ddos", "denial-of-service", false, "ddos"},
		{"Hackers used SQL injection to get into the customer database.",
			"intrusions", "application-compromise", "unauthorised-access-cyber", true, "sql injection"},
		{"A nurse looked up her neighbour's medical records out of curiosity.",
			"information-content-security", "unauthorised-information-access", "unauthorised-access-non-cyber", true, "curiosity"},
		{"Laptop stolen from an employee's car; no personal data was stored on it.",
			"information-content-security", "data-loss", "loss-or-theft-of-device", false, "stolen"},
		{"Antivirus quarantined a trojan on the finance PC.",
			"malicious-code", "infected-system", "malware", false, "trojan"},
		{"", "other", "undetermined", "", false, ""},
		{"Please call me back about the printer.", "other", "undetermined", "", false, ""},
	}
	for _, tt := range tests {
		s := Suggest(tt.text)
		if s.RSIT.Class != tt.class || s.RSIT.Type != tt.typ || s.ICOType != tt.ico || s.PersonalDataLikely != tt.personal {
			t.Errorf("Suggest(%q) = %s:%s ico %q personal %v, want %s:%s ico %q personal %v (because %+v)",
				tt.text, s.RSIT.Class, s.RSIT.Type, s.ICOType, s.PersonalDataLikely, tt.class, tt.typ, tt.ico, tt.personal, s.Because)
		}
		if tt.because != "" && !containsWord(s.Because.RSIT, tt.because) {
			t.Errorf("Suggest(%q): because %v lacks %q", tt.text, s.Because.RSIT, tt.because)
		}
	}
}

func containsWord(list []string, w string) bool {
	for _, s := range list {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// TestSuggestNeverEchoesPII: the suggestion says where personal data is and what kind, and
// makes personal data likely, but the values appear nowhere in it.
func TestSuggestNeverEchoesPII(t *testing.T) {
	values := []string{"jane.doe@example.org", "07700 900123", "AB123456C", "943 476 5919", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "JE2 3QA"}
	text := "Letter for " + strings.Join(values, ", ") + " sent to the wrong address."
	s := Suggest(text)
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if strings.Contains(string(out), v) || strings.Contains(string(out), strings.ReplaceAll(v, " ", "")) {
			t.Errorf("suggestion JSON contains %q: %s", v, out)
		}
	}
	if len(s.PII) != len(values) || !s.PersonalDataLikely {
		t.Errorf("found %d PII (want %d), personal data likely %v", len(s.PII), len(values), s.PersonalDataLikely)
	}
	if !containsWord(s.Because.PersonalData, "contains nhs_number") {
		t.Errorf("because %v does not name the kinds found", s.Because.PersonalData)
	}
}

func TestSuggestReport(t *testing.T) {
	r := Report{Title: "Laptop stolen", Nature: "Work laptop stolen from a car", Systems: "LT-1", People: "clients, e.g. bob@example.com"}
	s := SuggestReport(r)
	if s.RSIT.Class != "information-content-security" || s.RSIT.Type != "data-loss" || s.ICOType != "loss-or-theft-of-device" {
		t.Errorf("SuggestReport = %+v", s)
	}
	if len(s.PII) != 1 || s.PII[0].Field != "people" || r.People[s.PII[0].Start:s.PII[0].End] != "bob@example.com" {
		t.Errorf("PII = %+v, want the e-mail address located in people", s.PII)
	}
	// A phrase does not run across two fields: "stolen" ending one and "from" starting the next.
	if got := SuggestReport(Report{Title: "phone number", Nature: "list"}); got.PersonalDataLikely {
		t.Errorf("phrase matched across fields: %+v", got.Because)
	}
}

func TestSuggestIsDeterministic(t *testing.T) {
	text := "Hackers breached the server, stole customer records and demanded a ransom; a laptop was also lost."
	first, _ := json.Marshal(Suggest(text))
	for range 20 {
		again, _ := json.Marshal(Suggest(text))
		if string(again) != string(first) {
			t.Fatalf("Suggest differs between runs:\n%s\n%s", first, again)
		}
	}
}

// BenchmarkSuggest measures suggestions per second on one core over the seed 004 examples
// and a longer report: go test ./internal/classify -run '^$' -bench Suggest -cpu 1
func BenchmarkSuggest(b *testing.B) {
	texts := []string{strings.Repeat("An employee's laptop containing unencrypted patient records, names, "+
		"dates of birth and NHS numbers was stolen from a car outside the clinic on Friday evening. ", 4)}
	for _, e := range taxonomy.Examples() {
		texts = append(texts, e.Text)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Suggest(texts[i%len(texts)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "suggestions/s")
}

func BenchmarkDetect(b *testing.B) {
	text := strings.Repeat("Contact jane.doe@example.org or 01534 500050 about AB123456C at JE2 3QA. ", 10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Detect(text)
	}
}

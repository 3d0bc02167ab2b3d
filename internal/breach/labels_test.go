package breach

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every path the rules can report as unknown has a plain-English label, so the result page
// never shows a bare field path to a DPO.
func TestEveryUnknownHasALabel(t *testing.T) {
	re := regexp.MustCompile(`unknown\("([a-z_.]+)"\)`)
	seen := 0
	for _, f := range []string{"assess.go", "decide.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			seen++
			if _, ok := factLabels[m[1]]; !ok {
				t.Errorf("%s: unknown(%q) has no entry in factLabels", f, m[1])
			}
		}
	}
	if seen < 10 {
		t.Fatalf("found only %d unknown(...) calls: the pattern no longer matches the rules", seen)
	}
	for _, code := range []string{ExemptionUnintelligible, ExemptionSubsequentMeasures, ExemptionDisproportionateEffort} {
		if l := ExemptionLabel(code); l == "" || strings.Contains(l, "_") {
			t.Errorf("ExemptionLabel(%q) = %q", code, l)
		}
	}
	if FactLabel("new.fact_path") != "new fact path" {
		t.Errorf("unlisted path not made readable: %q", FactLabel("new.fact_path"))
	}
}

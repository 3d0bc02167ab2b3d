package classify

import (
	"regexp"
	"testing"

	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// TestRules checks the rule tables: every key names an RSIT type or ICO type that exists, and
// every term is written the way the matcher reads text (lower case words of letters and
// digits, "*" only at the end of a word), or it could never match.
func TestRules(t *testing.T) {
	term := regexp.MustCompile(`^[a-z0-9]+\*?( [a-z0-9]+\*?)*$`)
	check := func(set string, rules ruleSet, valid func(string) bool) {
		for key, terms := range rules {
			if !valid(key) {
				t.Errorf("%s: %q is not in the taxonomy", set, key)
			}
			for tm, w := range terms {
				if !term.MatchString(tm) || w == 0 {
					t.Errorf("%s %s: term %q (weight %v) can never score", set, key, tm, w)
				}
			}
		}
	}
	check("rsitRules", rsitRules, func(k string) bool { _, _, ok := taxonomy.SplitRSIT(k); return ok })
	check("icoRules", icoRules, taxonomy.ValidICOType)
	check("personalRules", personalRules, func(k string) bool { return k == "personal" })
}

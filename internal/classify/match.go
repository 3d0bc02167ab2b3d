package classify

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A rule set maps keys (an RSIT "class:type", an ICO type ID, ...) to the words that point to
// them and how strongly. A term is one or more words separated by spaces; a word ending in
// "*" matches any word it begins ("phish*" matches "phishing", "phished"). Words are matched
// on lower-cased text split at anything that is not a letter or a digit, so "e-mail" is the
// two words "e mail" and "DDoS'd" is "ddos d".
type ruleSet map[string]map[string]float64

// target is what a phrase scores for: a rule set (by index) and a key within it.
type target struct {
	set int
	key string
}

type phrase struct {
	words  []string // lower case; a trailing '*' makes the word a prefix
	target target
	weight float64
}

// matcher finds every term of several rule sets in a text in one pass over its words. Terms
// are indexed by their first word: exact words in a map, prefixes by their length.
type matcher struct {
	phrases    []phrase
	exact      map[string][]int // first word -> phrases
	prefix     map[string][]int // first word's prefix (without '*') -> phrases
	prefixLens []int            // the distinct lengths of those prefixes, ascending
}

func newMatcher(sets ...ruleSet) *matcher {
	m := &matcher{exact: map[string][]int{}, prefix: map[string][]int{}}
	seenLen := map[int]bool{}
	for si, set := range sets {
		// Sorted, so that the same text always gives the same hits in the same order.
		for _, key := range slices.Sorted(maps.Keys(set)) {
			terms := set[key]
			for _, term := range slices.Sorted(maps.Keys(terms)) {
				w := terms[term]
				p := phrase{words: strings.Fields(term), target: target{si, key}, weight: w}
				i := len(m.phrases)
				m.phrases = append(m.phrases, p)
				first := p.words[0]
				if stem, ok := strings.CutSuffix(first, "*"); ok {
					m.prefix[stem] = append(m.prefix[stem], i)
					if !seenLen[len(stem)] {
						seenLen[len(stem)] = true
						m.prefixLens = append(m.prefixLens, len(stem))
					}
				} else {
					m.exact[first] = append(m.exact[first], i)
				}
			}
		}
	}
	slices.Sort(m.prefixLens)
	return m
}

// hit is a phrase found in a text: the words it matched, ws[start:end].
type hit struct {
	phrase     int
	start, end int
	text       string
}

// words splits lower-cased text into words of letters and digits.
func words(text string) []string {
	lower := strings.ToLower(text)
	out := make([]string, 0, len(lower)/5)
	start := -1
	for i := 0; i < len(lower); {
		r, size := rune(lower[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(lower[i:])
		}
		inWord := ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || (r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)))
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, lower[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = append(out, lower[start:])
	}
	return out
}

func wordMatches(pattern, word string) bool {
	if stem, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(word, stem)
	}
	return pattern == word
}

// find returns the phrases found in ws, each once (at its first occurrence), in text order.
// Within a rule set the longest match wins: "identity theft" hides the "theft" inside it.
func (m *matcher) find(ws []string) []hit {
	var all []hit
	try := func(i int, cands []int) {
		for _, pi := range cands {
			p := &m.phrases[pi]
			if i+len(p.words) > len(ws) {
				continue
			}
			ok := true
			for k := 1; k < len(p.words); k++ {
				if !wordMatches(p.words[k], ws[i+k]) {
					ok = false
					break
				}
			}
			if ok {
				all = append(all, hit{phrase: pi, start: i, end: i + len(p.words)})
			}
		}
	}
	for i, w := range ws {
		try(i, m.exact[w])
		for _, n := range m.prefixLens {
			if n > len(w) {
				break
			}
			try(i, m.prefix[w[:n]])
		}
	}
	// Longest first; a hit all of whose words are covered by strictly longer hits of the same
	// set is dropped. Hits of equal length are all kept ("misuse" may score for two types).
	order := make([]int, len(all))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return (all[b].end - all[b].start) - (all[a].end - all[a].start)
	})
	covered := make([]uint8, len(ws)) // bit s: word covered by a longer hit of set s
	keep := make([]bool, len(all))
	for g := 0; g < len(order); {
		n := all[order[g]].end - all[order[g]].start
		e := g
		for e < len(order) && all[order[e]].end-all[order[e]].start == n {
			e++
		}
		for _, k := range order[g:e] {
			bit := uint8(1) << m.phrases[all[k].phrase].target.set
			for w := all[k].start; w < all[k].end; w++ {
				if covered[w]&bit == 0 {
					keep[k] = true
					break
				}
			}
		}
		for _, k := range order[g:e] {
			if keep[k] {
				bit := uint8(1) << m.phrases[all[k].phrase].target.set
				for w := all[k].start; w < all[k].end; w++ {
					covered[w] |= bit
				}
			}
		}
		g = e
	}
	var hits []hit
	seen := make([]bool, len(m.phrases))
	for k, h := range all {
		if !keep[k] || seen[h.phrase] {
			continue
		}
		seen[h.phrase] = true
		h.text = strings.Join(ws[h.start:h.end], " ")
		hits = append(hits, h)
	}
	return hits
}

package taxonomy

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Scheme is a severity category scheme: categories ranked by severity, guided questions, and
// a decision table from the answers to a category. Schemes are data, not code (the UK NCSC
// categorisation ships in data/schemes/ncsc-uk.json); an organisation loads its own, such as
// the Jersey Cyber Incident Classification Guide, with LoadScheme. A Scheme returned by
// LoadScheme or Builtin is valid and must not be modified.
type Scheme struct {
	ID      string `json:"scheme"` // stored with each incident's category, e.g. "ncsc-uk"
	Name    string `json:"name"`
	Version string `json:"version"`
	Source  string `json:"source"` // where the categories come from, to cite
	Note    string `json:"note"`
	// Example marks a scheme written to show the format, not taken from an official
	// guide; the UI says so wherever it is used.
	Example    bool       `json:"example"`
	Categories []Category `json:"categories"`
	Questions  []Question `json:"questions"`
	Rules      []Rule     `json:"rules"`
	// NotifyAtOrAbove is the rank at or above which (that is, as severe or more) the scheme's
	// CSIRT should be told, e.g. 4 for JCSC's "Category 4 or higher" (seed 000). Zero: the
	// scheme recommends no notification.
	NotifyAtOrAbove int      `json:"notify_csirt_at_or_above"`
	CSIRT           *Contact `json:"csirt"`
}

// Category is a severity category. Rank 1 is the most severe; ranks order categories within
// a scheme. Vigil stores the scheme ID, the category ID and the rank with an incident.
type Category struct {
	ID          string `json:"id"`
	Rank        int    `json:"rank"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Question is a guided question whose answer is one of its options.
type Question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Help    string   `json:"help"`
	Options []Option `json:"options"`
}

// Option is one answer to a question.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Help  string `json:"help"`
}

// Rule is a row of the decision table. It matches when, for every question it names, the
// answer is one of the listed options; a question it does not name matches any answer.
// Rules are tried in order and the first match gives the category.
type Rule struct {
	When     map[string][]string `json:"when"`
	Category string              `json:"category"`
	Because  string              `json:"because"`
}

// Contact is how to reach the CSIRT a scheme recommends notifying.
type Contact struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	URL     string `json:"url"`
	Address string `json:"address"`
	Hours   string `json:"hours"`
	Note    string `json:"note"`
}

// Answers maps a question ID to the chosen option ID.
type Answers map[string]string

// ErrUnanswered is returned by Categorise when a question has no answer.
var ErrUnanswered = errors.New("question not answered")

// ErrUnknownOption is returned by Categorise when an answer is not one of the question's
// options, or names a question the scheme does not ask.
var ErrUnknownOption = errors.New("not an option of the scheme")

// Categorise applies the decision table to the answers and returns the category and a
// plain-English explanation naming the answers and the reason the scheme gives. Every
// question must be answered; LoadScheme has checked that every combination of answers is
// covered, so a complete set of valid answers always gives a category.
func (s *Scheme) Categorise(a Answers) (Category, string, error) {
	for q := range a {
		if s.question(q) == nil {
			return Category{}, "", fmt.Errorf("%s: question %q: %w", s.ID, q, ErrUnknownOption)
		}
	}
	labels := make([]string, 0, len(s.Questions))
	for _, q := range s.Questions {
		v, ok := a[q.ID]
		if !ok || v == "" {
			return Category{}, "", fmt.Errorf("%s: question %q (%s): %w", s.ID, q.ID, q.Text, ErrUnanswered)
		}
		o := q.option(v)
		if o == nil {
			return Category{}, "", fmt.Errorf("%s: question %q: answer %q: %w", s.ID, q.ID, v, ErrUnknownOption)
		}
		labels = append(labels, q.ID+": "+o.Label)
	}
	for _, r := range s.Rules {
		if !r.matches(a) {
			continue
		}
		c, _ := s.Category(r.Category)
		why := fmt.Sprintf("%s: Category %s (%s), because of %s (%s).", s.Name, c.ID, c.Name, r.Because, strings.Join(labels, "; "))
		return c, why, nil
	}
	// Unreachable for a scheme that passed LoadScheme's coverage check.
	return Category{}, "", fmt.Errorf("%s: no rule covers %s", s.ID, strings.Join(labels, "; "))
}

// NotifyCSIRT reports whether the scheme recommends telling its CSIRT (s.CSIRT) about an
// incident in category c: c is at least as severe as NotifyAtOrAbove.
func (s *Scheme) NotifyCSIRT(c Category) bool {
	return s.NotifyAtOrAbove > 0 && c.Rank >= 1 && c.Rank <= s.NotifyAtOrAbove
}

// Category returns the scheme's category with the given ID.
func (s *Scheme) Category(id string) (Category, bool) {
	i := slices.IndexFunc(s.Categories, func(c Category) bool { return c.ID == id })
	if i < 0 {
		return Category{}, false
	}
	return s.Categories[i], true
}

func (s *Scheme) question(id string) *Question {
	for i := range s.Questions {
		if s.Questions[i].ID == id {
			return &s.Questions[i]
		}
	}
	return nil
}

func (q *Question) option(id string) *Option {
	for i := range q.Options {
		if q.Options[i].ID == id {
			return &q.Options[i]
		}
	}
	return nil
}

func (r Rule) matches(a Answers) bool {
	for q, opts := range r.When {
		if !slices.Contains(opts, a[q]) {
			return false
		}
	}
	return true
}

// Schemes is the set of severity schemes an organisation can use, by ID. It is safe for
// concurrent use. Load replaces a scheme only with a valid one: an invalid file never
// replaces a valid scheme.
type Schemes struct {
	mu   sync.RWMutex
	byID map[string]*Scheme
}

// builtinFiles are the schemes shipped with Vigil.
var builtinFiles = []string{"data/schemes/ncsc-uk.json", "data/schemes/je-example.json"}

// Builtin returns a set holding the schemes shipped with Vigil: "ncsc-uk" and "je-example".
func Builtin() *Schemes {
	s := &Schemes{byID: map[string]*Scheme{}}
	for _, path := range builtinFiles {
		f, err := dataFS.Open(path)
		if err != nil {
			panic(fmt.Sprintf("taxonomy: %v", err))
		}
		sc, err := LoadScheme(f, path)
		f.Close()
		if err != nil {
			panic(fmt.Sprintf("taxonomy: built-in scheme: %v", err)) // tested; a build defect
		}
		s.byID[sc.ID] = sc
	}
	return s
}

// Load reads and validates a scheme file (name is used in error messages) and, only if it is
// valid, adds it to the set, replacing any scheme with the same ID.
func (s *Schemes) Load(r io.Reader, name string) (*Scheme, error) {
	sc, err := LoadScheme(r, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID == nil {
		s.byID = map[string]*Scheme{}
	}
	s.byID[sc.ID] = sc
	return sc, nil
}

// Get returns the scheme with the given ID.
func (s *Schemes) Get(id string) (*Scheme, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc, ok := s.byID[id]
	return sc, ok
}

// List returns the schemes sorted by ID.
func (s *Schemes) List() []*Scheme {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Scheme, 0, len(s.byID))
	for _, sc := range s.byID {
		out = append(out, sc)
	}
	slices.SortFunc(out, func(a, b *Scheme) int { return strings.Compare(a.ID, b.ID) })
	return out
}

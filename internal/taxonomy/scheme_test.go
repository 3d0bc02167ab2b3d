package taxonomy

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestNCSCCategorise(t *testing.T) {
	s, ok := Builtin().Get("ncsc-uk")
	if !ok {
		t.Fatal("ncsc-uk not built in")
	}
	// One case per clause of the NCSC category definitions (the "because" of each rule).
	tests := []struct {
		who, how, want string
	}{
		{"essential-services", "sustained-disruption", "1"},
		{"nation", "sustained-disruption", "1"},
		{"central-government", "serious-impact", "2"},
		{"essential-services", "serious-impact", "2"},
		{"nation", "serious-impact", "2"},
		{"large-organisation", "serious-impact", "3"},
		{"local-government", "serious-impact", "3"},
		{"central-government", "considerable-risk", "3"},
		{"essential-services", "considerable-risk", "3"},
		{"medium-organisation", "serious-impact", "4"},
		{"large-organisation", "considerable-risk", "4"},
		{"local-government", "considerable-risk", "4"},
		{"small-organisation", "serious-impact", "5"},
		{"medium-organisation", "considerable-risk", "5"},
		{"large-organisation", "preliminary", "5"},
		{"central-government", "preliminary", "5"},
		{"individual", "sustained-disruption", "6"},
		{"individual", "preliminary", "6"},
		{"small-organisation", "preliminary", "6"},
		{"medium-organisation", "preliminary", "6"},
	}
	for _, tt := range tests {
		c, why, err := s.Categorise(Answers{"who": tt.who, "how": tt.how})
		if err != nil {
			t.Errorf("%s/%s: %v", tt.who, tt.how, err)
			continue
		}
		if c.ID != tt.want || strconv.Itoa(c.Rank) != tt.want {
			t.Errorf("%s/%s = category %s (rank %d), want %s", tt.who, tt.how, c.ID, c.Rank, tt.want)
		}
		if !strings.Contains(why, "Category "+c.ID) || !strings.Contains(why, c.Name) {
			t.Errorf("%s/%s: explanation %q does not name the category", tt.who, tt.how, why)
		}
		if s.NotifyCSIRT(c) {
			t.Errorf("ncsc-uk recommends notifying for %s; it sets no threshold", c.ID)
		}
	}
}

func TestCategoriseErrors(t *testing.T) {
	s, _ := Builtin().Get("ncsc-uk")
	tests := []struct {
		a    Answers
		want error
	}{
		{Answers{"who": "individual"}, ErrUnanswered},
		{Answers{"who": "individual", "how": ""}, ErrUnanswered},
		{Answers{"who": "everyone", "how": "preliminary"}, ErrUnknownOption},
		{Answers{"who": "individual", "how": "preliminary", "why": "x"}, ErrUnknownOption},
	}
	for _, tt := range tests {
		if _, _, err := s.Categorise(tt.a); !errors.Is(err, tt.want) {
			t.Errorf("Categorise(%v) error = %v, want %v", tt.a, err, tt.want)
		}
	}
}

func TestJerseyNotifiesJCSCAtCategory4OrHigher(t *testing.T) {
	s, ok := Builtin().Get("je-example")
	if !ok {
		t.Fatal("je-example not built in")
	}
	if !s.Example || !strings.Contains(s.Note, "EXAMPLE") {
		t.Error("the Jersey scheme must be labelled as an example")
	}
	// Seed 000: "Category 4 or higher" should be reported to JCSC; 1 is the most severe.
	for _, c := range s.Categories {
		if got, want := s.NotifyCSIRT(c), c.Rank <= 4; got != want {
			t.Errorf("NotifyCSIRT(category %s) = %v, want %v", c.ID, got, want)
		}
	}
	if s.CSIRT == nil || s.CSIRT.Phone != "01534 500050" || !strings.Contains(s.CSIRT.Address, "1 Seaton Place") ||
		!strings.Contains(s.CSIRT.Hours, "Monday to Friday") {
		t.Errorf("JCSC contact = %+v", s.CSIRT)
	}
	c, _, err := s.Categorise(Answers{"who": "medium-organisation", "how": "serious-impact"})
	if err != nil || c.ID != "4" || !s.NotifyCSIRT(c) {
		t.Errorf("medium organisation, serious impact = %+v, %v; want category 4, notify JCSC", c, err)
	}
}

const validScheme = `{
  "scheme": "acme",
  "name": "ACME severity",
  "categories": [
    {"id": "high", "rank": 1, "name": "High"},
    {"id": "low", "rank": 2, "name": "Low"}
  ],
  "questions": [
    {"id": "scope", "text": "How wide?", "options": [
      {"id": "one", "label": "One team"},
      {"id": "all", "label": "Everyone"}
    ]}
  ],
  "rules": [
    {"when": {"scope": ["all"]}, "category": "high", "because": "everyone is affected"},
    {"category": "low", "because": "otherwise"}
  ],
  "notify_csirt_at_or_above": 1,
  "csirt": {"name": "ACME CSIRT", "email": "csirt@example.org"}
}`

func TestLoadSchemeErrors(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		line      int
		fieldWant string // substring of the message, naming the field
	}{
		{"syntax", "{\n  \"scheme\": \"x\",\n  \"name\": \n}", 4, "invalid JSON"},
		{"empty", "", 1, "unexpected end of file"},
		{"not an object", "\n[1, 2]", 2, "a scheme is a JSON object"},
		{"trailing", validScheme + "\n{}", 21, "after the scheme object"},
		{"unknown field", strings.Replace(validScheme, `"name": "ACME severity"`, `"title": "ACME severity"`, 1), 3, "title: unknown field"},
		{"unknown nested field", strings.Replace(validScheme, `"rank": 2,`, `"rank": 2, "colour": "red",`, 1), 6, "categories[1].colour: unknown field"},
		{"duplicate field", strings.Replace(validScheme, `"name": "ACME severity"`, `"name": "A", "name": "B"`, 1), 3, "name: duplicate field"},
		{"wrong type", strings.Replace(validScheme, `"rank": 2`, `"rank": "2"`, 1), 6, "categories[1].rank: want int"},
		{"missing name", strings.Replace(validScheme, `"name": "ACME severity",`, ``, 1), 1, "name: required"},
		{"bad rank", strings.Replace(validScheme, `"rank": 2`, `"rank": 0`, 1), 6, "categories[1].rank: want a whole number"},
		{"duplicate rank", strings.Replace(validScheme, `"rank": 2`, `"rank": 1`, 1), 6, "categories[1].rank: 1 is used"},
		{"bad id", strings.Replace(validScheme, `"id": "low"`, `"id": "Low Risk"`, 1), 6, "categories[1].id"},
		{"one option", strings.Replace(validScheme, `,
      {"id": "all", "label": "Everyone"}`, ``, 1), 9, "questions[0].options: at least two"},
		{"rule unknown category", strings.Replace(validScheme, `"category": "low"`, `"category": "medium"`, 1), 16, `rules[1].category: "medium" is not a category`},
		{"rule unknown question", strings.Replace(validScheme, `{"scope": ["all"]}`, `{"size": ["all"]}`, 1), 15, `rules[0].when.size: "size" is not a question`},
		{"rule unknown option", strings.Replace(validScheme, `["all"]`, `["most"]`, 1), 15, `rules[0].when.scope: "most" is not an option`},
		{"gap in table", strings.Replace(validScheme, `,
    {"category": "low", "because": "otherwise"}`, ``, 1), 14, "rules: no rule covers 1 combination(s) of answers, e.g. scope=one"},
		{"threshold not a rank", strings.Replace(validScheme, `"notify_csirt_at_or_above": 1`, `"notify_csirt_at_or_above": 3`, 1), 18, "notify_csirt_at_or_above: 3 is not the rank"},
		{"threshold without CSIRT", strings.Replace(validScheme, `,
  "csirt": {"name": "ACME CSIRT", "email": "csirt@example.org"}`, ``, 1), 1, "csirt: required when"},
		{"CSIRT without contact", strings.Replace(validScheme, `, "email": "csirt@example.org"`, ``, 1), 19, "csirt: give at least one"},
		{"not UTF-8", "{\"name\": \"\xff\"}", 0, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := LoadScheme(strings.NewReader(tt.doc), "acme.json")
			if err == nil {
				t.Fatalf("loaded %+v, want an error", s)
			}
			var se *SchemeError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SchemeError", err)
			}
			if se.File != "acme.json" || se.Line != tt.line || !strings.Contains(err.Error(), tt.fieldWant) {
				t.Errorf("error = %q (line %d), want line %d and %q", err, se.Line, tt.line, tt.fieldWant)
			}
		})
	}
}

func TestSchemesLoadKeepsValidScheme(t *testing.T) {
	set := Builtin()
	s, err := set.Load(strings.NewReader(validScheme), "acme.json")
	if err != nil {
		t.Fatal(err)
	}
	c, why, err := s.Categorise(Answers{"scope": "all"})
	if err != nil || c.ID != "high" || !s.NotifyCSIRT(c) || !strings.Contains(why, "everyone is affected") {
		t.Errorf("Categorise = %+v, %q, %v", c, why, err)
	}
	broken := strings.Replace(validScheme, `"rank": 2`, `"rank": 1`, 1)
	if _, err := set.Load(strings.NewReader(broken), "acme-v2.json"); err == nil {
		t.Fatal("an invalid scheme loaded")
	}
	if got, ok := set.Get("acme"); !ok || got != s {
		t.Error("an invalid scheme file replaced the valid one")
	}
	var ids []string
	for _, s := range set.List() {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ",") != "acme,je-example,ncsc-uk" {
		t.Errorf("List = %v", ids)
	}
}

package playbook

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBuiltin checks every shipped playbook parses, and that the eight incident types the
// issue names each have one that a real classification reaches.
func TestBuiltin(t *testing.T) {
	books := Builtin()
	cases := []struct {
		id                  string
		rsitClass, rsitType string
		ico                 string
	}{
		{"ransomware", "", "", "ransomware"},
		{"lost-stolen-device", "", "", "loss-or-theft-of-device"},
		{"misdirected-email-post", "", "", "data-emailed-to-incorrect-recipient"},
		{"misdirected-email-post", "", "", "data-posted-or-faxed-to-incorrect-recipient"},
		{"phishing", "fraud", "phishing", ""},
		{"account-compromise", "intrusions", "privileged-account-compromise", ""},
		{"insider-misuse", "fraud", "unauthorised-use-of-resources", ""},
		{"website-defacement", "intrusions", "application-compromise", ""},
		{"denial-of-service", "availability", "ddos", ""},
	}
	for _, c := range cases {
		got := Matching(books, c.rsitClass, c.rsitType, c.ico)
		found := false
		for _, p := range got {
			found = found || p.ID == c.id
			if p.Version != 0 || len(p.Tasks) == 0 {
				t.Errorf("%s: version %d, %d tasks", p.ID, p.Version, len(p.Tasks))
			}
		}
		if !found {
			t.Errorf("classification %s:%s / %s does not reach playbook %s", c.rsitClass, c.rsitType, c.ico, c.id)
		}
	}
	if len(Matching(books, "other", "undetermined", "")) != 0 {
		t.Error("an undetermined incident gets a playbook")
	}
	if len(books) != 8 {
		t.Errorf("%d built-in playbooks, want 8", len(books))
	}
}

func TestParseRefuses(t *testing.T) {
	good := func() map[string]any {
		return map[string]any{"id": "own-book", "title": "Own", "match": map[string]any{"rsit": []string{"fraud:phishing"}, "ico": []string{}},
			"tasks": []map[string]any{{"phase": "contain", "title": "Do it"}}}
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"a good document", func(map[string]any) {}, ""},
		{"upper-case id", func(m map[string]any) { m["id"] = "Own" }, "id"},
		{"no title", func(m map[string]any) { m["title"] = " " }, "title"},
		{"unknown RSIT type", func(m map[string]any) { m["match"] = map[string]any{"rsit": []string{"fraud:cheese"}} }, "match.rsit[0]"},
		{"RSIT with a slash", func(m map[string]any) { m["match"] = map[string]any{"rsit": []string{"fraud/phishing"}} }, "match.rsit[0]"},
		{"unknown ICO type", func(m map[string]any) { m["match"] = map[string]any{"ico": []string{"stolen-bike"}} }, "match.ico[0]"},
		{"no tasks", func(m map[string]any) { m["tasks"] = []any{} }, "tasks"},
		{"bad phase", func(m map[string]any) { m["tasks"] = []map[string]any{{"phase": "panic", "title": "x"}} }, "tasks[0].phase"},
		{"task without a title", func(m map[string]any) { m["tasks"] = []map[string]any{{"phase": "review"}} }, "tasks[0].title"},
		{"misspelt field", func(m map[string]any) { m["taks"] = 1 }, "playbook"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			c.edit(m)
			raw, _ := json.Marshal(m)
			p, err := Parse(raw)
			if c.field == "" {
				if err != nil || p.ID != "own-book" {
					t.Fatalf("refused a good document: %v", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Field != c.field {
				t.Fatalf("error %v, want one on %s", err, c.field)
			}
		})
	}
}

func TestCurrentOverlaysOwnVersions(t *testing.T) {
	own := &Playbook{ID: "phishing", Title: "Our phishing plan", Version: 3, Tasks: []Task{{Phase: "contain", Title: "Call IT"}}}
	extra := &Playbook{ID: "zz-own", Title: "Ours", Version: 1, Tasks: []Task{{Phase: "review", Title: "Review"}}}
	cur := Current([]*Playbook{own, extra})
	if len(cur) != 9 {
		t.Fatalf("%d playbooks, want 8 built-in (one replaced) plus one own", len(cur))
	}
	for _, p := range cur {
		if p.ID == "phishing" && (p.Version != 3 || !strings.HasPrefix(p.Title, "Our")) {
			t.Errorf("own phishing version not in force: %+v", p)
		}
	}
	if cur[len(cur)-1].ID != "zz-own" {
		t.Errorf("not ordered by id: last is %s", cur[len(cur)-1].ID)
	}
}

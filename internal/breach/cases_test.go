package breach

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// breachCase is one worked case from ../shared/testdata/breach-cases.
type breachCase struct {
	Title    string          `json:"title"`
	Source   string          `json:"source"`
	Facts    json.RawMessage `json:"facts"`
	Expected struct {
		NotifyAuthority    bool `json:"notify_authority"`
		NotifySubjects     bool `json:"notify_subjects"`
		DocumentInternally bool `json:"document_internally"`
	} `json:"expected"`
}

// sharedCasesDir finds ../shared/testdata/breach-cases beside the repository root (the
// directory holding go.mod), where CI and developers keep the shared reference material.
func sharedCasesDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the package directory")
		}
		dir = parent
	}
	cases := filepath.Join(filepath.Dir(dir), "shared", "testdata", "breach-cases")
	if _, err := os.Stat(cases); err != nil {
		t.Skipf("shared breach cases not found: %v", err)
	}
	return cases
}

func loadCases(t testing.TB) map[string]breachCase {
	t.Helper()
	dir := sharedCasesDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no breach cases in %s", dir)
	}
	cases := make(map[string]breachCase, len(files))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var c breachCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cases[filepath.Base(file)] = c
	}
	return cases
}

func TestBreachCases(t *testing.T) {
	for name, c := range loadCases(t) {
		t.Run(name, func(t *testing.T) {
			facts, err := DecodeFacts(c.Facts)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			d := Assess(facts)
			if d.NotifyAuthority != c.Expected.NotifyAuthority || d.NotifySubjects != c.Expected.NotifySubjects ||
				d.DocumentInternally != c.Expected.DocumentInternally {
				t.Errorf("%s\ngot notify_authority=%v notify_subjects=%v document_internally=%v, want %v %v %v\n%s",
					c.Title, d.NotifyAuthority, d.NotifySubjects, d.DocumentInternally,
					c.Expected.NotifyAuthority, c.Expected.NotifySubjects, c.Expected.DocumentInternally, d.Text())
			}
		})
	}
}

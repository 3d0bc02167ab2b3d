package cli

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/breach"
)

// runAssess runs `vigil assess ARGS...` with stdin and returns stdout and the error.
func runAssess(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return runCmd(newAssessCmd(), stdin, args...)
}

// assessCases returns the worked breach cases in ../shared/testdata/breach-cases beside the
// repository root, skipping the test when that directory is absent.
func assessCases(t *testing.T) []string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the package directory")
		}
		dir = filepath.Dir(dir)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "shared", "testdata", "breach-cases", "*.json"))
	if len(files) == 0 {
		t.Skip("shared breach cases not found")
	}
	return files
}

// Drives the command the way ../shared/tools/contract-check does: the facts of each case in a
// file, JSON out, notify_authority and notify_subjects as expected.
func TestAssessCommandBreachCases(t *testing.T) {
	for _, file := range assessCases(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Facts    json.RawMessage `json:"facts"`
				Expected struct {
					NotifyAuthority bool `json:"notify_authority"`
					NotifySubjects  bool `json:"notify_subjects"`
				} `json:"expected"`
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			facts := filepath.Join(t.TempDir(), "facts.json")
			if err := os.WriteFile(facts, c.Facts, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := runAssess(t, "", facts, "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			var got breach.Decision
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("stdout is not a decision: %v\n%s", err, out)
			}
			if got.NotifyAuthority != c.Expected.NotifyAuthority || got.NotifySubjects != c.Expected.NotifySubjects {
				t.Errorf("notify_authority=%v notify_subjects=%v, want %v %v", got.NotifyAuthority, got.NotifySubjects,
					c.Expected.NotifyAuthority, c.Expected.NotifySubjects)
			}
		})
	}
}

const assessFacts = `{"jurisdictions": ["UK"], "role": "controller", "personal_data": "yes",
  "aware_at": "2026-11-20T16:55:00Z",
  "subjects": {"count": 30, "kinds": ["customers"], "vulnerable": false},
  "data": {"categories": ["basic_identifiers", "contact", "health"], "volume_per_subject": "single"},
  "confidentiality": {"lost": true, "exposure": "known_recipients", "recipients": 1, "exfiltration": "confirmed"},
  "protection": {"encryption": "none"}, "cause": {"malicious": false}}`

func TestAssessCommandStdin(t *testing.T) {
	out, err := runAssess(t, assessFacts, "-")
	if err != nil {
		t.Fatal(err)
	}
	var got breach.Decision
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not a decision: %v\n%s", err, out)
	}
	if got.Risk != breach.RiskRisk || len(got.Obligations) != 1 || got.Obligations[0].Deadline != "2026-11-23T16:55:00Z" {
		t.Errorf("got %+v", got)
	}
}

func TestAssessCommandText(t *testing.T) {
	out, err := runAssess(t, assessFacts, "-", "--format", "text")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Notify a supervisory authority: yes", "UK, ICO: notify by 2026-11-23T16:55:00Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestAssessCommandRefuses(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"unknown enum value", `{"jurisdictions":["UK"],"confidentiality":{"exposure":"foo"}}`, []string{"-"},
			`standard input: confidentiality.exposure: unknown value "foo"`},
		{"no jurisdictions", `{}`, []string{"-"}, "standard input: jurisdictions: required"},
		{"not JSON", `jurisdictions: UK`, []string{"-"}, "standard input: invalid JSON"},
		{"bad format", assessFacts, []string{"-", "--format", "yaml"}, `--format: want json or text, got "yaml"`},
		{"no file", "", nil, "name one facts file"},
		{"two files", "", []string{"a.json", "b.json"}, "name one facts file"},
		{"missing file", "", []string{missing}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runAssess(t, tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing on refusal", out)
			}
		})
	}
	_, err := runAssess(t, "", missing)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want it to wrap fs.ErrNotExist", err)
	}
}

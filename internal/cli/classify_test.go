package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runClassify runs `vigil classify ARGS...` with stdin and returns stdout and the error.
func runClassify(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return runCmd(newClassifyCmd(), stdin, args...)
}

// classifyOutput is the output contract: the fields outside clients read.
type classifyOutput struct {
	RSIT struct {
		Class string `json:"class"`
		Type  string `json:"type"`
	} `json:"rsit"`
	ICOType            *string `json:"ico_type"`
	PersonalDataLikely *bool   `json:"personal_data_likely"`
	PII                []struct {
		Kind       string `json:"kind"`
		Field      string `json:"field"`
		Start, End *int
	} `json:"pii"`
	Because map[string][]string `json:"because"`
}

func decodeClassify(t *testing.T, out string) classifyOutput {
	t.Helper()
	var o classifyOutput
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if o.ICOType == nil || o.PersonalDataLikely == nil || o.PII == nil || o.Because == nil {
		t.Fatalf("output lacks a contract field:\n%s", out)
	}
	return o
}

func TestClassifyText(t *testing.T) {
	text := "Spreadsheet of client names and addresses emailed to the wrong recipient; call Jane on 07700 900123."
	out, err := runClassify(t, "", "--text", text)
	if err != nil {
		t.Fatal(err)
	}
	o := decodeClassify(t, out)
	if o.RSIT.Class != "information-content-security" || o.RSIT.Type != "data-leak" ||
		*o.ICOType != "data-emailed-to-incorrect-recipient" || !*o.PersonalDataLikely {
		t.Errorf("suggestion:\n%s", out)
	}
	if len(o.PII) != 1 || o.PII[0].Kind != "uk_phone" || text[*o.PII[0].Start:*o.PII[0].End] != "07700 900123" {
		t.Errorf("pii = %+v", o.PII)
	}
	if strings.Contains(out, "07700") {
		t.Error("the phone number is echoed in the output")
	}
	if len(o.Because["rsit"]) == 0 || len(o.Because["ico_type"]) == 0 || len(o.Because["personal_data"]) == 0 {
		t.Errorf("because = %v", o.Because)
	}
}

func TestClassifyFile(t *testing.T) {
	dir := t.TempDir()
	textFile := filepath.Join(dir, "report.txt")
	if err := os.WriteFile(textFile, []byte("Our website was defaced overnight.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runClassify(t, "", "--file", textFile)
	if err != nil {
		t.Fatal(err)
	}
	if o := decodeClassify(t, out); o.RSIT.Class != "information-content-security" || o.RSIT.Type != "unauthorised-information-modification" {
		t.Errorf("text file: %s", out)
	}

	report := `{"title":"Laptop stolen","nature":"Work laptop stolen from a car","systems":"LT-1","people":"clients: bob@example.com","personal_data":"yes"}`
	out, err = runClassify(t, report, "--file", "-")
	if err != nil {
		t.Fatal(err)
	}
	o := decodeClassify(t, out)
	if o.RSIT.Class != "information-content-security" || o.RSIT.Type != "data-loss" || *o.ICOType != "loss-or-theft-of-device" {
		t.Errorf("JSON report: %s", out)
	}
	if len(o.PII) != 1 || o.PII[0].Field != "people" || o.PII[0].Kind != "email" {
		t.Errorf("JSON report pii = %+v", o.PII)
	}
}

func TestClassifyErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"neither", "", nil, "exactly one of --text"},
		{"both", "", []string{"--text", "x", "--file", "-"}, "exactly one of --text"},
		{"empty text", "", []string{"--text", "  "}, "nothing to classify"},
		{"format", "", []string{"--text", "x", "--format", "xml"}, "--format: want json"},
		{"missing file", "", []string{"--file", filepath.Join(dir, "nope.txt")}, "no such file"},
		{"empty file", " \n", []string{"--file", "-"}, "standard input: nothing to classify"},
		{"bad JSON", `{"title": }`, []string{"--file", "-"}, "standard input: invalid JSON report"},
		{"wrong type", `{"title": 42}`, []string{"--file", "-"}, "standard input: JSON report: title: want a string"},
		{"no fields", `{"severity": "high"}`, []string{"--file", "-"}, "none of the fields title, nature, systems, people"},
		{"argument", "", []string{"--text", "x", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runClassify(t, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			if out != "" {
				t.Errorf("wrote %q to stdout on error", out)
			}
		})
	}
}

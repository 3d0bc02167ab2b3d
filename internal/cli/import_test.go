package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportExportCommands runs the import and export commands end to end on SQLite: flags,
// messages and files.
func TestImportExportCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	testdata := "../csvimport/testdata/"
	veris := filepath.Join(dir, "r.json")
	if err := os.WriteFile(veris, []byte(`[{"incident_id":"v1","security_incident":"Confirmed","summary":"=cmd|' /C calc'!A0 laptop lost.","action":{"error":{"variety":["Loss"]}},"timeline":{"incident":{"year":2019}}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(newImportVerisCmd(), "", veris, "--data", data)
	if err != nil || !strings.Contains(out, "created 1, updated 0, unchanged 0, rejected 0") {
		t.Fatalf("import veris: %q %v", out, err)
	}
	out, err = runCmd(newImportCSVCmd(), "", testdata+"breach-log.csv", "--map", testdata+"breach-log.yaml", "--data", data)
	if err != nil || !strings.Contains(out, "created 3") {
		t.Fatalf("import csv: %q %v", out, err)
	}
	out, err = runCmd(newImportCSVCmd(), "", testdata+"breach-log-bad.csv", "--map", testdata+"breach-log.yaml", "--data", data)
	if err == nil || !strings.Contains(err.Error(), "3 of 4 records rejected, so nothing was imported") || !strings.Contains(out, "rejected 3") {
		t.Errorf("bad sheet: %q %v", out, err)
	}

	csvOut := filepath.Join(dir, "incidents.csv")
	if _, err := runCmd(newExportIncidentsCmd(), "", "--format", "csv", "-o", csvOut, "--data", data); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 5 {
		t.Fatalf("%d rows (%v)", len(rows), err)
	}
	titles := map[string]bool{}
	for _, r := range rows[1:] {
		titles[r[1]] = true
	}
	for _, want := range []string{"'=cmd|' /C calc'!A0 laptop lost.", `'=HYPERLINK("http://evil.example") laptop stolen`} {
		if !titles[want] {
			t.Errorf("no neutralised title %q in %v", want, titles)
		}
	}

	out, err = runCmd(newExportVerisCmd(), "", "--jsonl", "--data", data, "--tlp", "amber")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d JSON lines", len(lines))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("not JSON: %s", l)
		}
	}
	if out, err = runCmd(newExportVerisCmd(), "", "--data", data, "--tlp", "clear"); err != nil || strings.TrimSpace(out) != "[]" {
		t.Errorf("nothing is clear, so the array is empty: %q %v", out, err)
	}

	for _, tc := range []struct {
		name string
		run  func() (string, error)
		want string
	}{
		{"csv without --map", func() (string, error) {
			return runCmd(newImportCSVCmd(), "", testdata+"breach-log.csv", "--data", data)
		}, "--map is required"},
		{"missing file", func() (string, error) {
			return runCmd(newImportVerisCmd(), "", filepath.Join(dir, "nope.json"), "--data", data)
		}, "no such file"},
		{"unsupported format", func() (string, error) { return runCmd(newExportIncidentsCmd(), "", "--format", "xlsx", "--data", data) }, `--format "xlsx" is not supported`},
		{"bad date", func() (string, error) { return runCmd(newExportVerisCmd(), "", "--from", "1/2/2024", "--data", data) }, "write it as YYYY-MM-DD"},
		{"bad TLP", func() (string, error) { return runCmd(newExportVerisCmd(), "", "--tlp", "purple", "--data", data) }, "TLP 2.0 level"},
		{"mapping with an unknown field", func() (string, error) {
			m := filepath.Join(dir, "m.yaml")
			os.WriteFile(m, []byte("source: x\ncolumns:\n  title: A\n  colour: B\n"), 0o600)
			return runCmd(newImportCSVCmd(), "", testdata+"breach-log.csv", "--map", m, "--data", data)
		}, `"colour" is not a Vigil field`},
	} {
		if _, err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

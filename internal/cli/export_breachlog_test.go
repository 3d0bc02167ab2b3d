package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/document/documenttest"
)

// The contract check: on a fresh, empty database every format exits 0 with a valid file.
func TestExportBreachLogEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"csv", "xlsx", "pdf"} {
		out := filepath.Join(dir, "log."+format)
		if _, err := runCmd(newExportBreachLogCmd(), "", "--data", dir, "--format", format, "-o", out); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		data, err := os.ReadFile(out)
		if err != nil || len(data) == 0 {
			t.Fatalf("%s: %d bytes, %v", format, len(data), err)
		}
		switch format {
		case "csv":
			if !strings.HasPrefix(string(data), "Reference,Title,TLP,What happened") {
				t.Errorf("CSV header %q", data)
			}
		case "xlsx":
			if rows := documenttest.XLSXRows(t, data, "Breach log"); len(rows) != 1 || rows[0][0] != "Reference" {
				t.Errorf("XLSX rows %q, want the header only", rows)
			}
		case "pdf":
			if text := documenttest.PDFText(t, data); !strings.Contains(text, "The log has no entries for this period.") {
				t.Errorf("PDF text %q", text)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".log.*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestExportCommandsRefuseBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{name: "format", args: []string{"breach-log", "--format", "docx"}, want: `"docx" is not one of csv, xlsx, pdf, json`},
		{name: "date", args: []string{"breach-log", "--from", "1/7/2026"}, want: `"1/7/2026" is not a date: use YYYY-MM-DD`},
		{name: "period backwards", args: []string{"breach-log", "--from", "2026-09-30", "--to", "2026-07-01"}, want: "must not be before its start"},
		{name: "tlp", args: []string{"breach-log", "--tlp", "purple"}, want: `"purple" is not a TLP level`},
		{name: "quarter", args: []string{"return", "--quarter", "2026-Q3"}, want: "use YYYYQn"},
		{name: "quarter missing", args: []string{"return"}, want: `required flag(s) "quarter" not set`},
		{name: "return format", args: []string{"return", "--quarter", "2026Q3", "--format", "json"}, want: `"json" is not one of csv, xlsx, pdf`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name)
			_, err := runCmd(newExportCmd(), "", append(tc.args, "--data", dir, "-o", out)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed export left %s behind", out)
			}
		})
	}
}

func TestExportReturnToStdout(t *testing.T) {
	out, err := runCmd(newExportReturnCmd(), "", "--data", t.TempDir(), "--quarter", "2026q3", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "Section,Item,Count\r\nTotals,Incidents,0\r\n") {
		t.Errorf("stdout %q", out)
	}
}

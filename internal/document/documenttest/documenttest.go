// Package documenttest reads generated documents back for tests: PDF text through pdftotext
// (poppler-utils) and XLSX cells through excelize, an implementation independent of the
// writer in internal/document.
package documenttest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// PDFText returns the text of a PDF as "pdftotext -layout" extracts it. Without pdftotext the
// test is skipped, unless VIGIL_REQUIRE_PDFTOTEXT=1 (as in CI), when it fails.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatalf("pdftotext (poppler-utils) is required but not on PATH: %v", err)
		}
		t.Skip("pdftotext (poppler-utils) is not installed; install it to check PDF text (CI sets VIGIL_REQUIRE_PDFTOTEXT=1)")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", in, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext could not read the PDF: %v: %s", err, stderr.String())
	}
	return string(out)
}

// XLSX opens a workbook with excelize; the test fails if it cannot be read.
func XLSX(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reopening XLSX: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// XLSXRows returns every row of one sheet as excelize formats it.
func XLSXRows(t testing.TB, data []byte, sheet string) [][]string {
	t.Helper()
	rows, err := XLSX(t, data).GetRows(sheet)
	if err != nil {
		t.Fatalf("reading sheet %q: %v", sheet, err)
	}
	return rows
}

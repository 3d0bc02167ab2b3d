package document_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/document"
	"github.com/vigil-ir/vigil/internal/document/documenttest"
	"github.com/xuri/excelize/v2"
)

func TestXLSXReadBack(t *testing.T) {
	var buf bytes.Buffer
	wb := document.NewWorkbook(&buf)
	s, err := wb.Sheet("Breach log: 2026/Q3", []document.Column{{Header: "Reference", Width: 14}, {Header: "Title"}, {Header: "Hours"}, {Header: "Aware"}, {Header: "Day"}, {Header: "Late"}})
	if err != nil {
		t.Fatal(err)
	}
	aware := time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)
	rows := [][]any{
		{"INC-1", "=HYPERLINK(\"http://evil\")", 72, aware, document.Date(aware), true},
		{"INC-2", "Zoë <&> \"€\"\x01", int64(5), time.Time{}, nil, false},
		{"INC-3", "+1", 1.5, nil, nil, nil},
	}
	for _, r := range rows {
		if err := s.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	second, err := wb.Sheet("Totals", []document.Column{{Header: "Count"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Row(3); err != nil {
		t.Fatal(err)
	}
	if err := s.Row("late"); err == nil {
		t.Error("writing to a finished sheet succeeded")
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}

	f := documenttest.XLSX(t, buf.Bytes())
	if got := f.GetSheetList(); strings.Join(got, "|") != "Breach log- 2026-Q3|Totals" {
		t.Errorf("sheets %q", got)
	}
	sheet := "Breach log- 2026-Q3"
	got := documenttest.XLSXRows(t, buf.Bytes(), sheet)
	want := [][]string{
		{"Reference", "Title", "Hours", "Aware", "Day", "Late"},
		{"INC-1", "=HYPERLINK(\"http://evil\")", "72", "2026-07-01 09:30", "2026-07-01", "TRUE"},
		{"INC-2", "Zoë <&> \"€\"", "5", "", "", "FALSE"},
		{"INC-3", "+1", "1.5"},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i+1, got[i], want[i])
		}
	}
	// A formula-like string is text, not a formula.
	if formula, err := f.GetCellFormula(sheet, "B2"); err != nil || formula != "" {
		t.Errorf("B2 formula %q (%v), want none", formula, err)
	}
	// Numbers and dates are numbers, so spreadsheets sort and sum them.
	for _, cell := range []string{"C2", "D2", "E2"} {
		typ, err := f.GetCellType(sheet, cell)
		if err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s type %v (%v), want a number", cell, typ, err)
		}
	}
	if raw, _ := f.GetCellValue(sheet, "D2", excelize.Options{RawCellValue: true}); raw != "46204.39583333333" {
		t.Errorf("D2 raw value %q, want the date serial 46204.39583333333", raw)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v (%v), want the header row frozen", panes, err)
	}
	style, err := f.GetCellStyle(sheet, "A1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(style)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v (%v), want bold", st, err)
	}
}

func TestXLSXEmptyWorkbookIsValid(t *testing.T) {
	var buf bytes.Buffer
	if err := document.NewWorkbook(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	if got := documenttest.XLSX(t, buf.Bytes()).GetSheetList(); len(got) != 1 {
		t.Errorf("sheets %q, want one", got)
	}
}

func TestXLSXRefusesUnknownCellType(t *testing.T) {
	wb := document.NewWorkbook(&bytes.Buffer{})
	s, err := wb.Sheet("S", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Row(struct{}{}); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("error %v, want an unsupported cell type", err)
	}
	if err := wb.Close(); err == nil {
		t.Error("Close after a failed row succeeded")
	}
}

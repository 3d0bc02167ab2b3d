// Package csvsafe writes CSV (RFC 4180, CRLF line ends) that spreadsheets open safely: a cell
// a spreadsheet would read as a formula is neutralised, so a reporter who types "=HYPERLINK(…)"
// into a title cannot run it on the auditor's machine when the export is opened (CWE-1236).
// Every CSV export in Vigil writes through here.
package csvsafe

import (
	"encoding/csv"
	"fmt"
	"io"
)

// Writer writes neutralised records.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer on w. Call Flush (or check Error) when done.
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &Writer{w: cw}
}

// Write writes one record, neutralising each cell.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	if err := w.w.Write(w.buf); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// Flush writes buffered records and reports any error from this or an earlier write.
func (w *Writer) Flush() error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// Cell neutralises one value: a leading = + - @ tab or carriage return makes spreadsheets
// treat the cell as a formula, so such a cell is prefixed with an apostrophe, which they
// show as text (OWASP "CSV injection"). Everything else is returned unchanged.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Package document renders Vigil's printable and spreadsheet outputs: PDF documents (flowing
// text and streamed tables) and XLSX workbooks (streamed rows). It knows nothing about
// incidents; callers hand it strings, numbers and times.
//
// A PDF:
//
//	p := document.NewPDF(document.Options{
//		Title:     "Breach log",
//		Marking:   "TLP:AMBER",
//		Generated: now,
//	})
//	p.Heading("Summary")
//	p.Paragraph("Every personal-data breach recorded between …")
//	p.KeyValues([]document.KV{{Key: "Reference", Value: "INC-2026-0042"}})
//	p.Bullets([]string{"first", "second"})
//	t := p.Table([]document.Column{{Header: "Reference", Width: 14}, {Header: "Title", Width: 40}})
//	for rows.Next() { t.Row(ref, title) } // rows are laid out as they come; the header repeats on each page
//	t.End()
//	err := p.Write(w)
//
// Every page carries the marking at the top and, in the footer, the marking, "Generated …"
// and "Page n of m". A batch of letters is one document with a Section per letter (own title,
// page numbers restarting at 1): see Section for why. Text is set in Liberation Sans 2.1.5,
// embedded unmodified (SIL OFL 1.1, see fonts/OFL.txt; a modified copy would have to drop the
// reserved name "Liberation", so the files are not subset here — fpdf subsets them inside each
// PDF), so names such
// as "Zoë Ó Súilleabháin" and "€" render and pdftotext extracts them. Characters outside the
// Basic Multilingual Plane (emoji) print as "?".
//
// Library: github.com/go-pdf/fpdf — pure Go, UTF-8 TrueType embedding with subsetting,
// maintained fork of gofpdf. It keeps the whole document in memory until Write, which is fine
// for letters and packs and measured for the 100,000-row breach log in docs/PERFORMANCE.md.
//
// An XLSX workbook:
//
//	wb := document.NewWorkbook(w)
//	s, err := wb.Sheet("Breach log", []document.Column{{Header: "Reference", Width: 14}, …})
//	err = s.Row("INC-2026-0042", 3, occurredAt, nil) // string, int, int64, float64, bool, time.Time, nil
//	err = wb.Close()
//
// Sheets are written straight into the zip as rows arrive, so memory does not grow with the
// number of rows. Strings are always stored as text, never as formulas.
package document

import "time"

// Column describes one table column for both PDF tables and XLSX sheets. Width is in
// characters: a sheet uses it as the column width; a PDF table shares the page width between
// columns in proportion to it.
type Column struct {
	Header string
	Width  float64
}

// KV is one line of a key/value section.
type KV struct {
	Key   string
	Value string
}

// Options describe a PDF document.
type Options struct {
	// Title is the document's metadata title and is printed as its first heading.
	Title string
	// Marking (for example "TLP:AMBER") is printed at the top and bottom of every page.
	Marking string
	// Generated is printed in every footer as "Generated 2006-01-02 15:04 UTC" and becomes the
	// PDF's creation date, so the same input renders the same document.
	Generated time.Time
	// Author goes into the document metadata only.
	Author string
	// Landscape turns the A4 page sideways, for wide tables.
	Landscape bool
}

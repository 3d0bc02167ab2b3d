package document

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"
)

var (
	//go:embed fonts/LiberationSans-Regular.ttf
	sansRegular []byte
	//go:embed fonts/LiberationSans-Bold.ttf
	sansBold []byte
)

const (
	family     = "LiberationSans"
	margin     = 15.0 // mm, left, right and top of the text area
	footerZone = 18.0 // mm kept free at the bottom for the footer
	bodySize   = 10.0 // pt
	tableSize  = 8.0  // pt
	cellPad    = 1.2  // mm inside table cells
	// pageAlias is replaced by the page count when the document is written.
	pageAlias = "{nb}"
)

// PDF is a document being built. Methods append to it in reading order; the first error
// stops further output and is returned by Write.
type PDF struct {
	f    *fpdf.Fpdf
	opts Options
	// sectionStart is the page the current Section began on; 0 when Section was never called.
	sectionStart int
}

// NewPDF starts an A4 document with its title printed at the top of the first page.
func NewPDF(o Options) *PDF {
	orientation := "P"
	if o.Landscape {
		orientation = "L"
	}
	f := fpdf.New(orientation, "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", sansRegular)
	f.AddUTF8FontFromBytes(family, "B", sansBold)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, footerZone)
	f.AliasNbPages(pageAlias)
	f.SetTitle(o.Title, true)
	f.SetAuthor(o.Author, true)
	f.SetCreator("Vigil", true)
	f.SetProducer("Vigil", true)
	f.SetLang("en-GB")
	if !o.Generated.IsZero() {
		f.SetCreationDate(o.Generated.UTC())
		f.SetModificationDate(o.Generated.UTC())
	}
	p := &PDF{f: f, opts: o}
	f.SetHeaderFunc(p.pageHeader)
	f.SetFooterFunc(p.pageFooter)
	f.AddPage()
	if o.Title != "" {
		f.SetFont(family, "B", 18)
		f.MultiCell(0, 8, clean(o.Title), "", "L", false)
		f.Ln(3)
	}
	return p
}

func (p *PDF) pageHeader() {
	if p.opts.Marking == "" {
		return
	}
	f := p.f
	f.SetFont(family, "B", 9)
	f.SetXY(margin, 7)
	f.CellFormat(0, 5, clean(p.opts.Marking), "", 0, "R", false, 0, "")
	f.SetXY(margin, margin)
}

func (p *PDF) pageFooter() {
	f := p.f
	f.SetY(-footerZone + 4)
	f.SetFont(family, "", 8)
	w := p.width()
	third := w / 3
	var generated string
	if !p.opts.Generated.IsZero() {
		generated = "Generated " + p.opts.Generated.UTC().Format("2006-01-02 15:04 UTC")
	}
	f.SetFont(family, "B", 8)
	f.CellFormat(third, 5, clean(p.opts.Marking), "", 0, "L", false, 0, "")
	f.SetFont(family, "", 8)
	f.CellFormat(third, 5, generated, "", 0, "C", false, 0, "")
	page := fmt.Sprintf("Page %d of %s", f.PageNo(), pageAlias)
	if p.sectionStart > 0 {
		page = fmt.Sprintf("Page %d", f.PageNo()-p.sectionStart+1)
	}
	f.CellFormat(third, 5, page, "", 0, "R", false, 0, "")
}

// width is the width of the text area.
func (p *PDF) width() float64 {
	w, _ := p.f.GetPageSize()
	return w - 2*margin
}

// bottom is the lowest y text may reach before the footer.
func (p *PDF) bottom() float64 {
	_, h := p.f.GetPageSize()
	return h - footerZone
}

// Heading starts a section. It moves to a new page rather than sit alone at the foot of one.
func (p *PDF) Heading(s string) {
	f := p.f
	if f.GetY()+20 > p.bottom() {
		f.AddPage()
	}
	f.Ln(2)
	f.SetFont(family, "B", 13)
	f.MultiCell(0, 6.5, clean(s), "", "L", false)
	f.Ln(1)
}

// Paragraph writes wrapped body text; "\n" starts a new line.
func (p *PDF) Paragraph(s string) {
	f := p.f
	f.SetFont(family, "", bodySize)
	f.MultiCell(0, 5, clean(s), "", "L", false)
	f.Ln(2)
}

// KeyValues writes a two-column section: keys in bold on the left, wrapped values on the right.
// An empty value is shown as "—" so a missing fact is visibly missing.
func (p *PDF) KeyValues(kvs []KV) {
	f := p.f
	keyW := p.width() * 0.3
	valW := p.width() - keyW
	const lineH = 5.0
	for _, kv := range kvs {
		v := clean(kv.Value)
		if strings.TrimSpace(v) == "" {
			v = "—"
		}
		f.SetFont(family, "", bodySize)
		lines := len(f.SplitText(v, valW))
		f.SetFont(family, "B", bodySize)
		keyLines := len(f.SplitText(clean(kv.Key), keyW))
		if h := float64(max(lines, keyLines)) * lineH; f.GetY()+h > p.bottom() && h < p.bottom()-margin {
			f.AddPage()
		}
		y, page := f.GetY(), f.PageNo()
		f.MultiCell(keyW, lineH, clean(kv.Key), "", "L", false)
		yKey := f.GetY()
		f.SetXY(margin+keyW, y)
		f.SetFont(family, "", bodySize)
		f.MultiCell(valW, lineH, v, "", "L", false)
		// A key longer than its value must not be overprinted by the next line.
		if f.PageNo() == page && f.GetY() < yKey {
			f.SetY(yKey)
		}
		f.Ln(1)
	}
	f.Ln(1)
}

// Bullets writes a bulleted list.
func (p *PDF) Bullets(items []string) {
	f := p.f
	f.SetFont(family, "", bodySize)
	const indent = 6.0
	for _, it := range items {
		y := f.GetY()
		if y+5 > p.bottom() {
			f.AddPage()
			y = f.GetY()
		}
		f.SetX(margin)
		f.CellFormat(indent, 5, "•", "", 0, "C", false, 0, "")
		f.SetXY(margin+indent, y)
		f.MultiCell(p.width()-indent, 5, clean(it), "", "L", false)
		f.Ln(1)
	}
	f.Ln(1)
}

// NewPage starts a new page.
func (p *PDF) NewPage() {
	p.f.AddPage()
}

// Section starts a self-contained part of the document, such as one letter in a batch: a new
// page (unless nothing has been written yet), a title, and page numbers that restart at 1.
// Section pages are numbered "Page n" without a total, because fpdf would rescan every page
// for each section's total.
//
// Batches belong in one document: building a PDF costs some 15–20 ms (parsing the fonts and
// setting up compressors), a Section about 0.5 ms, so 10,000 letters take seconds in one
// document and minutes as 10,000 documents.
func (p *PDF) Section(title string) {
	f := p.f
	if f.PageNo() > 1 || f.GetY() > margin {
		f.AddPage()
	}
	p.sectionStart = f.PageNo()
	if title != "" {
		f.SetFont(family, "B", 16)
		f.MultiCell(0, 7.5, clean(title), "", "L", false)
		f.Ln(3)
	}
}

// Write renders the document to w. fpdf assembles the whole document in memory, so a very
// large table costs memory in proportion to its size (docs/PERFORMANCE.md has figures).
func (p *PDF) Write(w io.Writer) error {
	if err := p.f.Output(w); err != nil {
		return fmt.Errorf("rendering PDF: %w", err)
	}
	return nil
}

// Err reports the first error met while building the document.
func (p *PDF) Err() error {
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("building PDF: %w", err)
	}
	return nil
}

// Table is a table being written into a PDF row by row.
type Table struct {
	p      *PDF
	cols   []Column
	widths []float64
	lineH  float64
	// maxLines caps a cell so that one row always fits on a page.
	maxLines int
}

// Table starts a table. Its header row is drawn now and again at the top of every page the
// table continues onto. Call End when the last row is written.
func (p *PDF) Table(cols []Column) *Table {
	var total float64
	for _, c := range cols {
		total += max(c.Width, 1)
	}
	t := &Table{p: p, cols: cols, lineH: 3.6}
	for _, c := range cols {
		t.widths = append(t.widths, p.width()*max(c.Width, 1)/total)
	}
	t.maxLines = int((p.bottom() - margin - 20) / t.lineH)
	t.header()
	return t
}

func (t *Table) header() {
	f := t.p.f
	f.SetFont(family, "B", tableSize)
	f.SetFillColor(222, 224, 226)
	cells := make([]string, len(t.cols))
	for i, c := range t.cols {
		cells[i] = c.Header
	}
	t.draw(cells, true)
}

// Row appends one row; cells beyond the number of columns are ignored, missing ones are empty.
func (t *Table) Row(cells ...string) {
	t.p.f.SetFont(family, "", tableSize)
	t.draw(cells, false)
}

func (t *Table) draw(cells []string, header bool) {
	f := t.p.f
	lines := make([][]string, len(t.cols))
	n := 1
	for i := range t.cols {
		var s string
		if i < len(cells) {
			s = clean(cells[i])
		}
		ls := f.SplitText(s, t.widths[i])
		if len(ls) > t.maxLines {
			ls = ls[:t.maxLines]
			ls[len(ls)-1] += " …"
		}
		lines[i] = ls
		n = max(n, len(ls))
	}
	h := float64(n)*t.lineH + 2*cellPad
	if f.GetY()+h > t.p.bottom() {
		f.AddPage()
		if !header {
			t.header()
			f.SetFont(family, "", tableSize)
		}
	}
	x, y := margin, f.GetY()
	for i, w := range t.widths {
		style := "D"
		if header {
			style = "FD"
		}
		f.Rect(x, y, w, h, style)
		for j, l := range lines[i] {
			f.SetXY(x, y+cellPad+float64(j)*t.lineH)
			f.CellFormat(w, t.lineH, l, "", 0, "L", false, 0, "")
		}
		x += w
	}
	f.SetXY(margin, y+h)
}

// End finishes the table and leaves a gap before whatever follows.
func (t *Table) End() {
	t.p.f.Ln(3)
}

// clean makes text safe for the embedded font: fpdf indexes glyph widths by rune in the Basic
// Multilingual Plane only, so runes beyond it (emoji) become "?", and control characters other
// than a line break become spaces so they cannot disturb the layout.
func clean(s string) string {
	needs := false
	for _, r := range s {
		if r > 0xFFFF || (unicode.IsControl(r) && r != '\n') || r == unicode.ReplacementChar {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r > 0xFFFF || r == unicode.ReplacementChar:
			return '?'
		case r == '\n':
			return r
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

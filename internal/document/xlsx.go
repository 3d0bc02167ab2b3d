package document

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Date is a cell value shown as a calendar date (yyyy-mm-dd); a time.Time cell shows date and
// time (yyyy-mm-dd hh:mm). Both are stored as spreadsheet serial numbers in UTC, so they sort
// and filter as dates.
type Date time.Time

// Workbook writes an XLSX file straight into an io.Writer. It is hand-written SpreadsheetML
// rather than a general library: each row is encoded and passed to the zip stream as it
// arrives, so a 100,000-row sheet needs no more memory than a 10-row one and no temporary file.
type Workbook struct {
	z      *zip.Writer
	names  []string
	cur    *Sheet
	err    error
	closed bool
}

// NewWorkbook starts a workbook on w. Add sheets with Sheet, then Close.
func NewWorkbook(w io.Writer) *Workbook {
	return &Workbook{z: zip.NewWriter(w)}
}

// Sheet is a worksheet being written row by row.
type Sheet struct {
	wb   *Workbook
	w    *bufio.Writer
	cols int
	row  int
	buf  []byte
}

// Style indexes into cellXfs in styles.xml.
const (
	styleNormal   = 0
	styleHeader   = 1
	styleDateTime = 2
	styleDate     = 3
)

// maxCellChars is the most a spreadsheet cell holds; longer text is cut rather than making
// the file unreadable.
const maxCellChars = 32767

// Sheet finishes the previous sheet and starts a new one whose first row is the bold, frozen
// header made from cols. Names are cut to the 31 characters spreadsheets allow and characters
// they refuse (: \ / ? * [ ]) are replaced.
func (wb *Workbook) Sheet(name string, cols []Column) (*Sheet, error) {
	if wb.err != nil {
		return nil, wb.err
	}
	if wb.closed {
		return nil, errors.New("writing XLSX: workbook already closed")
	}
	if err := wb.finishSheet(); err != nil {
		return nil, err
	}
	name = sheetName(name, len(wb.names)+1)
	for _, n := range wb.names {
		if strings.EqualFold(n, name) {
			return nil, wb.fail(fmt.Errorf("writing XLSX: two sheets named %q", name))
		}
	}
	wb.names = append(wb.names, name)
	zw, err := wb.z.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", len(wb.names)))
	if err != nil {
		return nil, wb.fail(fmt.Errorf("writing XLSX: %w", err))
	}
	s := &Sheet{wb: wb, w: bufio.NewWriterSize(zw, 64<<10), cols: len(cols)}
	wb.cur = s
	s.w.WriteString(xml.Header)
	s.w.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	s.w.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	s.w.WriteString(`<cols>`)
	for i, c := range cols {
		width := c.Width
		if width <= 0 {
			width = 12
		}
		fmt.Fprintf(s.w, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(width, 'f', -1, 64))
	}
	s.w.WriteString(`</cols><sheetData>`)
	headers := make([]any, len(cols))
	for i, c := range cols {
		headers[i] = c.Header
	}
	if err := s.writeRow(headers, styleHeader); err != nil {
		return nil, err
	}
	return s, nil
}

// Row appends one row. Cells may be string, int, int64, float64, bool, time.Time, Date or nil
// (empty); a zero time is empty too. Strings are stored as inline text, never as formulas.
func (s *Sheet) Row(cells ...any) error {
	if s.wb.cur != s {
		return errors.New("writing XLSX: row added to a finished sheet")
	}
	return s.writeRow(cells, styleNormal)
}

func (s *Sheet) writeRow(cells []any, style int) error {
	if s.wb.err != nil {
		return s.wb.err
	}
	s.row++
	b := s.buf[:0]
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(s.row), 10)
	b = append(b, `">`...)
	for i, v := range cells {
		var err error
		b, err = s.cell(b, i, v, style)
		if err != nil {
			return s.wb.fail(err)
		}
	}
	b = append(b, `</row>`...)
	s.buf = b
	if _, err := s.w.Write(b); err != nil {
		return s.wb.fail(fmt.Errorf("writing XLSX: %w", err))
	}
	return nil
}

func (s *Sheet) cell(b []byte, col int, v any, style int) ([]byte, error) {
	open := func(typ string, st int) {
		b = append(b, `<c r="`...)
		b = appendColumnName(b, col)
		b = strconv.AppendInt(b, int64(s.row), 10)
		b = append(b, '"')
		if st != styleNormal {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(st), 10)
			b = append(b, '"')
		}
		if typ != "" {
			b = append(b, ` t="`...)
			b = append(b, typ...)
			b = append(b, '"')
		}
		b = append(b, '>')
		if typ != "inlineStr" {
			b = append(b, "<v>"...)
		}
	}
	switch x := v.(type) {
	case nil:
		return b, nil
	case string:
		if x == "" {
			return b, nil
		}
		if utf8.RuneCountInString(x) > maxCellChars {
			x = string([]rune(x)[:maxCellChars])
		}
		open("inlineStr", style)
		b = append(b, `<is><t xml:space="preserve">`...)
		b = appendEscaped(b, x)
		b = append(b, `</t></is></c>`...)
	case int:
		open("", style)
		b = strconv.AppendInt(b, int64(x), 10)
		b = append(b, `</v></c>`...)
	case int64:
		open("", style)
		b = strconv.AppendInt(b, x, 10)
		b = append(b, `</v></c>`...)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, nil
		}
		open("", style)
		b = strconv.AppendFloat(b, x, 'f', -1, 64)
		b = append(b, `</v></c>`...)
	case bool:
		open("b", style)
		if x {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
		b = append(b, `</v></c>`...)
	case time.Time:
		if x.IsZero() {
			return b, nil
		}
		open("", styleDateTime)
		b = strconv.AppendFloat(b, serial(x), 'f', -1, 64)
		b = append(b, `</v></c>`...)
	case Date:
		t := time.Time(x)
		if t.IsZero() {
			return b, nil
		}
		open("", styleDate)
		b = strconv.AppendFloat(b, serial(t), 'f', -1, 64)
		b = append(b, `</v></c>`...)
	default:
		return b, fmt.Errorf("writing XLSX: cell type %T is not supported", v)
	}
	return b, nil
}

// serial is the spreadsheet day number (days since 1899-12-30, the epoch Excel and
// LibreOffice share for dates after February 1900), kept to whole seconds.
func serial(t time.Time) float64 {
	secs := t.UTC().Unix()
	return float64(secs)/86400 + 25569
}

func appendColumnName(b []byte, col int) []byte {
	var tmp [4]byte
	i := len(tmp)
	for n := col + 1; n > 0; n = (n - 1) / 26 {
		i--
		tmp[i] = byte('A' + (n-1)%26)
	}
	return append(b, tmp[i:]...)
}

// appendEscaped escapes XML text, dropping characters XML 1.0 cannot carry at all (most C0
// controls), which a pasted report may contain.
func appendEscaped(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '\r':
			b = append(b, "&#13;"...)
		case r == '\t' || r == '\n':
			b = append(b, byte(r))
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError:
			continue
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

func sheetName(name string, n int) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(name))
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" {
		name = fmt.Sprintf("Sheet%d", n)
	}
	return name
}

func (wb *Workbook) fail(err error) error {
	if wb.err == nil {
		wb.err = err
	}
	return wb.err
}

func (wb *Workbook) finishSheet() error {
	s := wb.cur
	if s == nil {
		return nil
	}
	wb.cur = nil
	s.w.WriteString(`</sheetData></worksheet>`)
	if err := s.w.Flush(); err != nil {
		return wb.fail(fmt.Errorf("writing XLSX: %w", err))
	}
	return nil
}

// Close finishes the last sheet and writes the workbook's index parts. A workbook with no
// sheets gets one empty sheet, because spreadsheets refuse a workbook without any.
func (wb *Workbook) Close() error {
	if wb.closed {
		return wb.err
	}
	if len(wb.names) == 0 && wb.err == nil {
		wb.Sheet("Sheet1", nil)
	}
	wb.closed = true
	if err := wb.finishSheet(); err != nil {
		return err
	}
	if wb.err != nil {
		return wb.err
	}
	var ct, sheets, rels strings.Builder
	for i, n := range wb.names {
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, string(appendEscaped(nil, n)), i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, len(wb.names)+1)
	parts := []struct{ name, body string }{
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + sheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`},
		{"xl/styles.xml", stylesXML},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` + ct.String() + `</Types>`},
	}
	for _, p := range parts {
		w, err := wb.z.Create(p.name)
		if err == nil {
			_, err = io.WriteString(w, xml.Header+p.body)
		}
		if err != nil {
			return wb.fail(fmt.Errorf("writing XLSX: %w", err))
		}
	}
	if err := wb.z.Close(); err != nil {
		return wb.fail(fmt.Errorf("writing XLSX: %w", err))
	}
	return nil
}

const stylesXML = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="4">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`</cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`

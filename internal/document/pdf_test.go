package document_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/document"
	"github.com/vigil-ir/vigil/internal/document/documenttest"
)

var generated = time.Date(2026, 9, 30, 14, 5, 0, 0, time.UTC)

func render(t testing.TB, p *document.PDF) []byte {
	t.Helper()
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPDFFlowingText(t *testing.T) {
	p := document.NewPDF(document.Options{Title: "Notification to the ICO", Marking: "TLP:AMBER", Generated: generated, Author: "Vigil"})
	p.Heading("Who is affected")
	p.Paragraph(strings.Repeat("A long paragraph that must wrap across the width of the page. ", 12))
	p.KeyValues([]document.KV{
		{Key: "Data subject", Value: "Zoë Ó Súilleabháin"},
		{Key: "Fine avoided", Value: "€ 1,000"},
		{Key: "Empty fact", Value: ""},
		{Key: "Emoji 😀 and control\x07", Value: "safe"},
	})
	p.Bullets([]string{"Contain the breach", "Tell the people affected"})
	text := documenttest.PDFText(t, render(t, p))
	for _, want := range []string{
		"Notification to the ICO", "Who is affected", "must wrap", "Zoë Ó Súilleabháin", "€ 1,000", "Empty fact",
		"Contain the breach", "• ", "TLP:AMBER", "Generated 2026-09-30 14:05 UTC", "Page 1 of 1", "Emoji ? and control",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	// The marking is printed twice on the page: top and footer.
	if n := strings.Count(text, "TLP:AMBER"); n != 2 {
		t.Errorf("marking printed %d times on one page, want 2 (top and footer)", n)
	}
}

func TestPDFTableRepeatsHeaderOnEveryPage(t *testing.T) {
	p := document.NewPDF(document.Options{Title: "Breach log", Marking: "TLP:RED", Generated: generated, Landscape: true})
	tab := p.Table([]document.Column{{Header: "Reference", Width: 14}, {Header: "What happened", Width: 60}, {Header: "Hours", Width: 6}})
	const rows = 120
	for i := range rows {
		tab.Row(fmt.Sprintf("INC-%04d", i), strings.Repeat("words ", i%30), fmt.Sprint(i))
	}
	tab.Row("INC-HUGE", strings.Repeat("an enormous cell that cannot fit on one page ", 800), "1")
	tab.End()
	p.Paragraph("After the table.")
	text := documenttest.PDFText(t, render(t, p))
	pages := strings.Split(text, "\f")
	pages = pages[:len(pages)-1] // pdftotext ends every page with a form feed
	if len(pages) < 3 {
		t.Fatalf("%d pages, want the table to run over several", len(pages))
	}
	total := fmt.Sprintf("of %d", len(pages))
	for i, pg := range pages {
		if !regexp.MustCompile(`Reference\s+What happened\s+Hours`).MatchString(pg) && i < len(pages)-1 {
			t.Errorf("page %d lacks the table header", i+1)
		}
		if !strings.Contains(pg, fmt.Sprintf("Page %d %s", i+1, total)) {
			t.Errorf("page %d lacks its page number %q", i+1, total)
		}
	}
	for _, want := range []string{"INC-0000", fmt.Sprintf("INC-%04d", rows-1), "INC-HUGE", "…", "After the table."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

// One letter as its own document, for comparison with BenchmarkPDFLetterSection.
func BenchmarkPDFLetter(b *testing.B) {
	for b.Loop() {
		p := document.NewPDF(document.Options{Title: "Letter", Marking: "TLP:AMBER", Generated: generated})
		p.KeyValues([]document.KV{{Key: "To", Value: "Zoë Ó Súilleabháin\n1 High Street\nDublin"}})
		for range 6 {
			p.Paragraph(strings.Repeat("We are writing to tell you about a breach of your personal data. ", 5))
		}
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPDFSectionsRestartPageNumbers(t *testing.T) {
	p := document.NewPDF(document.Options{Marking: "TLP:CLEAR", Generated: generated})
	for _, name := range []string{"Zoë Ó Súilleabháin", "Jan Nowak"} {
		p.Section("Letter to " + name)
		p.Paragraph(strings.Repeat("We are writing to tell you about a breach of your personal data. ", 120))
	}
	text := documenttest.PDFText(t, render(t, p))
	pages := strings.Split(text, "\f")
	pages = pages[:len(pages)-1]
	if len(pages) != 4 {
		t.Fatalf("%d pages, want two letters of two pages", len(pages))
	}
	for i, want := range []string{"Page 1", "Page 2", "Page 1", "Page 2"} {
		if !strings.Contains(pages[i], want) || regexp.MustCompile(`Page \d+ of`).MatchString(pages[i]) {
			t.Errorf("page %d footer: want %q without a total:\n%s", i+1, want, pages[i])
		}
	}
	if !strings.Contains(pages[0], "Letter to Zoë Ó Súilleabháin") || !strings.Contains(pages[2], "Letter to Jan Nowak") {
		t.Error("each letter must start on its own page with its title")
	}
}

// Many letters go into one document, a Section each. Run with -bench=PDFLetter.
func BenchmarkPDFLetterSection(b *testing.B) {
	p := document.NewPDF(document.Options{Marking: "TLP:AMBER", Generated: generated})
	for b.Loop() {
		p.Section("Letter")
		p.KeyValues([]document.KV{{Key: "To", Value: "Zoë Ó Súilleabháin\n1 High Street\nDublin"}})
		for range 6 {
			p.Paragraph(strings.Repeat("We are writing to tell you about a breach of your personal data. ", 5))
		}
	}
	if err := p.Write(&bytes.Buffer{}); err != nil {
		b.Fatal(err)
	}
}

package notice

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/document"
)

// missingWords is how a missing answer reads in every rendering.
func missingWords(f Field) string {
	if f.Need == NeedNow {
		return "[MISSING – needed now]"
	}
	return "[Not known yet – may follow in a later phase]"
}

// PDF writes the pack as a PDF: the same questions in the same order as the text, then the
// breach-log extract, with the pack's marking on every page.
func (p *Pack) PDF(w io.Writer) error {
	doc := document.NewPDF(document.Options{Title: "Personal data breach notification", Marking: p.Marking, Generated: p.PreparedAt,
		Author: "Vigil"})
	head := []document.KV{{Key: "To", Value: p.AuthorityName}, {Key: "Incident", Value: p.Ref + " – " + p.Title},
		{Key: "Phase", Value: p.Phase.Words()}, {Key: "Prepared", Value: when(p.PreparedAt)}}
	if p.Deadline != nil {
		d := when(*p.Deadline)
		if p.Late {
			d += " (passed)"
		}
		head = append(head, document.KV{Key: "Deadline", Value: d})
	}
	doc.KeyValues(head)
	var now, later []string
	for _, m := range p.Completeness.Missing {
		if m.Need == NeedNow {
			now = append(now, m.Label)
		} else {
			later = append(later, m.Label)
		}
	}
	if p.Completeness.Ready {
		doc.Paragraph("Ready to send: nothing needed now is missing.")
	} else {
		doc.Paragraph(fmt.Sprintf("NOT READY: %d needed now.", len(now)))
	}
	if len(now) > 0 {
		doc.Paragraph("Missing, needed now: " + strings.Join(now, "; "))
	}
	if len(later) > 0 {
		doc.Paragraph("Missing, may follow in a later phase: " + strings.Join(later, "; "))
	}
	doc.Paragraph("Copy each answer into the matching question of the authority's online form.")
	// Question above answer, full width: answers run to paragraphs and copy cleanly.
	for i, f := range p.Fields {
		v := f.Value
		if f.Missing {
			v = missingWords(f)
		}
		doc.Heading(fmt.Sprintf("%d. %s", i+1, f.Label))
		doc.Paragraph(v)
	}
	doc.Heading("Breach-log extract (" + p.Ref + ")")
	log := make([]document.KV, len(p.LogExtract))
	for i, l := range p.LogExtract {
		log[i] = document.KV{Key: l.Label, Value: l.Value}
	}
	doc.KeyValues(log)
	if err := doc.Err(); err != nil {
		return err
	}
	return doc.Write(w)
}

// writeLetter lays one letter out in the current section of doc.
func writeLetter(doc *document.PDF, l Letter) {
	if addr := strings.TrimSpace(strings.Join(append([]string{l.Name}, l.Address...), "\n")); addr != "" {
		doc.Paragraph(addr)
	}
	if l.Date != "" {
		doc.Paragraph(l.Date)
	}
	doc.Heading(l.Subject)
	for _, b := range l.Blocks() {
		if b.Heading {
			doc.Heading(b.Text)
		} else {
			doc.Paragraph(b.Text)
		}
	}
}

// LettersPDF writes letters as one PDF, each letter a section with its own page numbers,
// ready to print and post.
func LettersPDF(w io.Writer, letters []Letter, generated time.Time) error {
	doc := document.NewPDF(document.Options{Generated: generated, Author: "Vigil"})
	for _, l := range letters {
		doc.Section("")
		writeLetter(doc, l)
	}
	if err := doc.Err(); err != nil {
		return err
	}
	return doc.Write(w)
}

// LettersZip writes a zip with one PDF per letter, named by row and name so a mail house
// can match them to envelopes. Each PDF is a document of its own, which costs far more than
// a page of the combined PDF (fonts are parsed per document), so batches are rendered on
// every CPU and written to the zip in order.
func LettersZip(w io.Writer, letters []Letter, rows []int, generated time.Time) error {
	zw := zip.NewWriter(w)
	workers := max(1, runtime.GOMAXPROCS(0))
	batch := make([]bytes.Buffer, 4*workers)
	for start := 0; start < len(letters); start += len(batch) {
		end := min(start+len(batch), len(letters))
		errs := make([]error, end-start)
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Go(func() {
				for i := range next {
					batch[i-start].Reset()
					errs[i-start] = LettersPDF(&batch[i-start], []Letter{letters[i]}, generated)
				}
			})
		}
		for i := start; i < end; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		for i := start; i < end; i++ {
			if err := errs[i-start]; err != nil {
				return err
			}
			// PDFs are compressed already: storing them keeps the zip fast to write and read.
			hdr := &zip.FileHeader{Name: fmt.Sprintf("%05d-%s.pdf", rows[i], fileName(letters[i].Name)), Method: zip.Store, Modified: generated}
			f, err := zw.CreateHeader(hdr)
			if err != nil {
				return fmt.Errorf("writing letters zip: %w", err)
			}
			if _, err := f.Write(batch[i-start].Bytes()); err != nil {
				return fmt.Errorf("writing letters zip: %w", err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing letters zip: %w", err)
	}
	return nil
}

// fileName keeps letters, digits and hyphens of a name, so no recipient can name a path.
func fileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "letter"
	}
	return s
}

package notice

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/document/documenttest"
)

// squash joins pdftotext's layout (columns, wrapped lines) into single-spaced text.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestPackPDFHoldsEveryField reads the PDF back with pdftotext: every question and every
// answer of the pack is there, and so is the breach-log extract.
func TestPackPDFHoldsEveryField(t *testing.T) {
	for _, a := range Authorities {
		t.Run(string(a), func(t *testing.T) {
			in := fullInput()
			in.Org.DPOContact = "" // one field missing, to see how it reads
			in.Marking = "TLP:AMBER"
			p := Prepare(in, a, PhaseInitial)
			var buf bytes.Buffer
			if err := p.PDF(&buf); err != nil {
				t.Fatal(err)
			}
			text := squash(documenttest.PDFText(t, buf.Bytes()))
			for _, f := range p.Fields {
				if !strings.Contains(text, squash(f.Label)) {
					t.Errorf("PDF lacks the question %q", f.Label)
				}
				want := f.Value
				if f.Missing {
					want = missingWords(f)
				}
				// Long answers wrap inside their column: check each line's first words.
				for _, line := range strings.Split(want, "\n") {
					words := strings.Fields(line)
					if len(words) > 4 {
						words = words[:4]
					}
					if w := strings.Join(words, " "); !strings.Contains(text, w) {
						t.Errorf("PDF lacks %q of the answer to %q", w, f.Label)
					}
				}
			}
			for _, want := range []string{"TLP:AMBER", "Breach-log extract (INC-2026-00042)", "Remedial action", "NOT READY", p.AuthorityName} {
				if !strings.Contains(text, want) {
					t.Errorf("PDF lacks %q", want)
				}
			}
		})
	}
}

// TestLettersPDF: a combined PDF and a zip of one PDF per person both hold every required
// part of each letter, with hostile recipient data printed as typed.
func TestLettersPDF(t *testing.T) {
	c, err := Compile(DefaultTemplate(KindLetter))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Zoë Ó Súilleabháin", "{{.DPOName}} <script>", "../../etc/passwd"}
	var letters []Letter
	for _, n := range names {
		l, err := c.Merge(merged(n))
		if err != nil {
			t.Fatal(err)
		}
		letters = append(letters, l)
	}
	var one bytes.Buffer
	if err := LettersPDF(&one, letters, now); err != nil {
		t.Fatal(err)
	}
	text := squash(documenttest.PDFText(t, one.Bytes()))
	required := []string{"What happened", "A laptop was stolen.", "What information was involved", "Your name and address.",
		"What this could mean for you", "You may receive scam letters.", "What we are doing", "We have wiped the laptop.",
		"What you can do", "Be wary of unexpected letters.", "Dorothy Smith: dpo@example.org", "INC-2026-00042", "1 High Street"}
	for _, n := range names {
		if got := strings.Count(text, "Dear "+n+","); got != 1 {
			t.Errorf("combined PDF has %d letters to %q, want 1", got, n)
		}
	}
	for _, want := range required {
		if got := strings.Count(text, want); got < len(names) {
			t.Errorf("combined PDF has %q %d times, want %d", want, got, len(names))
		}
	}

	var z bytes.Buffer
	if err := LettersZip(&z, letters, []int{2, 3, 4}, now); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z.Bytes()), int64(z.Len()))
	if err != nil {
		t.Fatal(err)
	}
	safe := regexp.MustCompile(`^\d{5}-[A-Za-z0-9-]+\.pdf$`)
	if len(zr.File) != len(names) {
		t.Fatalf("zip holds %d files, want %d", len(zr.File), len(names))
	}
	for i, f := range zr.File {
		if !safe.MatchString(f.Name) {
			t.Errorf("unsafe file name %q", f.Name)
		}
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		pt := squash(documenttest.PDFText(t, data))
		if !strings.Contains(pt, "Dear "+names[i]+",") || !strings.Contains(pt, "What you can do") {
			t.Errorf("%s is not the letter to %q:\n%s", f.Name, names[i], pt)
		}
	}
}

package notice

import (
	"fmt"
	"io"
	"testing"
)

// letters10k merges the default letter for 10,000 recipients, as a run does.
func letters10k(b *testing.B) ([]Letter, []int) {
	c, err := Compile(DefaultTemplate(KindLetter))
	if err != nil {
		b.Fatal(err)
	}
	letters, rows := make([]Letter, 10_000), make([]int, 10_000)
	for i := range letters {
		m := merged(fmt.Sprintf("Recipient Number %d", i))
		if letters[i], err = c.Merge(m); err != nil {
			b.Fatal(err)
		}
		rows[i] = i + 2
	}
	return letters, rows
}

// BenchmarkLetters10000PDF: 10,000 letters as one PDF (issue 7: at most 60 s).
func BenchmarkLetters10000PDF(b *testing.B) {
	letters, _ := letters10k(b)
	b.ResetTimer()
	for range b.N {
		cw := &countWriter{}
		if err := LettersPDF(cw, letters, now); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cw.n)/1e6, "MB")
	}
}

// BenchmarkLetters10000Zip: 10,000 letters as a zip of one PDF per person.
func BenchmarkLetters10000Zip(b *testing.B) {
	letters, rows := letters10k(b)
	b.ResetTimer()
	for range b.N {
		cw := &countWriter{}
		if err := LettersZip(cw, letters, rows, now); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cw.n)/1e6, "MB")
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

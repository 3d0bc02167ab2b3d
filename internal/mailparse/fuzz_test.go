package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that no input panics the parser, that every limit holds whatever the
// input, and that what comes out is safe to put in a header or a page: one-line UTF-8 header
// values and UTF-8 text. A hang shows as the fuzzer's per-input timeout.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"messages", "spamassassin"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.eml"))
		for i, file := range files {
			if dir == "spamassassin" && i%10 != 0 {
				continue // a tenth of the corpus is variety enough and keeps seeding fast
			}
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add(nestedMessages(20))
	f.Add(nestedMultiparts(20))
	f.Add(manyParts(50))
	limits := Limits{MaxSize: 1 << 20, MaxDepth: 4, MaxParts: 20, MaxAttachment: 64 << 10, MaxText: 2000, MaxURLs: 20}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, limits)
		if err != nil {
			if Reason(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		oneLine := func(what, s string) {
			if strings.ContainsAny(s, "\r\n") || !utf8.ValidString(s) {
				t.Fatalf("%s %q is not one line of UTF-8", what, s)
			}
		}
		oneLine("subject", m.Subject)
		oneLine("from", m.From.String())
		if !utf8.ValidString(m.Text) || utf8.RuneCountInString(m.Text) > limits.MaxText {
			t.Fatalf("text breaks the limit or is not UTF-8: %d runes", utf8.RuneCountInString(m.Text))
		}
		check := func(urls []string, atts []*Attachment) {
			if len(urls) > limits.MaxURLs {
				t.Fatalf("%d URLs kept, limit %d", len(urls), limits.MaxURLs)
			}
			for _, a := range atts {
				if a.Size > limits.MaxAttachment || int64(len(a.Content)) != a.Size {
					t.Fatalf("attachment %q size %d (content %d) breaks the limit", a.Name, a.Size, len(a.Content))
				}
				oneLine("attachment name", a.Name)
			}
		}
		check(m.URLs, m.Attachments)
		if o := m.Forwarded; o != nil {
			oneLine("original subject", o.Subject)
			oneLine("original from", o.From.String())
			check(o.URLs, o.Attachments)
		}
	})
}

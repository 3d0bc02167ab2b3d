package classify

import "testing"

// FuzzDetect checks that the detector never panics and that what it returns is always within
// the text, non-empty, in order and without overlaps, whatever the input. The kept corpus is
// in testdata/fuzz/FuzzDetect; run `go test ./internal/classify -fuzz FuzzDetect` to explore.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"jane.doe@example.org 01534 500050 AB123456C",
		"+44 (0)1534 500050 943 476 5919 4111 1111 1111 1111",
		"GB82 WEST 1234 5698 7654 32 JE2 3QA",
		"@@..@a.b+((((0))))-- ",
		"\xff\xfe+44 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		end := 0
		for _, p := range Detect(text) {
			if p.Start < end || p.Start >= p.End || p.End > len(text) {
				t.Fatalf("Detect(%q): bad or overlapping span %+v after %d", text, p, end)
			}
			end = p.End
		}
		_ = Suggest(text)
	})
}

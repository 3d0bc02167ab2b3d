package csvimport

import (
	"strings"
	"testing"
)

func TestParseMapping(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"source: x\ncolumns: {title: A}\n", ""},
		{"columns: {title: A}\n", "source is required"},
		{"source: x\ncolumns: {nature: A}\n", "title is required"},
		{"source: x\ndelimiter: '#'\ncolumns: {title: A}\n", `delimiter "#"`},
		{"source: x\ncolumns: {title: A, severity: B}\n", "severity_scheme is required"},
		{"source: x\ntimezone: Mars/Olympus\ncolumns: {title: A}\n", "not a time zone"},
		{"source: x\ncolour: red\ncolumns: {title: A}\n", "field colour not found"},
	} {
		_, err := ParseMapping(strings.NewReader(tc.yaml))
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestRows(t *testing.T) {
	m, err := ParseMapping(strings.NewReader("source: x\ndate_formats: [DD.MM.YYYY]\ncolumns: {source_id: Id, title: T, nature: N, occurred: D, near_miss: M}\n"))
	if err != nil {
		t.Fatal(err)
	}
	sheet := "Id,T,N,D,M\n1,Title,\"two\nlines\",01.02.2024,yes\n,,,,\n2,T2,N2,2024-02-01,perhaps\n3,T3,N3,,no,extra\n"
	var got []string
	if err := m.Read(strings.NewReader(sheet), "s.csv", func(r Row) error {
		s := r.Where
		if r.Err != nil {
			s += ": " + r.Err.Error()
		} else {
			s += ": " + r.Patch.Nature.Value + " " + r.Patch.OccurredAt.Value.Format("2006-01-02")
		}
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"s.csv row 2: two\nlines 2024-02-01",
		`s.csv row 4: occurred "2024-02-01" is not a date in the format DD.MM.YYYY; near_miss "perhaps" must be yes or no`,
		"s.csv row 5: the row has 6 cells but the header has 5",
	}
	if len(got) != len(want) {
		t.Fatalf("rows %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
	if err := m.Read(strings.NewReader("Id,Title\n"), "s.csv", func(Row) error { return nil }); err == nil || !strings.Contains(err.Error(), `the header row has no column "N" (for nature), "M" (for near_miss), "D" (for occurred)`) {
		t.Errorf("missing header: %v", err)
	}
}

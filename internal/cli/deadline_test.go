package cli

import (
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/deadline"
)

// runDeadline runs `vigil deadline ARGS...` and returns stdout and the error.
func runDeadline(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runCmd(newDeadlineCmd(), "", args...)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestDeadlineCommand(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		// The contract outside clients rely on (shared/tools/contract-check).
		{"contract", []string{"authority-72h", "--from", "2026-03-28T12:00:00Z"}, "2026-03-31T12:00:00Z"},
		{"offset input, UTC output", []string{"authority-72h", "--from", "2026-06-01T09:00:00+01:00"}, "2026-06-04T08:00:00Z"},
		{"fractional seconds kept", []string{"nis2-early-warning", "--from", "2026-06-01T09:00:00.25Z"}, "2026-06-02T09:00:00.25Z"},
		{"working days, default calendar", []string{"internal-2-working-days", "--from", "2024-05-08T10:00:00+01:00"}, "2024-05-10T22:59:59Z"},
		{"working days, Jersey", []string{"internal-2-working-days", "--from", "2024-05-08T10:00:00+01:00", "--calendar", "jersey"}, "2024-05-13T22:59:59Z"},
		{"month rule in the calendar's zone", []string{"nis2-final", "--from", "2026-05-31T23:30:00Z"}, "2026-07-01T22:59:59Z"},
		{"month rule in --tz", []string{"nis2-final", "--from", "2026-05-31T23:30:00Z", "--tz", "UTC"}, "2026-06-30T23:59:59Z"},
		{"DORA initial, awareness only", []string{"dora-initial", "--from", "2026-03-28T09:00:00Z"}, "2026-03-29T09:00:00Z"},
		{"DORA initial, classified", []string{"dora-initial", "--from", "2026-03-28T09:00:00Z", "--classified", "2026-03-28T11:30:00Z"}, "2026-03-28T15:30:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runDeadline(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := lastLine(out); got != tc.want {
				t.Errorf("last line %q, want %q; output:\n%s", got, tc.want, out)
			}
		})
	}
}

func TestDeadlineCommandShowsLocalTime(t *testing.T) {
	out, err := runDeadline(t, "authority-72h", "--from", "2026-03-28T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	// Clocks went forward on 29 March: the same instant reads 13:00 BST.
	if !strings.Contains(out, "Tue 31 Mar 2026 13:00:00 BST (Europe/London)") {
		t.Errorf("no local due time in:\n%s", out)
	}
}

func TestDeadlineCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error message
	}{
		{"no rule", []string{"--from", "2026-03-28T12:00:00Z"}, "authority-72h"},
		{"two rules", []string{"authority-72h", "nis2-final", "--from", "2026-03-28T12:00:00Z"}, "name one rule"},
		{"unknown rule", []string{"authority-48h", "--from", "2026-03-28T12:00:00Z"}, "dora-final"},
		{"no --from", []string{"authority-72h"}, "from"},
		{"date only", []string{"authority-72h", "--from", "2026-03-28"}, "RFC 3339"},
		{"no offset", []string{"authority-72h", "--from", "2026-03-28T12:00:00"}, "zone offset"},
		{"unknown calendar", []string{"authority-72h", "--from", "2026-03-28T12:00:00Z", "--calendar", "scotland"}, "jersey"},
		{"unknown zone", []string{"authority-72h", "--from", "2026-03-28T12:00:00Z", "--tz", "Mars/Olympus"}, "IANA"},
		{"machine zone", []string{"authority-72h", "--from", "2026-03-28T12:00:00Z", "--tz", "Local"}, "IANA"},
		{"out of calendar", []string{"internal-2-working-days", "--from", "2031-01-06T09:00:00Z"}, "2024-2030"},
		{"--classified on another rule", []string{"authority-72h", "--from", "2026-03-28T12:00:00Z", "--classified", "2026-03-28T13:00:00Z"}, "only to dora-initial"},
		{"classified before awareness", []string{"dora-initial", "--from", "2026-03-28T12:00:00Z", "--classified", "2026-03-28T11:00:00Z"}, "cannot precede"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runDeadline(t, tc.args...)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestDeadlineHelpListsRules(t *testing.T) {
	out, err := runDeadline(t, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range deadline.Rules() {
		for _, s := range []string{r.Name, r.Source} {
			if !strings.Contains(out, s) {
				t.Errorf("help does not contain %q", s)
			}
		}
	}
	for _, name := range deadline.CalendarNames() {
		if !strings.Contains(out, name) {
			t.Errorf("help does not name calendar %s", name)
		}
	}
}

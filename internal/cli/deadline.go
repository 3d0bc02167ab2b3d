package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/deadline"
)

// newDeadlineCmd is `vigil deadline RULE --from INSTANT`: when a report under
// one regulatory rule is due. The due instant in RFC 3339 UTC is the last line
// of output, for scripts; the lines before it are for people.
func newDeadlineCmd() *cobra.Command {
	var from, calName, zone, classified string
	cmd := &cobra.Command{
		Use:   "deadline RULE --from INSTANT",
		Short: "Compute when a breach or incident report is due",
		Long:  deadlineHelp(),
		Example: "  vigil deadline authority-72h --from 2026-03-28T12:00:00Z\n" +
			"  vigil deadline internal-2-working-days --from 2026-05-08T16:55:00+01:00 --calendar jersey\n" +
			"  vigil deadline dora-initial --from 2026-03-28T09:00:00Z --classified 2026-03-28T11:30:00Z",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("name one rule (got %d arguments); rules: %s", len(args), strings.Join(ruleNames(), ", "))
			}
			return nil
		},
		ValidArgs: ruleNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			rule, err := deadline.Lookup(args[0])
			if err != nil {
				return err
			}
			start, err := parseInstant("--from", from)
			if err != nil {
				return err
			}
			cal, err := deadline.LoadCalendar(calName)
			if err != nil {
				return fmt.Errorf("--calendar: %w", err)
			}
			loc := cal.Location()
			if zone != "" {
				if loc, err = loadZone(zone); err != nil {
					return err
				}
			}
			var due, at time.Time
			if classified != "" {
				if rule.Name != deadline.RuleDORAInitial {
					return fmt.Errorf("--classified applies only to %s, not %s", deadline.RuleDORAInitial, rule.Name)
				}
				if at, err = parseInstant("--classified", classified); err != nil {
					return err
				}
				if due, err = deadline.DORAInitial(start, at); err != nil {
					return err
				}
			} else if due, err = rule.Due(start, cal, loc); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			const human = "Mon 2 Jan 2006 15:04:05 MST"
			fmt.Fprintf(out, "%-11s %s: %s\n", "rule:", rule.Name, rule.Description)
			fmt.Fprintf(out, "%-11s %s\n", "source:", rule.Source)
			fmt.Fprintf(out, "%-11s %s (%s)\n", "from:", start.In(loc).Format(human), rule.From)
			if !at.IsZero() {
				fmt.Fprintf(out, "%-11s %s (classification as major)\n", "classified:", at.In(loc).Format(human))
			}
			fmt.Fprintf(out, "%-11s %s (%s)\n", "due:", due.In(loc).Format(human), loc)
			fmt.Fprintln(out, due.UTC().Format(time.RFC3339Nano))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "instant the clock starts, RFC 3339 (e.g. 2026-03-28T12:00:00Z); which event it is depends on the rule")
	f.StringVar(&calName, "calendar", deadline.EnglandAndWales, "working-day calendar: "+strings.Join(deadline.CalendarNames(), " or "))
	f.StringVar(&zone, "tz", "", "IANA time zone whose calendar months the month rules count and in which times are shown (default: the calendar's)")
	f.StringVar(&classified, "classified", "", "dora-initial only: instant the incident was classified as major, RFC 3339")
	_ = cmd.MarkFlagRequired("from") // cannot fail: the flag was just defined
	_ = cmd.RegisterFlagCompletionFunc("calendar", cobra.FixedCompletions(deadline.CalendarNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// deadlineHelp lists every rule with its starting event and legal source, so
// that `vigil deadline --help` is the reference for what each clock means.
func deadlineHelp() string {
	var b strings.Builder
	b.WriteString("Compute the instant by which a report is due under one regulatory or policy rule.\n\n")
	b.WriteString("The last line printed is the due instant in RFC 3339, UTC; a report made at or\n")
	b.WriteString("before it is in time. Hour limits are elapsed hours (a clock change does not move\n")
	b.WriteString("them). Working days are counted in the calendar's own time zone: the day of the\n")
	b.WriteString("starting event does not count and the last day runs to 23:59:59. Month limits end\n")
	b.WriteString("at the end of the same date one month on (or the month's last day) in --tz.\n\n")
	b.WriteString("Rules:\n")
	for _, r := range deadline.Rules() {
		fmt.Fprintf(&b, "  %s\n      %s\n      from:   %s\n      source: %s\n", r.Name, r.Description, r.From, r.Source)
	}
	fmt.Fprintf(&b, "\nCalendars: %s (default %s).", strings.Join(deadline.CalendarNames(), ", "), deadline.EnglandAndWales)
	return b.String()
}

func ruleNames() []string {
	rules := deadline.Rules()
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Name
	}
	return names
}

// parseInstant reads an RFC 3339 instant. A zone offset is required: an
// instant without one is ambiguous by up to a day.
func parseInstant(flag, value string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 instant with a zone offset, such as 2026-03-28T12:00:00Z: %w", flag, value, err)
	}
	return t, nil
}

// loadZone reads an IANA zone name. "Local" is refused: it would make the
// answer depend on the machine running the command.
func loadZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, errors.New(`--tz Local: name an IANA zone such as Europe/London`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: want an IANA zone such as Europe/London or Europe/Jersey: %w", name, err)
	}
	return loc, nil
}

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/breach"
)

// newAssessCmd is `vigil assess FILE [--format json|text]`: whether a personal-data breach must
// be notified to supervisory authorities and the people affected. The JSON on stdout is the
// output contract of BREACH_FACTS.md; a document that breaks the input contract is refused
// with the offending field named, and nothing is written to stdout.
func newAssessCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "assess FILE",
		Short: "Decide whether a personal-data breach must be notified",
		Long: `Assess reads the facts of a personal-data breach (a vigil.breach-facts/v1 JSON document;
FILE "-" reads standard input) and says, for each jurisdiction (UK, EU, JE), whether the
supervisory authority and the people affected must be told, by when, and why: the ENISA 2013
severity, the likelihood and severity of harm, the exemptions that apply and the facts that were
unknown and so assumed at their worse. Every breach is recorded in the breach log, notified or not.`,
		Example: "  vigil assess facts.json\n" +
			"  vigil assess - --format text < facts.json",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("name one facts file, or - for standard input (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" && format != "text" {
				return fmt.Errorf("--format: want json or text, got %q", format)
			}
			facts, err := readFacts(cmd.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			d := breach.Assess(facts)
			out := cmd.OutOrStdout()
			if format == "text" {
				_, err = io.WriteString(out, d.Text())
				return err
			}
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false) // rationale quotes "<" and "&" as written, for humans
			return enc.Encode(d)
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "output format: json (the contract) or text (plain English)")
	return cmd
}

// readFacts decodes the facts document in the named file, or on stdin for "-"; errors name
// the source and, for bad input, the field.
func readFacts(stdin io.Reader, name string) (breach.Facts, error) {
	src, label := stdin, "standard input"
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return breach.Facts{}, err // *PathError: "open NAME: no such file or directory"
		}
		defer file.Close()
		src, label = file, name
	}
	facts, err := breach.Decode(src)
	if err != nil {
		return breach.Facts{}, fmt.Errorf("%s: %w", label, err)
	}
	return facts, nil
}

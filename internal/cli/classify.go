package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/classify"
)

// maxClassifyInput bounds what `vigil classify` reads: a report is a few kilobytes.
const maxClassifyInput = 1 << 20

// newClassifyCmd is `vigil classify --text TEXT | --file FILE [--format json]`: suggest how to
// classify a report from its words. The JSON on stdout is a classify.Suggestion: rsit.class and
// rsit.type (MISP machinetag values), ico_type, personal_data_likely, pii (kind and byte
// offsets, never the values) and because (the words that triggered each part).
func newClassifyCmd() *cobra.Command {
	var text, file, format string
	cmd := &cobra.Command{
		Use:   "classify (--text TEXT | --file FILE)",
		Short: "Suggest the RSIT class, ICO breach type and personal data in a report",
		Long: `Classify reads the free text of a report and suggests its RSIT incident class and type,
the ICO personal-data-breach type, and whether personal data is likely involved, each with the
words that triggered it. It also finds personal data (e-mail addresses, UK phone numbers,
National Insurance and NHS numbers, payment card numbers, IBANs, UK postcodes) and says where
it is, by kind and byte offset, without repeating it. It only suggests: a handler decides.

FILE ("-" for standard input) holds plain text, or a JSON report: an object with any of the
string fields title, nature, systems and people (other fields are ignored). For a JSON report
each PII offset is within the field it names.`,
		Example: "  vigil classify --text 'Laptop with patient records stolen from a car'\n" +
			"  vigil classify --file report.json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "json" {
				return fmt.Errorf("--format: want json, got %q", format)
			}
			hasText := cmd.Flags().Changed("text")
			if hasText == (file != "") {
				return errors.New("give exactly one of --text TEXT or --file FILE")
			}
			var s classify.Suggestion
			if hasText {
				if len(bytes.TrimSpace([]byte(text))) == 0 {
					return errors.New("--text: nothing to classify")
				}
				s = classify.Suggest(text)
			} else {
				var err error
				if s, err = classifyFile(cmd.InOrStdin(), file); err != nil {
					return err
				}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(s)
		},
	}
	cmd.Flags().StringVar(&text, "text", "", "the report's text")
	cmd.Flags().StringVar(&file, "file", "", `a file of text or a JSON report ("-": standard input)`)
	cmd.Flags().StringVar(&format, "format", "json", "output format: json")
	return cmd
}

// classifyFile reads FILE (or stdin for "-") and suggests for its text or JSON report; errors
// name the source.
func classifyFile(stdin io.Reader, name string) (classify.Suggestion, error) {
	src, label := stdin, "standard input"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return classify.Suggestion{}, err // *PathError: "open NAME: no such file or directory"
		}
		defer f.Close()
		src, label = f, name
	}
	data, err := io.ReadAll(io.LimitReader(src, maxClassifyInput+1))
	if err != nil {
		return classify.Suggestion{}, fmt.Errorf("%s: %w", label, err)
	}
	if len(data) > maxClassifyInput {
		return classify.Suggestion{}, fmt.Errorf("%s: larger than %d bytes", label, maxClassifyInput)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return classify.Suggestion{}, fmt.Errorf("%s: nothing to classify", label)
	}
	if trimmed[0] != '{' {
		return classify.Suggest(string(data)), nil
	}
	r, err := decodeReport(trimmed)
	if err != nil {
		return classify.Suggestion{}, fmt.Errorf("%s: %w", label, err)
	}
	return classify.SuggestReport(r), nil
}

// decodeReport decodes a JSON report. The PII offsets refer to the decoded fields, so the
// document must be valid UTF-8 (encoding/json would silently replace bad bytes and shift them).
func decodeReport(data []byte) (classify.Report, error) {
	var r classify.Report
	if !utf8.Valid(data) {
		return r, errors.New("JSON report is not valid UTF-8")
	}
	if err := json.Unmarshal(data, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return r, fmt.Errorf("JSON report: %s: want a string, got %s", te.Field, te.Value)
		}
		return r, fmt.Errorf("invalid JSON report: %w", err)
	}
	if r.Title == "" && r.Nature == "" && r.Systems == "" && r.People == "" {
		return r, errors.New("JSON report has none of the fields title, nature, systems, people")
	}
	return r, nil
}

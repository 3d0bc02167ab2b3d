package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/csvsafe"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/stix"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

func init() { exportCommands = append(exportCommands, newExportObservablesCmd) }

func newExportObservablesCmd() *cobra.Command {
	var cfg config.Config
	var format, out, tlp string
	cmd := &cobra.Command{
		Use:   "observables",
		Short: "Write the observables of phishing reports (URLs, domains, addresses, file hashes) as CSV or a STIX 2.1 bundle",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "csv" && format != "stix" {
				return fmt.Errorf("--format must be csv or stix")
			}
			level, ok := taxonomy.NormaliseTLP(tlp)
			if !ok {
				return fmt.Errorf("--tlp %q is not a TLP level (clear, green, amber, amber+strict, red)", tlp)
			}
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				exp, err := svc.ExportObservables(cmd.Context(), svc.System(), level, format)
				if err != nil {
					return err
				}
				w, closeOut, err := observablesOutput(cmd.OutOrStdout(), out)
				if err != nil {
					return err
				}
				if format == "stix" {
					err = stix.Write(w, exp.Observables)
				} else {
					err = writeObservablesCSV(w, exp.Observables)
				}
				if cerr := closeOut(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
				if exp.Withheld > 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "%d observables marked above TLP:%s were left out\n", exp.Withheld, level)
				}
				return nil
			})
		},
	}
	cfg.BindStorage(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", "csv", "csv or stix (a STIX 2.1 bundle of indicators)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default standard output)")
	cmd.Flags().StringVar(&tlp, "tlp", "amber", "the highest TLP marking the audience may see; observables marked above it are left out")
	return cmd
}

// observablesOutput opens path for writing, or returns stdout when path is empty.
func observablesOutput(stdout io.Writer, path string) (io.Writer, func() error, error) {
	if path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

func writeObservablesCSV(w io.Writer, obs []*service.Observable) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"incident", "type", "value", "tlp", "first_seen", "last_seen", "count"}); err != nil {
		return err
	}
	for _, o := range obs {
		if err := cw.Write([]string{o.Ref, o.Type, o.Value, o.TLP, o.FirstSeen.Format(time.RFC3339), o.LastSeen.Format(time.RFC3339), strconv.Itoa(o.Count)}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

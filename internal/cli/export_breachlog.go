package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
)

func init() {
	exportCommands = append(exportCommands, newExportBreachLogCmd, newExportReturnCmd)
}

// exportFlags are the flags every file export shares.
type exportFlags struct {
	cfg    config.Config
	format string
	out    string
	tlp    string
}

func (f *exportFlags) bind(cmd *cobra.Command, formats string) {
	f.cfg.BindStorage(cmd.Flags())
	cmd.Flags().StringVar(&f.format, "format", "csv", "file format: "+formats)
	cmd.Flags().StringVarP(&f.out, "output", "o", "-", "file to write (- or absent: standard output)")
	cmd.Flags().StringVar(&f.tlp, "tlp", "amber", "TLP level the readers are cleared for; text marked above it is withheld")
}

// write runs an export into the -o file, or stdout. A file is written beside its final name
// and renamed into place only when complete, so a failed export leaves no half-written file.
func (f *exportFlags) write(cmd *cobra.Command, fn func(ctx context.Context, svc *service.Service, w io.Writer) error) error {
	return withService(cmd.Context(), &f.cfg, func(svc *service.Service) error {
		if f.out == "" || f.out == "-" {
			bw := bufio.NewWriter(cmd.OutOrStdout())
			if err := fn(cmd.Context(), svc, bw); err != nil {
				return err
			}
			return bw.Flush()
		}
		tmp, err := os.CreateTemp(filepath.Dir(f.out), "."+filepath.Base(f.out)+".*")
		if err != nil {
			return fmt.Errorf("creating %s: %w", f.out, err)
		}
		defer os.Remove(tmp.Name())
		bw := bufio.NewWriterSize(tmp, 256<<10)
		err = fn(cmd.Context(), svc, bw)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), f.out); err != nil {
			return fmt.Errorf("writing %s: %w", f.out, err)
		}
		return nil
	})
}

func newExportBreachLogCmd() *cobra.Command {
	var f exportFlags
	var from, to string
	cmd := &cobra.Command{
		Use:   "breach-log",
		Short: "Write the personal data breach log (every breach, notified or not) as CSV, XLSX or PDF",
		Long: "Write the breach log: every personal data breach the organisation became aware of in the period\n" +
			"(exercises excluded), with facts, effects, remedial action, the recommendation, the decision and its\n" +
			"reasons, dates and time to notify. It is derived from the records and cannot be edited.\n" +
			"Entries marked above --tlp keep their row but have their text withheld.",
		Example: "  vigil export breach-log --format xlsx --from 2026-07-01 --to 2026-09-30 -o breach-log.xlsx",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			per, err := service.ParsePeriod(from, to)
			if err != nil {
				return err
			}
			return f.write(cmd, func(ctx context.Context, svc *service.Service, w io.Writer) error {
				sum, err := svc.ExportBreachLog(ctx, svc.System(), service.ExportRequest{Period: per, Format: f.format, Audience: f.tlp}, w)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "breach log: %d %s written\n", sum.Rows, entries(sum.Rows))
				if sum.Withheld > 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "%d %s marked above TLP:%s or restricted: their text is withheld, but they stay in the log because it must be complete\n",
						sum.Withheld, entries(sum.Withheld), strings.ToUpper(f.tlp))
				}
				return nil
			})
		},
	}
	f.bind(cmd, "csv, xlsx, pdf or json")
	cmd.Flags().StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD (default: the beginning)")
	cmd.Flags().StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD, included (default: today)")
	return cmd
}

func newExportReturnCmd() *cobra.Command {
	var f exportFlags
	var quarter string
	cmd := &cobra.Command{
		Use:   "return",
		Short: "Write the quarterly return on security incidents (counts by class, severity, type, reporting times)",
		Long: "Write the quarterly return (seed 003): counts of the incidents recorded in the quarter by triage class,\n" +
			"severity category and type, near misses, personal data breaches, those reported to a regulator and\n" +
			"time-to-report bands. Exercises are excluded.",
		Example: "  vigil export return --quarter 2026Q3 --format pdf -o return-2026Q3.pdf",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, _, err := service.ParseQuarter(quarter); err != nil {
				return err
			}
			return f.write(cmd, func(ctx context.Context, svc *service.Service, w io.Writer) error {
				ret, err := svc.ExportReturn(ctx, svc.System(), service.ExportRequest{Quarter: quarter, Format: f.format, Audience: f.tlp}, w)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "quarterly return %s: %d incidents counted\n", ret.Quarter, ret.Incidents)
				return nil
			})
		},
	}
	f.bind(cmd, "csv, xlsx or pdf")
	cmd.Flags().StringVar(&quarter, "quarter", "", "quarter to report, YYYYQn, for example 2026Q3 (required)")
	_ = cmd.MarkFlagRequired("quarter")
	return cmd
}

func entries(n int) string {
	if n == 1 {
		return "entry"
	}
	return "entries"
}

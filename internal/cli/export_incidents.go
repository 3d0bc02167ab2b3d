package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/csvsafe"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

func init() { exportCommands = append(exportCommands, newExportIncidentsCmd) }

func newExportIncidentsCmd() *cobra.Command {
	var cfg config.Config
	var f registerFlags
	var format string
	cmd := &cobra.Command{
		Use:   "incidents --format csv",
		Short: "Write the incident register as CSV (fixed columns, see docs/IMPORT.md)",
		Long: "Write the incident register as CSV with a fixed set of columns, cells a spreadsheet\n" +
			"would run as formulas neutralised. Incidents marked above --tlp and, unless\n" +
			"--include-restricted, restricted incidents are withheld, and counted on stderr.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "csv" {
				return fmt.Errorf("--format %q is not supported; use --format csv", format)
			}
			o, err := f.options("incidents.csv")
			if err != nil {
				return err
			}
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				return f.write(cmd, func(w io.Writer) (*service.ExportResult, error) {
					cw := csvsafe.NewWriter(w)
					if err := cw.Write(service.IncidentColumns); err != nil {
						return nil, err
					}
					res, err := svc.ExportIncidents(cmd.Context(), svc.System(), o, func(it store.Sourced) error {
						return cw.Write(service.IncidentRow(it))
					})
					if err != nil {
						return nil, err
					}
					return res, cw.Flush()
				})
			})
		},
	}
	cfg.BindStorage(cmd.Flags())
	f.bind(cmd)
	cmd.Flags().StringVar(&format, "format", "csv", "output format (csv)")
	return cmd
}

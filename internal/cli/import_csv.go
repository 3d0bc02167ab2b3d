package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/csvimport"
	"github.com/vigil-ir/vigil/internal/service"
)

func init() { importCommands = append(importCommands, newImportCSVCmd) }

func newImportCSVCmd() *cobra.Command {
	var cfg config.Config
	var o service.ImportOptions
	var mapPath string
	cmd := &cobra.Command{
		Use:   "csv FILE --map mapping.yaml",
		Short: "Import a breach log or incident spreadsheet (CSV) through a column mapping",
		Long: "Import the rows of a CSV spreadsheet as incidents. The mapping file (YAML) names the\n" +
			"column of each Vigil field, the date formats and the delimiter; docs/IMPORT.md has an\n" +
			"example for a typical breach log. Rows that cannot be imported are listed with their\n" +
			"row number and the reason.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if mapPath == "" {
				return fmt.Errorf("--map is required: a YAML file saying which column holds which field (see docs/IMPORT.md)")
			}
			mf, err := os.Open(mapPath)
			if err != nil {
				return err
			}
			m, err := csvimport.ParseMapping(mf)
			mf.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", mapPath, err)
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				res, err := svc.ImportCSV(cmd.Context(), svc.System(), m, f, args[0], o)
				return importReport(cmd, res, err)
			})
		},
	}
	cfg.BindStorage(cmd.Flags())
	bindImport(cmd, &o)
	cmd.Flags().StringVar(&mapPath, "map", "", "mapping file (YAML) from the sheet's columns to Vigil's fields")
	return cmd
}

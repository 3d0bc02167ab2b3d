package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
)

// importCommands are the subcommands of "vigil import"; each lives in its own file and adds
// itself here from init, like the export formats.
var importCommands []func() *cobra.Command

func newImportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "import",
		Short: "Bring incidents in from other tools (VERIS JSON, spreadsheets)",
		Long: "Import creates incidents from other tools' records. Importing the same records again\n" +
			"updates the incidents they created instead of duplicating them. Every rejected record is\n" +
			"listed with the reason; unless --partial is given, one rejected record stops the import\n" +
			"before anything is written. Every import is recorded in the record of events.\n" +
			"See docs/IMPORT.md.",
	}
	for _, f := range importCommands {
		c.AddCommand(f())
	}
	return c
}

func init() { importCommands = append(importCommands, newImportVerisCmd) }

func newImportVerisCmd() *cobra.Command {
	var cfg config.Config
	var o service.ImportOptions
	cmd := &cobra.Command{
		Use:   "veris FILE|DIR",
		Short: "Import VERIS 1.3 incident records (JSON array, JSON Lines, a directory or a .zip of them)",
		Long: "Import VERIS 1.3 incident records, e.g. the VERIS Community Database. Each record becomes\n" +
			"an incident (RSIT class and type, ICO breach type, impacts, dates with their precision) and\n" +
			"keeps its VERIS original, so vigil export veris gives it back. Values Vigil cannot map are\n" +
			"recorded as unknown with a note in the incident's record of events.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				res, err := svc.ImportVERIS(cmd.Context(), svc.System(), args[0], o)
				return importReport(cmd, res, err)
			})
		},
	}
	cfg.BindStorage(cmd.Flags())
	bindImport(cmd, &o)
	return cmd
}

func bindImport(cmd *cobra.Command, o *service.ImportOptions) {
	cmd.Flags().BoolVar(&o.Partial, "partial", false, "import the good records even if some are rejected (default: all or nothing)")
}

// maxListed caps the rejected records printed one by one; the count is always exact.
const maxListed = 200

// importReport prints what an import did: the counts on stdout, the rejected records and
// warnings on stderr.
func importReport(cmd *cobra.Command, res *service.ImportResult, err error) error {
	if res == nil {
		return err
	}
	errw := cmd.ErrOrStderr()
	list := func(w io.Writer, what string, ps []service.Problem) {
		for i, p := range ps {
			if i == maxListed {
				fmt.Fprintf(w, "… and %d more %s\n", len(ps)-maxListed, what)
				break
			}
			fmt.Fprintf(w, "%s: %s: %s\n", what, p.Where, p.Reason)
		}
	}
	list(errw, "rejected", res.Rejected)
	list(errw, "warning", res.Warnings)
	fmt.Fprintf(cmd.OutOrStdout(), "created %d, updated %d, unchanged %d, rejected %d\n", res.Created, res.Updated, res.Unchanged, len(res.Rejected))
	if res.Noted > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "%d imported records have mapping notes (values mapped to unknown, dates not kept); see each incident's record of events\n", res.Noted)
	}
	return err
}

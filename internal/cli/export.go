package cli

import "github.com/spf13/cobra"

// exportCommands are the subcommands of "vigil export"; each lives in its own file and adds
// itself here from init, so export formats can be added without touching this file.
var exportCommands []func() *cobra.Command

func newExportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "export",
		Short: "Write registers, logs and returns to files (CSV, XLSX, PDF, JSON)",
		Long:  "Export writes Vigil's records to files for auditors, regulators and other tools.\nEvery export is recorded in the record of events.",
	}
	for _, f := range exportCommands {
		c.AddCommand(f())
	}
	return c
}

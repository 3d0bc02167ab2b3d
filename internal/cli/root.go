// Package cli holds Vigil's command-line interface: one file per subcommand.
// It parses flags and calls the service layer; it holds no domain rules.
package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Run executes the vigil command line and returns the process exit code.
func Run(args []string) int {
	root := &cobra.Command{
		Use:           "vigil",
		Short:         "Vigil records and manages security incidents and personal-data breaches",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newServeCmd(),
		newMigrateCmd(),
		newUserCmd(),
		newTokenCmd(),
		newAuditCmd(),
		newBackupCmd(),
		newDeadlineCmd(),
		newAssessCmd(),
		newClassifyCmd(),
		newSchemeCmd(),
		newExportCmd(),
		newImportCmd(),
	)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "vigil:", err)
		var ec exitCoder
		if asExitCoder(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}

package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// newSchemeCmd checks severity scheme files before they are deployed with serve --schemes.
func newSchemeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "scheme", Short: "Severity category schemes"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Validate severity scheme files; errors name the file, line and field",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, path := range args {
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				sc, err := taxonomy.LoadScheme(f, path)
				f.Close()
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: scheme %q (%s), %d categories, valid\n", path, sc.ID, sc.Name, len(sc.Categories))
			}
			return nil
		},
	})
	return cmd
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// exitError carries a specific exit code out of a command.
type exitError struct {
	err  error
	code int
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Check the record of events"}
	var cfg config.Config
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Walk the hash-chained record of events; exit 0 if intact, 2 naming the first broken entry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				n, err := svc.VerifyAudit(cmd.Context(), svc.System())
				if store.IsBroken(err) {
					return &exitError{err, 2}
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "record of events intact: %d entries checked\n", n)
				return nil
			})
		},
	}
	cfg.BindStorage(verify.Flags())
	cmd.AddCommand(verify)
	return cmd
}

func newBackupCmd() *cobra.Command {
	var cfg config.Config
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the embedded database to FILE, also while Vigil runs",
		Long: "Write a consistent copy of the embedded SQLite database to FILE, safe while vigil serve runs.\n" +
			"To restore, stop Vigil and put FILE in place of " + store.SQLiteFile + " in the data directory.\n" +
			"For PostgreSQL use pg_dump.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				if err := svc.Backup(cmd.Context(), svc.System(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "backup written to %s\n", args[0])
				return nil
			})
		},
	}
	cfg.BindStorage(cmd.Flags())
	return cmd
}

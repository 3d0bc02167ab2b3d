package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
)

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage user accounts"}
	cmd.AddCommand(newUserAddCmd())
	return cmd
}

func newUserAddCmd() *cobra.Command {
	var cfg config.Config
	var email, name string
	var roles []string
	cmd := &cobra.Command{
		Use:   "add --email E --name N --role R",
		Short: "Add a user; the password is read from stdin, or generated and printed",
		Long: "Add a user. Pipe the password on stdin (first line) to set it; with no stdin a random\n" +
			"password is generated and printed once. Roles: " + auth.JoinRoles(auth.AllRoles) + " (repeat --role or separate with commas).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := auth.ParseRoles(strings.Join(roles, ","))
			if err != nil {
				return err
			}
			password, fromStdin, err := readPassword(cmd)
			if err != nil {
				return err
			}
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				u, err := svc.AddUser(cmd.Context(), svc.System(), service.NewUser{Email: email, Name: name, Password: password, Roles: rs})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "added %s (%s) with roles %s\n", u.Email, u.Name, u.Roles)
				if !fromStdin {
					fmt.Fprintf(cmd.OutOrStdout(), "%s\n", password)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "e-mail address (the sign-in name)")
	cmd.Flags().StringVar(&name, "name", "", "full name")
	cmd.Flags().StringSliceVar(&roles, "role", nil, "role(s): "+auth.JoinRoles(auth.AllRoles))
	_ = cmd.MarkFlagRequired("email")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	cfg.BindStorage(cmd.Flags())
	return cmd
}

// readPassword takes the first line of stdin when stdin is not a terminal and has data;
// otherwise it generates a password.
func readPassword(cmd *cobra.Command) (string, bool, error) {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil || fi.Mode()&os.ModeCharDevice != 0 {
			return auth.GeneratePassword(), false, nil
		}
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return auth.GeneratePassword(), false, nil
	}
	if err != nil && err.Error() != "EOF" {
		return "", false, fmt.Errorf("reading password from stdin: %w", err)
	}
	return line, true, nil
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var cfg config.Config
	var email, name string
	create := &cobra.Command{
		Use:   "create --email E --name N",
		Short: "Create an API token for a user; prints only the token, shown once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				tok, err := svc.CreateToken(cmd.Context(), svc.System(), email, name)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), tok)
				return nil
			})
		},
	}
	create.Flags().StringVar(&email, "email", "", "the user's e-mail address")
	create.Flags().StringVar(&name, "name", "", "a name for the token, e.g. the script that uses it")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")
	cfg.BindStorage(create.Flags())

	var rcfg config.Config
	var remail, rname string
	revoke := &cobra.Command{
		Use:   "revoke --email E --name N",
		Short: "Revoke a user's API token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withService(cmd.Context(), &rcfg, func(svc *service.Service) error {
				if err := svc.RevokeToken(cmd.Context(), svc.System(), remail, rname); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "revoked token %q of %s\n", rname, remail)
				return nil
			})
		},
	}
	revoke.Flags().StringVar(&remail, "email", "", "the user's e-mail address")
	revoke.Flags().StringVar(&rname, "name", "", "the token's name")
	_ = revoke.MarkFlagRequired("email")
	_ = revoke.MarkFlagRequired("name")
	rcfg.BindStorage(revoke.Flags())
	cmd.AddCommand(create, revoke)
	return cmd
}

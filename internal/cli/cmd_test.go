package cli

import (
	"bytes"
	"strings"

	"github.com/spf13/cobra"
)

// runCmd runs a subcommand with stdin and args and returns stdout and the error, silenced
// as under the root command (Run), which reports errors itself, without usage.
func runCmd(cmd *cobra.Command, stdin string, args ...string) (string, error) {
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out, errOut bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

package cli

import "errors"

// exitCoder lets a command choose a specific non-zero exit code (e.g. audit verify).
type exitCoder interface {
	error
	ExitCode() int
}

func asExitCoder(err error, target *exitCoder) bool { return errors.As(err, target) }

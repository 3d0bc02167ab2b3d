// Command vigil is the whole of Vigil: server, CLI and tools in one binary.
package main

import (
	"os"

	"github.com/vigil-ir/vigil/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:]))
}
